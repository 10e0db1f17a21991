"""Reception: a patient's choice of texts and emails, recorded at the desk, and the messages that were not delivered."""

from flask import Blueprint, flash, redirect, request, url_for

from kiosk.access import current_actor, in_practice_or_404, staff_required
from kiosk.forms.base import attach_error
from kiosk.forms.notifications import DeskChoicesForm
from kiosk.models import OnlineAccount, Patient
from kiosk.rendering import render, render_form_errors
from kiosk.roles import DESK
from kiosk.services import DomainError, notifications

bp = Blueprint("notifications", __name__)
PAGE = "staff/notifications/choices.html"


@bp.route("/patients/<int:patient_id>/notifications", methods=["GET", "POST"])
@staff_required(*DESK)
def choices(patient_id: int):
    patient = in_practice_or_404(Patient, patient_id)
    account = OnlineAccount.get_or_none(OnlineAccount.patient == patient.id)
    form = DeskChoicesForm()
    if request.method == "GET":
        pref = (
            notifications.preference_for_account(account)
            if account
            else notifications.preference_for_patient(patient.practice_id, patient.id)
        )
        form.fill(pref)
    context = {"patient": patient, "has_account": account is not None}
    if form.validate_on_submit():
        try:
            notifications.save_at_desk(
                current_actor(),
                patient.id,
                mobile=form.mobile.data or "",
                email=form.email.data or "",
                choices=form.choices(),
                consent=bool(form.consent.data),
            )
        except DomainError as e:
            attach_error(form, e)
            return render_form_errors(PAGE, form, **context)
        flash("Text and email choices saved")
        return redirect(url_for("staff.patients.patient", patient_id=patient.id), 303)
    if form.is_submitted():
        return render_form_errors(PAGE, form, **context)
    return render(PAGE, form=form, **context)


@bp.get("/messages-not-delivered")
@staff_required()
def undelivered():
    return render("staff/notifications/undelivered.html", rows=notifications.undelivered(current_actor().practice_id))
