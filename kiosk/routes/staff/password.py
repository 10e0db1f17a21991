"""Any member of staff changes their own password; after a manager's reset, nothing else is open until they have."""

from flask import Blueprint, flash, g, redirect, session, url_for

from kiosk.access import current_actor, guess_limits, staff_required
from kiosk.forms.base import attach_error
from kiosk.forms.staff import ChangePasswordForm
from kiosk.rendering import render, render_form_errors
from kiosk.services import DomainError, staff_accounts

bp = Blueprint("password", __name__, url_prefix="/password")


@bp.route("/", methods=["GET", "POST"])
@staff_required()
def change():
    form = ChangePasswordForm()
    forced = g.staff.must_change_password
    if form.validate_on_submit():
        try:
            staff = staff_accounts.change_own_password(
                current_actor(), form.current_password.data, form.password.data, guess_limits()
            )
        except DomainError as e:
            attach_error(form, e)
            return render_form_errors("staff/password/change.html", form, forced=forced)
        # Every session of theirs has ended, this one too: carry on signed in under a new session id.
        session.clear()
        session.regenerate()
        session["staff_id"] = staff.id
        flash("Your password has been changed")
        return redirect(url_for("staff.auth.dashboard"), 303)
    if form.is_submitted():
        return render_form_errors("staff/password/change.html", form, forced=forced)
    return render("staff/password/change.html", form=form, forced=forced)
