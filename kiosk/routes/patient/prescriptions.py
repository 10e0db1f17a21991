"""Patients and proxies ordering repeat medicines, and following their requests."""

from flask import Blueprint, abort, g, redirect, request, url_for

from kiosk.access import current_actor, patient_required
from kiosk.forms.prescriptions import ConfirmOrderForm, OrderForm
from kiosk.models import PrescriptionRequest
from kiosk.rendering import render, render_form_errors
from kiosk.services import DomainError, audit, prescriptions

bp = Blueprint("prescriptions", __name__, url_prefix="/prescriptions")


def _list_context():
    practice = g.account.practice
    rows = prescriptions.orderable(practice, g.scope.patient.id)
    return {"rows": rows, "practice": practice, "patient": g.scope.patient}


def _order_form(rows, formdata=None) -> OrderForm:
    form = OrderForm(formdata)
    form.medicine.choices = [(r.medicine.id, r.medicine.name) for r in rows if r.can_order]
    return form


@bp.get("/")
@patient_required("prescriptions")
def index():
    context = _list_context()
    audit.viewed(current_actor(), "prescription.view_list", patient_id=g.scope.patient.id)
    # "Change your order" on the check page comes back here with the ticks and note in the address: keep them.
    form = _order_form(context["rows"], request.args or None)
    return render("patient/prescriptions/index.html", form=form, **context)


@bp.get("/check")
@patient_required("prescriptions")
def check():
    context = _list_context()
    if not context["rows"]:
        return redirect(url_for(".index"), 303)  # nothing on the repeat list: the list page says so
    form = _order_form(context["rows"], request.args)
    if not form.validate():
        return render_form_errors("patient/prescriptions/index.html", form, **context)
    chosen = [r.medicine for r in context["rows"] if r.medicine.id in form.medicine.data]
    confirm = ConfirmOrderForm(
        formdata=None, medicine=form.medicine.data, note=form.note.data or "", token=prescriptions.new_token()
    )
    return render(
        "patient/prescriptions/check.html", chosen=chosen, note=form.note.data or "", confirm=confirm, **context
    )


@bp.post("/requests")
@patient_required("prescriptions")
def place():
    form = ConfirmOrderForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        placed = prescriptions.order(
            current_actor(), g.scope.patient.id, form.medicine.data, note=form.note.data or "", token=form.token.data
        )
    except DomainError as e:
        context = _list_context()
        order_form = _order_form(context["rows"])
        order_form.medicine.errors = [e.message]
        return render_form_errors("patient/prescriptions/index.html", order_form, **context)
    return redirect(url_for(".receipt", request_id=placed.id), 303)


@bp.get("/requests")
@patient_required("prescriptions")
def requests():
    rows = prescriptions.requests_for(g.account.practice_id, g.scope.patient.id)
    audit.viewed(current_actor(), "prescription.view_requests", patient_id=g.scope.patient.id)
    return render("patient/prescriptions/requests.html", requests=rows)


@bp.get("/requests/<int:request_id>")
@patient_required("prescriptions")
def receipt(request_id: int):
    found = (
        PrescriptionRequest.for_practice(g.account.practice_id)
        .where((PrescriptionRequest.id == request_id) & (PrescriptionRequest.patient == g.scope.patient.id))
        .first()
    )
    if found is None:
        abort(404)
    audit.viewed(current_actor(), "prescription.view_request", patient_id=g.scope.patient.id, obj=found)
    return render("patient/prescriptions/request.html", req=found)
