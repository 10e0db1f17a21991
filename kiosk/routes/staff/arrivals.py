from flask import Blueprint, abort, flash, redirect, request, url_for

from kiosk.access import current_actor, staff_required
from kiosk.clock import local_today, utcnow
from kiosk.forms import ActionForm
from kiosk.forms.staff import RunningLateForm
from kiosk.models import Appointment, Clinician
from kiosk.rendering import render
from kiosk.roles import ALL_STAFF, DESK
from kiosk.services import DomainError, arrivals
from kiosk.sessions import mark_passive

bp = Blueprint("arrivals", __name__, url_prefix="/arrivals")
REFRESH_SECONDS = 5


@bp.get("/")
@staff_required()
def index():
    if request.args.get("auto"):
        mark_passive()  # the screen refreshing itself is not someone using it
    return render(
        "staff/arrivals/index.html",
        block="arrivals",
        clinicians=arrivals.todays_list(current_actor().practice_id),
        action_form=ActionForm(),
        late_form=RunningLateForm(),
        today=local_today(),
        refreshed_at=utcnow(),
        refresh_seconds=REFRESH_SECONDS,
    )


@bp.post("/<int:appointment_id>/<any(arrive, undo):change>")
@staff_required(*DESK)
def change(appointment_id: int, change: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        appointment = arrivals.change_status(current_actor(), appointment_id, change)
    except Appointment.DoesNotExist:
        abort(404)
    except DomainError as e:
        flash(e.message, "error")
    else:
        name = appointment.patient.full_name
        flash(f"{name} marked as arrived" if change == "arrive" else f"Arrival undone for {name}")
    return redirect(url_for(".index", _anchor=f"appointment-{appointment_id}"), 303)


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
