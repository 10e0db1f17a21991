"""Patients and proxies: register with the letter, sign in, sign out, home, and switching person."""

from flask import Blueprint, abort, g, redirect, request, session, url_for

from kiosk import i18n
from kiosk.access import current_actor, guess_limits, patient_required, public
from kiosk.forms.base import translated
from kiosk.forms.online import ActingForForm, ChoosePasswordForm, PatientSignInForm, RegisterForm
from kiosk.rendering import render, render_form_errors
from kiosk.request_guards import same_site_path
from kiosk.services import DomainError, patient_auth, patient_home

bp = Blueprint("patient_auth", __name__)
REGISTERING = "registering"


def _start_session(account) -> None:
    kiosk_choice = session.get(i18n.KIOSK_KEY)  # at the kiosk, the language chosen there lasts while it is in use
    session.clear()
    session.regenerate()
    session["account_id"] = account.id
    if kiosk_choice:
        session[i18n.KIOSK_KEY] = kiosk_choice
    if g.get("kiosk") is not None:
        session["on_kiosk"] = True


@bp.route("/register", methods=["GET", "POST"])
@public
def register():
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            key = patient_auth.check_letter(
                current_actor(), form.account_id.data, form.linkage_key.data, form.value, guess_limits()
            )
        except DomainError as e:
            form.form_errors.append(translated(e.message))
            return render_form_errors("patient/auth/register.html", form)
        session[REGISTERING] = key.id
        return redirect(url_for(".choose_password"), 303)
    if form.is_submitted():
        return render_form_errors("patient/auth/register.html", form)
    return render("patient/auth/register.html", form=form)


@bp.route("/register/password", methods=["GET", "POST"])
@public
def choose_password():
    key_id = session.get(REGISTERING)
    if key_id is None:
        return redirect(url_for(".register"), 303)
    form = ChoosePasswordForm()
    if form.validate_on_submit():
        try:
            account = patient_auth.complete_registration(current_actor(), key_id, form.password.data)
        except DomainError as e:
            if e.field is None:
                session.pop(REGISTERING, None)
                form.form_errors.append(translated(e.message))
            else:
                form.password.errors.append(translated(e.message))
            return render_form_errors("patient/auth/choose_password.html", form)
        _start_session(account)
        return redirect(url_for(".home"), 303)
    if form.is_submitted():
        return render_form_errors("patient/auth/choose_password.html", form)
    return render("patient/auth/choose_password.html", form=form)


@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    form = PatientSignInForm()
    if form.validate_on_submit():
        try:
            account = patient_auth.authenticate(
                current_actor(), form.account_id.data, form.password.data, guess_limits()
            )
        except DomainError as e:
            form.form_errors.append(translated(e.message))
            form.password.data = ""
            return render_form_errors("patient/auth/sign_in.html", form)
        _start_session(account)
        return redirect(same_site_path(request.args.get("next"), url_for(".home")), 303)
    if form.is_submitted():
        return render_form_errors("patient/auth/sign_in.html", form)
    return render("patient/auth/sign_in.html", form=form)


@bp.post("/sign-out")
@patient_required()
def sign_out():
    patient_auth.sign_out(current_actor())
    on_kiosk = g.get("kiosk") is not None
    session.clear()
    response = redirect(url_for("checkin.start" if on_kiosk else ".sign_in", signed_out=1), 303)
    # Nothing of this person's stays in the browser: cached pages and stored data go (the kiosk cookie stays).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.get("/home")
@patient_required()
def home():
    found = patient_home.waiting(current_actor(), g.account, g.scope) if g.scope else None
    return render("patient/home.html", switch_form=ActingForForm(), waiting=found)


@bp.post("/acting-for")
@patient_required()
def acting_for():
    form = ActingForForm()
    if not form.validate_on_submit():
        abort(400)
    if not any(s.patient.id == form.patient.data for s in g.scopes):
        abort(404)
    session["acting_for"] = form.patient.data
    return redirect(url_for(".home"), 303)
