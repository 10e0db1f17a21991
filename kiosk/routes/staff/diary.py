"""Reception's diary: a clinician's day, booking for a patient, cancelling with a reason, did-not-attend, sessions."""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for

from kiosk.access import current_actor, staff_required
from kiosk.clock import local_today, to_local, utcnow
from kiosk.forms import ActionForm
from kiosk.forms.appointments import SessionForm, StaffBookForm, StaffCancelForm, parse_day
from kiosk.forms.online import PatientSearchForm
from kiosk.models import SLOT_KINDS, Appointment, Clinician, Patient, Slot
from kiosk.rendering import render, render_form_errors
from kiosk.roles import DESK
from kiosk.services import DomainError, booking, diary, online_access

bp = Blueprint("diary", __name__, url_prefix="/diary")


@bp.context_processor
def _labels():
    return {"kinds": SLOT_KINDS}


def _clinicians(practice_id: int) -> list[Clinician]:
    return list(Clinician.for_practice(practice_id).where(Clinician.active == True).order_by(Clinician.display_name))  # noqa: E712


def _slot(slot_id: int) -> Slot:
    found = (
        Slot.select(Slot, Clinician)
        .join(Clinician)
        .where((Slot.id == slot_id) & (Slot.practice == current_actor().practice_id))
        .first()
    )
    if found is None:
        abort(404)
    return found


def _appointment(appointment_id: int) -> Appointment:
    found = Appointment.with_details(current_actor().practice_id).where(Appointment.id == appointment_id).first()
    if found is None:
        abort(404)
    return found


def _day_url(slot: Slot) -> str:
    day = to_local(slot.starts_at).date().isoformat()
    return url_for(".day", clinician=slot.clinician_id, day=day, _anchor=f"slot-{slot.id}")


def _back_to(slot: Slot):
    return redirect(_day_url(slot), 303)


@bp.get("/")
@staff_required()
def day():
    actor = current_actor()
    clinicians = _clinicians(actor.practice_id)
    wanted = request.args.get("clinician", type=int)
    clinician = next((c for c in clinicians if c.id == wanted), None)
    if clinician is None and wanted:
        # A deactivated clinician's day stays readable, so reception can move what is still booked with them.
        clinician = Clinician.get_or_none((Clinician.id == wanted) & (Clinician.practice == actor.practice_id))
        clinicians = [*clinicians, clinician] if clinician else clinicians
    clinician = clinician or (clinicians[0] if clinicians else None)
    shown = parse_day(request.args.get("day")) or local_today()
    rows = booking.day_diary(actor.practice_id, clinician.id, shown) if clinician else []
    return render(
        "staff/diary/day.html",
        clinicians=clinicians,
        clinician=clinician,
        day=shown,
        rows=rows,
        previous=shown - timedelta(days=1),
        next=shown + timedelta(days=1),
        today=local_today(),
        can_act=actor.role in DESK,
        action_form=ActionForm(),
        now=utcnow(),
    )


@bp.get("/slots/<int:slot_id>/book")
@staff_required(*DESK)
def book(slot_id: int):
    slot = _slot(slot_id)
    form = PatientSearchForm(request.args)
    usable = form.validate()
    results = online_access.find_patients(slot.practice_id, form.q.data or "") if usable else []
    return render(
        "staff/diary/book.html",
        block="results",
        slot=slot,
        form=form,
        results=results,
        searched=usable and bool(form.q.data),
        has_errors=not usable,
        free=booking.is_free(slot),
        back=_day_url(slot),
        book_form=StaffBookForm(formdata=None, token=booking.new_token()),
    )


@bp.post("/slots/<int:slot_id>/book")
@staff_required(*DESK)
def book_for_patient(slot_id: int):
    slot = _slot(slot_id)
    form = StaffBookForm()
    if not form.validate_on_submit():
        # An id no row can have names nobody: the same 404 as another practice's patient. Anything else is a 400.
        abort(404 if form.patient.raw_data and form.patient.errors else 400)
    try:
        appointment = booking.book(current_actor(), form.patient.data, slot.id, token=form.token.data)
    except (Patient.DoesNotExist, Slot.DoesNotExist):
        abort(404)
    except DomainError as e:
        flash(e.message, "error")
        return _back_to(slot)
    flash(f"Booked {appointment.patient.full_name} at {booking.describe_time(slot)} with {slot.clinician.display_name}")
    return _back_to(slot)


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["GET", "POST"])
@staff_required(*DESK)
def cancel(appointment_id: int):
    appointment = _appointment(appointment_id)
    if appointment.status != "booked":
        flash(f"This appointment is {appointment.status_label.lower()}", "error")
        return _back_to(appointment.slot)
    form = StaffCancelForm() if request.method == "POST" else StaffCancelForm(formdata=None, token=booking.new_token())
    if form.validate_on_submit():
        try:
            booking.cancel(current_actor(), appointment.id, token=form.token.data, reason=form.reason.data)
        except DomainError as e:
            (form.reason.errors.append(e.message) if e.field else form.form_errors.append(e.message))
            return render_form_errors(
                "staff/diary/cancel.html", form, appointment=appointment, back=_day_url(appointment.slot)
            )
        flash(f"Cancelled {appointment.patient.full_name}’s appointment at {booking.describe_time(appointment.slot)}")
        return _back_to(appointment.slot)
    if form.is_submitted():
        return render_form_errors(
            "staff/diary/cancel.html", form, appointment=appointment, back=_day_url(appointment.slot)
        )
    return render("staff/diary/cancel.html", form=form, appointment=appointment, back=_day_url(appointment.slot))


@bp.post("/appointments/<int:appointment_id>/did-not-attend")
@staff_required(*DESK)
def did_not_attend(appointment_id: int):
    appointment = _appointment(appointment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        booking.mark_did_not_attend(current_actor(), appointment.id)
    except DomainError as e:
        flash(e.message, "error")
    else:
        flash(f"{appointment.patient.full_name} marked as did not attend")
    return _back_to(appointment.slot)


@bp.route("/sessions/new", methods=["GET", "POST"])
@staff_required(*DESK)
def new_session():
    actor = current_actor()
    clinicians = _clinicians(actor.practice_id)
    form = SessionForm()
    form.clinician.offer([(c.id, c.display_name) for c in clinicians])
    if request.method == "GET":
        form.clinician.data = request.args.get("clinician", type=int)
        form.day.data = request.args.get("day", "")
    if form.validate_on_submit():
        clinician = next(c for c in clinicians if c.id == form.clinician.data)
        try:
            created = diary.create_session(
                actor,
                clinician,
                form.day.value,
                form.start.value,
                form.end.value,
                length_minutes=form.length.data,
                kind=form.kind.data,
                released_online=form.released_online.data,
            )
        except DomainError as e:
            form.form_errors.append(e.message)
            return render_form_errors("staff/diary/session_new.html", form)
        flash(f"{created} slot{'' if created == 1 else 's'} added for {clinician.display_name}")
        return redirect(url_for(".day", clinician=clinician.id, day=form.day.value.isoformat()), 303)
    if form.is_submitted():
        return render_form_errors("staff/diary/session_new.html", form)
    return render("staff/diary/session_new.html", form=form)
