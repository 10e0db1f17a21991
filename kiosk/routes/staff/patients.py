"""Reception: find a patient, verify identity, switch services on, print the letter, suspend, proxies."""

import hashlib
import hmac
import secrets
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, request, session, url_for

from kiosk.access import current_actor, in_practice_or_404, staff_required
from kiosk.forms import ActionForm
from kiosk.forms.base import attach_error
from kiosk.forms.fields import three_box_date
from kiosk.forms.online import (
    EndProxyForm,
    IdentityForm,
    PatientSearchForm,
    PersonForm,
    ProxyForm,
    ServicesForm,
    SuspendForm,
)
from kiosk.models import RECORD_LEVELS, OnlineAccount, Patient, ProxyLink
from kiosk.rendering import render, render_form_errors
from kiosk.roles import DESK
from kiosk.services import DomainError, notifications, online_access, proxies

bp = Blueprint("patients", __name__)
LETTER = "letter"


def _letter_pad(nonce: str) -> bytes:
    return hmac.new(str(current_app.secret_key).encode(), f"letter {nonce}".encode(), hashlib.sha256).digest()


def _seal(key: str, nonce: str) -> str:
    """The key masked with a pad only the app's secret can make: session rows live in the database, and R2 allows
    the database only the key's hash."""
    return bytes(a ^ b for a, b in zip(key.encode(), _letter_pad(nonce), strict=False)).hex()


def _unseal(sealed: str, nonce: str) -> str:
    return bytes(a ^ b for a, b in zip(bytes.fromhex(sealed), _letter_pad(nonce), strict=False)).decode()


def _back_to(account: OnlineAccount):
    if account.patient_id:
        return redirect(url_for(".patient", patient_id=account.patient_id), 303)
    return redirect(url_for(".account", account_id=account.id), 303)


@bp.get("/patients/")
@staff_required()
def patients():
    form = PatientSearchForm(request.args)
    # A search too long to run shows its message and no results, instead of a query the database cannot parse.
    usable = form.validate()
    found = (
        online_access.search_patients(current_actor(), form.q.data or "", form.page.data or 1)
        if usable
        else online_access.PatientPage([], 0, 1, 1)
    )
    return render(
        "staff/patients/search.html",
        block="results",
        form=form,
        results=found.results,
        found=found,
        searched=usable and bool(form.q.data),
        has_errors=not usable,
    )


@bp.get("/patients/<int:patient_id>")
@staff_required()
def patient(patient_id: int):
    try:
        page = online_access.patient_overview(current_actor(), patient_id)
    except Patient.DoesNotExist:
        abort(404)
    return render(
        "staff/patients/patient.html",
        patient=page.patient,
        account=page.account,
        links=page.proxies,
        check=page.identity_check,
        letter_note=page.letter_note,
        letter_issued=page.letter_issued,
        blocked=page.record_blocked,
        levels=RECORD_LEVELS,
        action_form=ActionForm(),
        end_form=EndProxyForm(),
        undelivered=notifications.undelivered(current_actor().practice_id, patient_id),
    )


