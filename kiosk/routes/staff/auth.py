from flask import Blueprint, g, redirect, request, session, url_for

from kiosk.access import current_actor, guess_limits, public, staff_required
from kiosk.forms import ActionForm
from kiosk.forms.staff import SignInForm
from kiosk.rendering import render, render_form_errors
from kiosk.request_guards import same_site_path
from kiosk.services import DomainError, staff_auth

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        try:
            staff = staff_auth.authenticate(current_actor(), form.email.data, form.password.data, guess_limits())
        except DomainError as e:
            form.form_errors.append(e.message)
            form.password.data = ""
            return render_form_errors("staff/auth/sign_in.html", form)
        session.clear()
        session.regenerate()
        session["staff_id"] = staff.id
        return redirect(same_site_path(request.args.get("next"), url_for("staff.auth.dashboard")), 303)
    if form.is_submitted():
        return render_form_errors("staff/auth/sign_in.html", form)
    return render("staff/auth/sign_in.html", form=form)


@bp.post("/sign-out")
@staff_required()
def sign_out():
    staff_auth.sign_out(current_actor())
    session.clear()
    g.staff = None
    return redirect(url_for("staff.auth.sign_in", signed_out=1), 303)


@bp.get("/")
@staff_required()
def dashboard():
    return render("staff/auth/dashboard.html", action_form=ActionForm())
