"""Patients and proxies finding a free slot, booking it, and cancelling, from a phone or the waiting-room kiosk."""

from datetime import date

from flask import Blueprint, abort, g, redirect, request, url_for
from werkzeug.datastructures import MultiDict

from kiosk.access import current_actor, patient_required
from kiosk.clock import to_local, utcnow
from kiosk.forms.appointments import FindSlotsForm, TokenForm
from kiosk.models import SLOT_KINDS, Appointment, Clinician, Practice, Slot
from kiosk.rendering import render
from kiosk.services import DomainError, audit, booking

bp = Blueprint("appointments", __name__, url_prefix="/appointments")


@bp.context_processor
def _labels():
    return {"kinds": SLOT_KINDS}


def _practice() -> Practice:
    return g.account.practice


def _own(appointment_id: int) -> Appointment:
    """The acting-for patient's appointment, or 404: another person's id looks exactly like a missing one."""
    found = booking.for_patient(g.account.practice_id, g.scope.patient.id, appointment_id)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@patient_required("appointments")
def index():
    practice = _practice()
    upcoming, recent = booking.patient_appointments(practice.id, g.scope.patient.id)
    audit.viewed(current_actor(), "appointment.view_list", patient_id=g.scope.patient.id)
    now = utcnow()
    return render(
        "patient/appointments/index.html",
        practice=practice,
        upcoming=upcoming,
        recent=recent,
        cancellable={a.id for a in upcoming if booking.can_cancel_online(practice, a, now)},
        left=booking.bookings_left(practice, g.scope.patient.id),
        limit_message=booking.limit_message(practice),
    )


def _finder(practice: Practice, args, *, error: str | None = None):
    """The slot finder page, or only its list for an htmx swap."""
    form = FindSlotsForm(args)
    clinicians = Clinician.for_practice(practice.id).where(Clinician.active == True).order_by(Clinician.display_name)  # noqa: E712
    form.clinician.choices = [("", "Anyone")] + [(str(c.id), c.display_name) for c in clinicians]
    kind = form.kind.data if form.kind.data in SLOT_KINDS else "gp"
    form.kind.data = kind
    # Only one of the offered clinicians: any other value (a huge number, other scripts' digits) means anyone.
    offered = {value for value, _ in form.clinician.choices if value}
    clinician_id = int(form.clinician.data) if form.clinician.data in offered else None
    start = _day(form.start.data)
    left = booking.bookings_left(practice, g.scope.patient.id)
    week = booking.free_week(practice, kind=kind, clinician_id=clinician_id, start=start) if left else None
    filters = {"kind": kind, "clinician": clinician_id or ""}
    return render(
        "patient/appointments/book.html",
        block="slots",
        form=form,
        week=week,
        left=left,
        filters=filters,
        practice=practice,
        error=error,
        has_errors=bool(error),
        kind_label=SLOT_KINDS[kind],
        limit_message=booking.limit_message(practice),
    )


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@bp.get("/book")
@patient_required("appointments")
def book():
    return _finder(_practice(), request.args)


def _offered(practice: Practice, slot_id: int) -> Slot:
    try:
        return booking.offered_slot(practice, slot_id)
    except booking.NotOffered:
        abort(404)


def _taken(practice: Practice, slot: Slot, message: str):
    """Back to the list the patient came from, starting on the slot's day, with the reason at the top."""
    args = MultiDict({"kind": slot.kind, "start": to_local(slot.starts_at).date().isoformat()})
    return _finder(practice, args, error=message)


@bp.get("/book/<int:slot_id>")
@patient_required("appointments")
def check(slot_id: int):
    practice = _practice()
    slot = _offered(practice, slot_id)
    if not booking.is_free(slot):
        return _taken(practice, slot, booking.TAKEN)
    if not booking.bookings_left(practice, g.scope.patient.id):
        return redirect(url_for(".book"), 303)
    form = TokenForm(formdata=None, token=booking.new_token())
    return render(
        "patient/appointments/check.html",
        slot=slot,
        form=form,
        practice=practice,
        back_start=to_local(slot.starts_at).date().isoformat(),
    )


@bp.post("/book/<int:slot_id>")
@patient_required("appointments")
def confirm(slot_id: int):
    form = TokenForm()
    if not form.validate_on_submit():
        abort(400)
    practice = _practice()
    try:
        appointment = booking.book(current_actor(), g.scope.patient.id, slot_id, token=form.token.data)
    except booking.NotOffered:
        abort(404)
    except DomainError as e:
        slot = Slot.get_or_none((Slot.id == slot_id) & (Slot.practice == practice.id))
        if slot is None:
            abort(404)
        return _taken(practice, slot, e.message)
    return redirect(url_for(".booked", appointment_id=appointment.id), 303)


@bp.get("/<int:appointment_id>/booked")
@patient_required("appointments")
def booked(appointment_id: int):
    appointment = _own(appointment_id)
    if appointment.status not in booking.LIVE:
        return redirect(url_for(".index"), 303)
    practice = _practice()
    return render(
        "patient/appointments/booked.html",
        appointment=appointment,
        practice=practice,
        can_cancel=booking.can_cancel_online(practice, appointment),
        cutoff=booking.duration_phrase(practice.cancel_cutoff_minutes),
    )


@bp.route("/<int:appointment_id>/cancel", methods=["GET", "POST"])
@patient_required("appointments")
def cancel(appointment_id: int):
    appointment = _own(appointment_id)
    if appointment.status == "cancelled":
        return redirect(url_for(".cancelled", appointment_id=appointment.id), 303)
    practice = _practice()
    page = {"appointment": appointment, "practice": practice}
    if request.method == "POST":
        form = TokenForm()
        if not form.validate_on_submit():
            abort(400)
        try:
            booking.cancel(current_actor(), appointment.id, patient_id=g.scope.patient.id, token=form.token.data)
        except DomainError as e:
            return render("patient/appointments/cancel.html", form=None, error=e.message, has_errors=True, **page)
        return redirect(url_for(".cancelled", appointment_id=appointment.id), 303)
    if booking.can_cancel_online(practice, appointment):
        return render(
            "patient/appointments/cancel.html", form=TokenForm(formdata=None, token=booking.new_token()), **page
        )
    notice = (
        booking.too_late_message(practice)
        if appointment.status == "booked"
        else f"This appointment is marked {appointment.status_label.lower()}: it cannot be cancelled."
    )
    return render("patient/appointments/cancel.html", form=None, notice=notice, **page)


@bp.get("/<int:appointment_id>/cancelled")
@patient_required("appointments")
def cancelled(appointment_id: int):
    appointment = _own(appointment_id)
    if appointment.status != "cancelled":
        return redirect(url_for(".cancel", appointment_id=appointment.id), 303)
    return render("patient/appointments/cancelled.html", appointment=appointment, practice=_practice())