@bp.post("/patients/<int:patient_id>/online-access")
@staff_required(*DESK)
def start(patient_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        account = online_access.start_for_patient(current_actor(), patient_id)
    except Patient.DoesNotExist:
        abort(404)
    except DomainError as e:
        flash(e.message, "error")
        return redirect(url_for(".patient", patient_id=patient_id), 303)
    return redirect(url_for(".identity", account_id=account.id), 303)


@bp.get("/online-accounts/<int:account_id>")
@staff_required()
def account(account_id: int):
    a = in_practice_or_404(OnlineAccount, account_id)
    if a.patient_id:
        return redirect(url_for(".patient", patient_id=a.patient_id), 303)
    links = ProxyLink.select(ProxyLink, Patient).join(Patient).where(ProxyLink.proxy == a.id)
    return render(
        "staff/patients/online_account.html",
        account=a,
        links=links,
        levels=RECORD_LEVELS,
        check=online_access.latest_identity_check(a),
        letter_note=online_access.letter_note(a),
        action_form=ActionForm(),
    )


@bp.route("/online-accounts/new", methods=["GET", "POST"])
@staff_required(*DESK)
def new_person():
    form = PersonForm()
    if form.validate_on_submit():
        a = online_access.create_for_person(
            current_actor(),
            given_name=form.given_name.data,
            family_name=form.family_name.data,
            date_of_birth=form.value,
            method=form.method.data,
            evidence=form.evidence.data,
        )
        flash(f"Online account created for {a.full_name}. Issue their registration letter.")
        return redirect(url_for(".account", account_id=a.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/patients/online_account_new.html", form)
    return render("staff/patients/online_account_new.html", form=form)


@bp.route("/online-accounts/<int:account_id>/identity", methods=["GET", "POST"])
@staff_required(*DESK)
def identity(account_id: int):
    a = in_practice_or_404(OnlineAccount, account_id)
    form = IdentityForm()
    if form.validate_on_submit():
        online_access.verify_identity(current_actor(), a.id, form.method.data, form.evidence.data)
        flash("Identity check recorded")
        if a.patient_id:
            return redirect(url_for(".services", account_id=a.id), 303)
        return _back_to(a)
    if form.is_submitted():
        return render_form_errors("staff/patients/identity.html", form, account=a)
    return render("staff/patients/identity.html", form=form, account=a)


@bp.route("/online-accounts/<int:account_id>/services", methods=["GET", "POST"])
@staff_required(*DESK)
def services(account_id: int):
    a = in_practice_or_404(OnlineAccount, account_id)
    if a.patient_id is None:
        abort(404)
    form = ServicesForm(obj=a if request.method == "GET" else None)
    blocked = online_access.record_access_blocked(a.patient_id)
    context = {"account": a, "blocked": blocked, "check": online_access.latest_identity_check(a)}
    if form.validate_on_submit():
        choice = online_access.ServiceChoice(
            form.appointments.data, form.prescriptions.data, form.record_level.data, form.not_pressured.data
        )
        try:
            online_access.set_services(current_actor(), a.id, choice)
        except DomainError as e:
            attach_error(form, e)
            return render_form_errors("staff/patients/services.html", form, **context)
        flash("Online services updated")
        return _back_to(a)
    if form.is_submitted():
        return render_form_errors("staff/patients/services.html", form, **context)
    return render("staff/patients/services.html", form=form, **context)


@bp.post("/online-accounts/<int:account_id>/letter")
@staff_required(*DESK)
def issue_registration_letter(account_id: int):
    a = in_practice_or_404(OnlineAccount, account_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        letter = online_access.issue_registration_letter(current_actor(), a.id)
    except DomainError as e:
        flash(e.message, "error")
        return _back_to(a)
    # The key exists in plain text only here and on the printed page; this member of staff's session keeps it sealed.
    nonce = secrets.token_hex(16)
    session[LETTER] = {
        "account": a.id,
        "nonce": nonce,
        "sealed": _seal(letter.key, nonce),
        "expires": letter.expires_at.date().isoformat(),
    }
    return redirect(url_for(".registration_letter", account_id=a.id), 303)


@bp.get("/online-accounts/<int:account_id>/letter")
@staff_required(*DESK)
def registration_letter(account_id: int):
    a = in_practice_or_404(OnlineAccount, account_id)
    pending = session.pop(LETTER, None)  # shown once: a reload or a second tab finds nothing to reprint
    if not pending or pending["account"] != a.id or "sealed" not in pending:
        flash("The letter’s key is shown only once. Issue a new letter to print it again.", "error")
        return _back_to(a)
    key = _unseal(pending["sealed"], pending["nonce"])
    return render(
        "staff/patients/registration_letter.html",
        account=a,
        key=online_access.group(key),
        account_code=online_access.group(a.account_id, 5),
        expires=date.fromisoformat(pending["expires"]),
        practice=a.practice,
    )


@bp.route("/online-accounts/<int:account_id>/suspend", methods=["GET", "POST"])
@staff_required()
def suspend(account_id: int):
    """Any member of staff can switch access off at once (R8)."""
    a = in_practice_or_404(OnlineAccount, account_id)
    form = SuspendForm()
    if form.validate_on_submit():
        online_access.suspend(current_actor(), a.id, form.reason.data)
        flash("Online access is switched off")
        return _back_to(a)
    if form.is_submitted():
        return render_form_errors("staff/patients/suspend.html", form, account=a)
    return render("staff/patients/suspend.html", form=form, account=a)


@bp.post("/online-accounts/<int:account_id>/restore")
@staff_required(*DESK)
def restore(account_id: int):
    a = in_practice_or_404(OnlineAccount, account_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        online_access.restore(current_actor(), a.id)
    except DomainError as e:
        flash(e.message, "error")
        return _back_to(a)
    flash("Online access is restored")
    return _back_to(a)


@bp.route("/patients/<int:patient_id>/proxies/new", methods=["GET", "POST"])
@staff_required(*DESK)
def new_proxy(patient_id: int):
    p = in_practice_or_404(Patient, patient_id)
    form = ProxyForm()
    if form.validate_on_submit():
        ends_on, problem = _end_date(form)
        if problem:
            form.end_day.errors.append(problem)
            return render_form_errors("staff/patients/proxy_new.html", form, patient=p)
        decision = proxies.ProxyDecision(
            form.proxy_account_id.data,
            form.basis.data,
            form.competence_assessment.data or "",
            form.appointments.data,
            form.prescriptions.data,
            form.record_level.data,
            ends_on,
            form.decision.data == "grant",
            form.reason.data,
        )
        try:
            proxies.decide(current_actor(), p.id, decision)
        except DomainError as e:
            attach_error(form, e)
            return render_form_errors("staff/patients/proxy_new.html", form, patient=p)
        flash("Proxy access granted" if decision.grant else "Refusal recorded")
        return redirect(url_for(".patient", patient_id=p.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/patients/proxy_new.html", form, patient=p)
    return render("staff/patients/proxy_new.html", form=form, patient=p)


def _end_date(form) -> tuple[date | None, str | None]:
    parts = (form.end_day.data, form.end_month.data, form.end_year.data)
    if all(x is None for x in parts):
        return None, None
    try:
        return three_box_date(form.end_day.data, form.end_month.data, form.end_year.data), None
    except ValueError:
        return None, "End date must be a real date"


@bp.post("/proxy-links/<int:link_id>/end")
@staff_required(*DESK)
def end_proxy(link_id: int):
    form = EndProxyForm()
    if not form.validate_on_submit():
        flash("Enter the reason for ending proxy access", "error")
        link = ProxyLink.get_or_none(ProxyLink.id == link_id, ProxyLink.practice == current_actor().practice_id)
        if link is None:
            abort(404)
        return redirect(url_for(".patient", patient_id=link.patient_id), 303)
    try:
        link = proxies.end(current_actor(), link_id, form.reason.data)
    except ProxyLink.DoesNotExist:
        abort(404)
    flash("Proxy access ended")
    return redirect(url_for(".patient", patient_id=link.patient_id), 303)


@bp.get("/proxies/ending")
@staff_required(*DESK)
def proxies_ending():
    return render("staff/patients/proxies_ending.html", rows=proxies.ending_soon(current_actor().practice_id))
