"""Reception's patient list: add and correct patients, record leaving or death, import a practice list."""

from flask import Blueprint, Response, abort, flash, redirect, url_for

from kiosk.access import current_actor, in_practice_or_404, staff_required
from kiosk.forms.patients import ImportCommitForm, ImportForm, LeaveForm, PatientForm
from kiosk.models import Patient, PatientImport
from kiosk.rendering import render, render_form_errors
from kiosk.request_guards import accepts_uploads
from kiosk.roles import DESK
from kiosk.services import DomainError, patient_import, patient_list

bp = Blueprint("patient_list", __name__, url_prefix="/patients")
REJECTED_SHOWN = 50  # rows listed on the preview page; the rest are counted, so the page stays small


def _details(form: PatientForm) -> patient_list.PatientDetails:
    return patient_list.PatientDetails(
        title=form.title.data or "",
        given_name=form.given_name.data,
        family_name=form.family_name.data,
        date_of_birth=form.value,
        sex=form.sex.data,
        nhs_number=form.nhs_number.data,
        address=form.address.data or "",
        postcode=form.postcode.data or "",
        mobile=form.mobile.data or "",
        email=form.email.data or "",
        nominated_pharmacy=form.nominated_pharmacy.data or "",
    )


def _refused(form, error: DomainError) -> None:
    (getattr(form, error.field).errors.append(error.message) if error.field else form.form_errors.append(error.message))


@bp.route("/new", methods=["GET", "POST"])
@staff_required(*DESK)
def new_patient():
    form = PatientForm()
    if form.validate_on_submit():
        try:
            patient = patient_list.add_patient(current_actor(), _details(form))
        except DomainError as e:
            _refused(form, e)
            return render_form_errors("staff/patient_list/new.html", form)
        flash(f"{patient.full_name} is on the practice list")
        return redirect(url_for("staff.patients.patient", patient_id=patient.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/patient_list/new.html", form)
    return render("staff/patient_list/new.html", form=form)


@bp.route("/<int:patient_id>/edit", methods=["GET", "POST"])
@staff_required(*DESK)
def edit_patient(patient_id: int):
    patient = in_practice_or_404(Patient, patient_id)
    form = PatientForm()
    if form.validate_on_submit():
        try:
            patient_list.update_patient(current_actor(), patient.id, _details(form))
        except DomainError as e:
            _refused(form, e)
            return render_form_errors("staff/patient_list/edit.html", form, patient=patient)
        flash("Details saved")
        return redirect(url_for("staff.patients.patient", patient_id=patient.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/patient_list/edit.html", form, patient=patient)
    form.fill_from(patient)
    return render("staff/patient_list/edit.html", form=form, patient=patient)


@bp.route("/<int:patient_id>/leave", methods=["GET", "POST"])
@staff_required(*DESK)
def leave(patient_id: int):
    patient = in_practice_or_404(Patient, patient_id)
    if patient.has_left:
        return redirect(url_for(".left", patient_id=patient.id), 303)
    form = LeaveForm()
    if form.validate_on_submit():
        try:
            patient_list.mark_left(current_actor(), patient.id, form.reason.data, form.value)
        except DomainError as e:
            _refused(form, e)
            return render_form_errors("staff/patient_list/leave.html", form, patient=patient)
        return redirect(url_for(".left", patient_id=patient.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/patient_list/leave.html", form, patient=patient)
    return render("staff/patient_list/leave.html", form=form, patient=patient)


@bp.get("/<int:patient_id>/left")
@staff_required(*DESK)
def left(patient_id: int):
    patient = in_practice_or_404(Patient, patient_id)
    if not patient.has_left:
        abort(404)
    cancelled = patient_list.cancelled_on_leaving(patient.practice_id, patient.id)
    return render("staff/patient_list/left.html", patient=patient, cancelled=cancelled)


# Importing a practice list


@bp.route("/import", methods=["GET", "POST"])
@accepts_uploads("file")
@staff_required(*DESK)
def import_upload():
    form = ImportForm()
    context = {"columns": patient_import.COLUMNS, "max_mb": patient_import.MAX_BYTES // 1024 // 1024}
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read()  # MAX_CONTENT_LENGTH has bounded the request before any of it was read
        try:
            staged, _plan = patient_import.stage(current_actor(), upload.filename, data)
        except DomainError as e:
            form.file.errors.append(e.message)
            return render_form_errors("staff/patient_list/import.html", form, **context)
        return redirect(url_for(".import_preview", import_id=staged.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/patient_list/import.html", form, **context)
    return render("staff/patient_list/import.html", form=form, **context)


@bp.route("/import/<int:import_id>", methods=["GET", "POST"])
@staff_required(*DESK)
def import_preview(import_id: int):
    staged = in_practice_or_404(PatientImport, import_id)
    form = ImportCommitForm()
    if form.validate_on_submit():
        try:
            patient_import.commit(current_actor(), staged.id, form.digest.data)
        except DomainError as e:
            form.form_errors.append(e.message)
        else:
            return redirect(url_for(".import_preview", import_id=staged.id), 303)
    elif form.is_submitted():
        # The digest is a hidden field: its fault is said once for the whole form, not linked to a box nobody sees.
        form.digest.errors = []
        form.form_errors.append("Nothing was imported. Upload the file again.")
    staged = patient_import.staged(staged.practice_id, staged.id)
    if staged.committed_at is not None:
        return render("staff/patient_list/import_done.html", staged=staged)
    plan = patient_import.staged_preview(staged)
    form.digest.data = staged.digest
    template = "staff/patient_list/import_preview.html"
    context = {"staged": staged, "plan": plan, "shown": plan.rejected[:REJECTED_SHOWN]}
    if form.form_errors:
        return render_form_errors(template, form, **context)
    return render(template, form=form, **context)


def _csv_download(text: str, filename: str) -> Response:
    # A BOM, so that Excel reads the file as UTF-8 when it is opened with a double click.
    response = Response("\ufeff" + text, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.get("/import/template.csv")
@staff_required(*DESK)
def import_template():
    return _csv_download(patient_import.template_csv(), "practice-list-template.csv")


@bp.get("/import/example.csv")
@staff_required(*DESK)
def import_example():
    return _csv_download(patient_import.example_csv(), "practice-list-example.csv")
