from flask import Blueprint, abort, flash, redirect, request, url_for

from kiosk.access import current_actor, staff_required
from kiosk.clock import local_today, utcnow
from kiosk.forms import ActionForm
from kiosk.forms.base import attach_error
from kiosk.forms.staff import CallForm, RunningLateForm
from kiosk.models import Appointment, Clinician
from kiosk.rendering import render, render_form_errors
from kiosk.roles import ALL_STAFF, DESK
from kiosk.services import DomainError, arrivals, calling
from kiosk.sessions import mark_passive

bp = Blueprint("arrivals", __name__, url_prefix="/arrivals")
REFRESH_SECONDS = 5


@bp.get("/")
@staff_required()
def index():
    if request.args.get("auto"):
        mark_passive()  # the screen refreshing itself is not someone using it
    actor = current_actor()
    return render(
        "staff/arrivals/index.html",
        block="arrivals",
        # Sign-up requests are the desk's to act on (identity checks and letters are DESK): clinicians' rows omit them.
        clinicians=arrivals.todays_list(actor.practice_id, signup_requests=actor.role in DESK),
        action_form=ActionForm(),
        late_form=RunningLateForm(),
        today=local_today(),
        refreshed_at=utcnow(),
        refresh_seconds=REFRESH_SECONDS,
    )


DONE = {
    "arrive": "{name} marked as arrived",
    "undo": "Arrival undone for {name}",
    "start": "{name} is in consultation",
    "seen": "{name} marked as seen",
}


@bp.post("/<int:appointment_id>/<any(arrive, undo):change>")
@staff_required(*DESK)
def change(appointment_id: int, change: str):
    return _change(appointment_id, change)


@bp.post("/<int:appointment_id>/<any(start, seen):change>")
@staff_required(*ALL_STAFF)
def progress(appointment_id: int, change: str):
    """After the call: in consultation, then seen. Clinicians move their patients on; reception can too."""
    return _change(appointment_id, change)


def _change(appointment_id: int, change: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        appointment = arrivals.change_status(current_actor(), appointment_id, change)
    except Appointment.DoesNotExist:
        abort(404)
    except DomainError as e:
        flash(e.message, "error")
    else:
        flash(DONE[change].format(name=appointment.patient.full_name))
    return redirect(url_for(".index", _anchor=f"appointment-{appointment_id}"), 303)


@bp.route("/<int:appointment_id>/call", methods=["GET", "POST"])
@staff_required(*ALL_STAFF)
def call(appointment_id: int):
    """Call the patient in by ticket number. The button on arrivals posts here with no room, which means the
    clinician's room; this page asks for a room when the clinician has none, or to call to another."""
    actor = current_actor()
    try:
        appointment = calling.for_calling(actor, appointment_id)
    except Appointment.DoesNotExist:
        abort(404)
    form = CallForm()
    if not form.is_submitted():
        form.room.data = appointment.slot.clinician.room
        return render("staff/arrivals/call.html", form=form, appointment=appointment)
    if form.validate_on_submit():
        try:
            called = calling.call_in(actor, appointment_id, form.room.data or "")
        except DomainError as e:
            if e.field is None:
                flash(e.message, "error")
                return redirect(url_for(".index", _anchor=f"appointment-{appointment_id}"), 303)
            attach_error(form, e)
        else:
            flash(f"Called {appointment.patient.full_name}: number {called.number} to {called.room}")
            return redirect(url_for(".index", _anchor=f"appointment-{appointment_id}"), 303)
    return render_form_errors("staff/arrivals/call.html", form, appointment=appointment, status=400)


@bp.post("/clinicians/<int:clinician_id>/running-late")
@staff_required(*ALL_STAFF)
def running_late(clinician_id: int):
    form = RunningLateForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        clinician = arrivals.set_running_late(current_actor(), clinician_id, form.minutes.data)
    except Clinician.DoesNotExist:
        abort(404)
    flash(f"{clinician.display_name}: running late set to {form.minutes.data} minutes")
    return redirect(url_for(".index"), 303)
