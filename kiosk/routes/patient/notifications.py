"""A patient's or proxy's own contact details and their choice of texts and emails."""

from flask import Blueprint, flash, g, redirect, request, url_for

from kiosk.access import current_actor, patient_required
from kiosk.forms.base import attach_error
from kiosk.forms.notifications import OwnChoicesForm
from kiosk.rendering import render, render_form_errors
from kiosk.services import DomainError, notifications

bp = Blueprint("notifications", __name__)
PAGE = "patient/notifications/choices.html"


@bp.route("/contact-and-notifications", methods=["GET", "POST"])
@patient_required()
def choices():
    form = OwnChoicesForm()
    if request.method == "GET":
        form.fill(notifications.preference_for_account(g.account))
    if form.validate_on_submit():
        try:
            notifications.save_own(
                current_actor(),
                g.account.id,
                mobile=form.mobile.data or "",
                email=form.email.data or "",
                choices=form.choices(),
                password=form.password.data or "",
            )
        except DomainError as e:
            attach_error(form, e)
            form.password.data = ""
            return render_form_errors(PAGE, form)
        flash("Your contact details and choices are saved")
        return redirect(url_for(".choices"), 303)
    if form.is_submitted():
        return render_form_errors(PAGE, form)
    return render(PAGE, form=form)
