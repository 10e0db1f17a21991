"""A manager's list of clinicians: add, edit, deactivate (after seeing what is booked) and reactivate."""

from flask import Blueprint, abort, flash, redirect, url_for

from kiosk.access import current_actor, staff_required
from kiosk.forms import ActionForm
from kiosk.forms.base import attach_error
from kiosk.forms.rota import ClinicianForm
from kiosk.models import SLOT_KINDS, Clinician
from kiosk.rendering import render, render_form_errors
from kiosk.roles import MANAGERS
from kiosk.services import DomainError, clinicians

bp = Blueprint("clinicians", __name__, url_prefix="/clinicians")


@bp.context_processor
def _labels():
    return {"kinds": SLOT_KINDS}


def _deactivation(clinician_id: int) -> clinicians.Deactivation:
    try:
        return clinicians.deactivation(current_actor().practice_id, clinician_id)
    except Clinician.DoesNotExist:
        abort(404)


@bp.get("/")
@staff_required(*MANAGERS)
def index():
    return render("staff/clinicians/index.html", rows=clinicians.listing(current_actor().practice_id))


def _save(form: ClinicianForm, clinician: Clinician | None):
    values = {k: getattr(form, k).data or "" for k in ("display_name", "staff_name", "profession", "room")}
    try:
        if clinician is None:
            return clinicians.add(current_actor(), **values)
        return clinicians.edit(current_actor(), clinician.id, **values)
    except DomainError as e:
        attach_error(form, e)
        return None


@bp.route("/new", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def new():
    form = ClinicianForm()
    if form.validate_on_submit() and (saved := _save(form, None)):
        flash(f"{saved.display_name} added. Give them a rota to put them in the diary.")
        return redirect(url_for(".index"), 303)
    if form.is_submitted():
        return render_form_errors("staff/clinicians/form.html", form, clinician=None)
    return render("staff/clinicians/form.html", form=form, clinician=None)


@bp.route("/<int:clinician_id>/edit", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def edit(clinician_id: int):
    clinician = _deactivation(clinician_id).clinician
    form = ClinicianForm(obj=clinician)
    if form.validate_on_submit() and (saved := _save(form, clinician)):
        flash(f"{saved.display_name} saved")
        return redirect(url_for(".index"), 303)
    if form.is_submitted():
        return render_form_errors("staff/clinicians/form.html", form, clinician=clinician)
    return render("staff/clinicians/form.html", form=form, clinician=clinician)


@bp.route("/<int:clinician_id>/deactivate", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def deactivate(clinician_id: int):
    """Before: what deactivating does and the bookings to move. After: the same page keeps listing what is left."""
    found = _deactivation(clinician_id)
    form = ActionForm()
    if form.is_submitted():
        if not form.validate():
            abort(400)
        try:
            done = clinicians.deactivate(current_actor(), found.clinician.id)
        except DomainError as e:
            flash(e.message, "error")
        else:
            flash(
                f"{done.clinician.display_name} deactivated; {done.free_slots} free slot"
                f"{'' if done.free_slots == 1 else 's'} removed from the diary"
            )
        return redirect(url_for(".deactivate", clinician_id=found.clinician.id), 303)
    return render("staff/clinicians/deactivate.html", found=found, action_form=form)


@bp.post("/<int:clinician_id>/reactivate")
@staff_required(*MANAGERS)
def reactivate(clinician_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        clinician = clinicians.reactivate(current_actor(), clinician_id)
    except Clinician.DoesNotExist:
        abort(404)
    flash(f"{clinician.display_name} is active again. Generate the diary to give them slots from their rota.")
    return redirect(url_for(".index"), 303)
