"""My patients today: a signed-in clinician's own list, where they call arrived patients in by ticket number and move
them on. Only their own appointments: another clinician's is not found."""

from flask import Blueprint, abort, flash, redirect, request, url_for

from kiosk.access import current_actor, staff_required
from kiosk.clock import local_today, utcnow
from kiosk.forms import ActionForm
from kiosk.models import Appointment
from kiosk.rendering import render
from kiosk.roles import OWN_LIST
from kiosk.services import DomainError, arrivals, calling
from kiosk.sessions import mark_passive

bp = Blueprint("my_patients", __name__, url_prefix="/my-patients")
REFRESH_SECONDS = 5
DONE = {"start": "{name} is in consultation", "seen": "{name} marked as seen"}


@bp.get("/")
@staff_required(*OWN_LIST)
def index():
    if request.args.get("auto"):
        mark_passive()  # the list refreshing itself is not someone using it
    actor = current_actor()
    return render(
        "staff/my_patients/index.html",
        block="patients",
        patients=arrivals.my_patients_today(actor),
        linked=arrivals.own_clinician_id(actor) is not None,
        action_form=ActionForm(),
        today=local_today(),
        refreshed_at=utcnow(),
        refresh_seconds=REFRESH_SECONDS,
    )


def _back(appointment_id: int):
    return redirect(url_for(".index", _anchor=f"appointment-{appointment_id}"), 303)


@bp.post("/<int:appointment_id>/call")
@staff_required(*OWN_LIST)
def call(appointment_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    actor = current_actor()
    try:
        appointment = arrivals.own_appointment(actor, appointment_id)
        called = calling.call_in(actor, appointment.id)
    except Appointment.DoesNotExist:
        abort(404)
    except DomainError as e:
        flash(e.message, "error")
    else:
        flash(f"Called {appointment.patient.full_name}: number {called.number} to {called.room}")
    return _back(appointment_id)


@bp.post("/<int:appointment_id>/<any(start, seen):change>")
@staff_required(*OWN_LIST)
def progress(appointment_id: int, change: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    actor = current_actor()
    try:
        arrivals.own_appointment(actor, appointment_id)
        appointment = arrivals.change_status(actor, appointment_id, change)
    except Appointment.DoesNotExist:
        abort(404)
    except DomainError as e:
        flash(e.message, "error")
    else:
        flash(DONE[change].format(name=appointment.patient.full_name))
    return _back(appointment_id)
