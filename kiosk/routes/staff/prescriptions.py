"""Clinicians deciding prescription requests; reception marking them ready or sent; keeping repeat lists."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for

from kiosk.access import current_actor, in_practice_or_404, staff_required
from kiosk.clock import utcnow
from kiosk.forms import ActionForm
from kiosk.forms.fields import parse_date_text
from kiosk.forms.prescriptions import FULFIL_CHOICES, ITEM_DECISIONS, MedicineForm, StopMedicineForm
from kiosk.models import Medicine, Patient, PrescriptionRequest, RequestItem
from kiosk.rendering import render, render_form_errors
from kiosk.roles import DECIDERS, DESK, PRESCRIBERS
from kiosk.services import DomainError, audit, prescriptions

bp = Blueprint("prescriptions", __name__)


@bp.get("/prescriptions/")
@staff_required()
def queue():
    practice_id = current_actor().practice_id
    return render(
        "staff/prescriptions/queue.html",
        waiting=prescriptions.queue(practice_id),
        to_fulfil=prescriptions.ready_to_fulfil(practice_id),
        now=utcnow(),
    )


def _review_context(req: PrescriptionRequest) -> dict:
    return {
        "req": req,
        "items": list(req.items.join(Medicine).order_by(Medicine.name)),
        "medicines": prescriptions.current_medicines(req.practice_id, req.patient_id),
        "item_decisions": ITEM_DECISIONS,
        "fulfil_choices": FULFIL_CHOICES,
        "action_form": ActionForm(),
    }


@bp.get("/prescriptions/<int:request_id>")
@staff_required()
def review(request_id: int):
    req = in_practice_or_404(PrescriptionRequest, request_id)
    audit.viewed(current_actor(), "prescription.view_request", patient_id=req.patient_id, obj=req)
    return render("staff/prescriptions/review.html", errors={}, **_review_context(req))


@bp.post("/prescriptions/<int:request_id>")
@staff_required(*DECIDERS)
def decide(request_id: int):
    req = in_practice_or_404(PrescriptionRequest, request_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    decisions, errors = [], {}
    for item in req.items.where(RequestItem.status == "requested"):
        choice = request.form.get(f"decision-{item.id}")
        reason = request.form.get(f"reason-{item.id}", "")[:500]
        if choice not in ITEM_DECISIONS:
            errors[f"decision-{item.id}"] = f"Choose approve or reject for {item.medicine.name}"
        elif choice == "reject" and not reason.strip():
            errors[f"reason-{item.id}"] = "Give a reason the patient will read"
        else:
            decisions.append(prescriptions.ItemDecision(item.id, choice == "approve", reason))
    if not errors:
        try:
            prescriptions.decide(current_actor(), req.id, decisions)
        except DomainError as e:
            errors[e.field or "form"] = e.message
    if errors:
        return render("staff/prescriptions/review.html", errors=errors, has_errors=True, **_review_context(req))
    flash("Decision saved. The patient can see it now.")
    return redirect(url_for(".queue"), 303)


@bp.post("/prescriptions/<int:request_id>/fulfil")
@staff_required(*DESK)
def fulfil(request_id: int):
    req = in_practice_or_404(PrescriptionRequest, request_id)
    how = request.form.get("how")
    if how not in FULFIL_CHOICES:
        flash("Choose “Ready to collect” or “Sent to the pharmacy”", "error")
        return redirect(url_for(".review", request_id=req.id), 303)
    try:
        prescriptions.fulfil(current_actor(), req.id, how)
    except DomainError as e:
        flash(e.message, "error")
        return redirect(url_for(".review", request_id=req.id), 303)
    flash("Request updated")
    return redirect(url_for(".queue"), 303)


def _parse_date(text: str | None) -> date | None:
    if not text or not text.strip():
        return None
    value = parse_date_text(text)
    if value is None:
        raise ValueError(text)
    return value


def _details(form: MedicineForm) -> prescriptions.MedicineDetails | None:
    # The dates and ranges are checked even when another field is wrong, so every mistake shows in one round.
    valid = form.validate_on_submit()
    dates = {}
    for field in (form.review_on, form.last_issued_on):
        try:
            dates[field.name] = _parse_date(field.data)
        except ValueError:
            field.errors.append("Enter a real date like 31/01/2027")
    if not valid or any(f.errors for f in form):
        return None
    return prescriptions.MedicineDetails(
        form.name.data.strip(),
        (form.strength.data or "").strip(),
        form.dose.data.strip(),
        form.quantity.data.strip(),
        form.kind.data,
        form.interval_days.data,
        form.issues_left.data,
        dates["review_on"],
        dates["last_issued_on"],
    )


def _medicines_context(patient: Patient, form: MedicineForm) -> dict:
    rows = prescriptions.current_medicines(patient.practice_id, patient.id)
    return {"patient": patient, "rows": rows, "form": form, "stop_form": StopMedicineForm()}


@bp.get("/patients/<int:patient_id>/medicines")
@staff_required()
def medicines(patient_id: int):
    patient = in_practice_or_404(Patient, patient_id)
    audit.viewed(current_actor(), "medicine.view_list", patient_id=patient.id)
    return render("staff/prescriptions/medicines.html", **_medicines_context(patient, MedicineForm()))


@bp.post("/patients/<int:patient_id>/medicines")
@staff_required(*PRESCRIBERS)
def add_medicine(patient_id: int):
    patient = in_practice_or_404(Patient, patient_id)
    form = MedicineForm()
    details = _details(form)
    if details is None:
        return render_form_errors("staff/prescriptions/medicines.html", **_medicines_context(patient, form))
    prescriptions.add_medicine(current_actor(), patient.id, details)
    flash(f"{details.name} added")
    return redirect(url_for(".medicines", patient_id=patient.id), 303)


@bp.route("/medicines/<int:medicine_id>", methods=["GET", "POST"])
@staff_required(*PRESCRIBERS)
def edit_medicine(medicine_id: int):
    medicine = in_practice_or_404(Medicine, medicine_id)
    form = MedicineForm(obj=medicine) if request.method == "GET" else MedicineForm()
    if request.method == "GET":
        form.review_on.data = medicine.review_on.strftime("%d/%m/%Y") if medicine.review_on else ""
        form.last_issued_on.data = medicine.last_issued_on.strftime("%d/%m/%Y") if medicine.last_issued_on else ""
        return render("staff/prescriptions/medicine_edit.html", form=form, medicine=medicine)
    details = _details(form)
    if details is None:
        return render_form_errors("staff/prescriptions/medicine_edit.html", form, medicine=medicine)
    prescriptions.change_medicine(current_actor(), medicine.id, details)
    flash(f"{details.name} updated")
    return redirect(url_for(".medicines", patient_id=medicine.patient_id), 303)


@bp.post("/medicines/<int:medicine_id>/stop")
@staff_required(*PRESCRIBERS)
def stop_medicine(medicine_id: int):
    form = StopMedicineForm()
    medicine = in_practice_or_404(Medicine, medicine_id)
    if not form.validate_on_submit():
        flash("Enter the reason for stopping the medicine", "error")
        return redirect(url_for(".medicines", patient_id=medicine.patient_id), 303)
    prescriptions.stop_medicine(current_actor(), medicine.id, form.reason.data)
    flash(f"{medicine.name} stopped")
    return redirect(url_for(".medicines", patient_id=medicine.patient_id), 303)
