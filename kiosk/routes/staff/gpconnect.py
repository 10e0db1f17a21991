"""Staff: importing a patient's GP Connect structured record from a file, and the report of each import."""

from flask import Blueprint, abort, redirect, url_for

from kiosk.access import current_actor, in_practice_or_404, staff_required
from kiosk.forms.record import BundleUploadForm
from kiosk.models import Patient
from kiosk.rendering import render, render_form_errors
from kiosk.request_guards import accepts_uploads
from kiosk.roles import CLINICAL
from kiosk.services import DomainError, audit
from kiosk.services import gpconnect_import as gpconnect

bp = Blueprint("gpconnect", __name__)
# The service refuses a file over 20 MB with its own message; the request may be a little larger for the form.
REQUEST_LIMIT = gpconnect.MAX_BYTES + 1024 * 1024


@bp.route("/patients/<int:patient_id>/record/import", methods=["GET", "POST"])
@accepts_uploads("bundle", max_bytes=REQUEST_LIMIT)
@staff_required(*CLINICAL)
def upload(patient_id: int):
    patient = in_practice_or_404(Patient, patient_id)
    form = BundleUploadForm()
    if form.validate_on_submit():
        data = form.bundle.data.stream.read(gpconnect.MAX_BYTES + 1)  # one byte past the limit tells it is too big
        try:
            done = gpconnect.staff_import(current_actor(), patient.id, data)
        except DomainError as e:
            form.bundle.errors.append(e.message)
            return render_form_errors("staff/gpconnect/upload.html", form, patient=patient)
        return redirect(url_for(".report", patient_id=patient.id, event_id=done.event_id), 303)
    if form.is_submitted():
        return render_form_errors("staff/gpconnect/upload.html", form, patient=patient)
    return render("staff/gpconnect/upload.html", form=form, patient=patient)


@bp.get("/patients/<int:patient_id>/record/imports/<int:event_id>")
@staff_required(*CLINICAL)
def report(patient_id: int, event_id: int):
    patient = in_practice_or_404(Patient, patient_id)
    record = gpconnect.import_record(patient.practice_id, patient.id, event_id)
    if record is None:
        abort(404)
    audit.viewed(current_actor(), "gpconnect.view_report", patient_id=patient.id, detail=f"import {event_id}")
    return render(
        "staff/gpconnect/report.html",
        patient=patient,
        record=record,
        rows=gpconnect.report_rows(record),
        outcomes=gpconnect.OUTCOMES,
    )
