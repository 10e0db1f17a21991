"""The waiting-room kiosk: check in without signing in. No names on screen; nothing kept after each visit."""

from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for

from kiosk import i18n
from kiosk.access import current_actor, kiosk_device_required, public
from kiosk.clock import utcnow
from kiosk.forms import ActionForm
from kiosk.forms.kiosk import (
    LETTERS,
    ChooseAppointmentForm,
    DateOfBirthForm,
    LargeTextForm,
    SexForm,
    SurnameInitialForm,
    sex_labels,
)
from kiosk.forms.language import LanguageForm
from kiosk.rendering import from_htmx, render, render_form_errors
from kiosk.request_guards import same_site_path
from kiosk.services import DomainError, checkin, patient_auth, signup

bp = Blueprint("checkin", __name__, url_prefix="/kiosk")
STATE = "checkin"
# The online sign-up offer after a check-in: the appointment just checked in, on this kiosk, for the idle limit.
# Kept in the server-side session, so the offer's pages carry nothing that says who the patient is.
OFFER = "signup_offer"


def _state() -> dict | None:
    """This visit's answers so far, or None once the kiosk has sat idle past the practice's limit."""
    state = session.get(STATE)
    if not state:
        return None
    idle = timedelta(seconds=g.kiosk.practice.kiosk_idle_seconds)
    if utcnow() - datetime.fromisoformat(state["at"]) > idle:
        session.pop(STATE)
        return None
    return state


def _save(**changes) -> None:
    session[STATE] = {**(session.get(STATE) or {}), **changes, "at": utcnow().isoformat()}
    i18n.touch_kiosk_choice()


def _restart():
    session.pop(STATE, None)
    session.pop(OFFER, None)
    return redirect(url_for(".start"), 303)


def _throttled(actor) -> bool:
    config = current_app.config
    return checkin.is_throttled(
        actor,
        failures_allowed=config["KIOSK_FAILURES_ALLOWED"],
        window_minutes=config["KIOSK_FAILURE_WINDOW_MINUTES"],
    )


@bp.get("/")
@public
def start():
    session.pop(STATE, None)
    session.pop(OFFER, None)
    # Every way back here (the idle reset, Finish after checking in) is for the next person: English, normal text.
    # Only "Start again" and the person's own choices on this screen carry keep=1.
    i18n.reset_kiosk_choice(unless_kept=bool(request.args.get("keep")))
    if g.get("kiosk") is None:
        return render("checkin/not_enrolled.html", status=403)
    if g.get("account") is not None:
        # The start screen is where an idle kiosk returns: whoever was signed in is signed out, whatever the timers.
        patient_auth.sign_out(current_actor())
        session.clear()
        g.account = None
    if _throttled(current_actor()):
        return render("checkin/see_reception.html", paused=True)
    return _start_screen(SurnameInitialForm())


def _start_screen(form):
    render_page = render_form_errors if form.errors else render
    return render_page("checkin/start.html", form=form, letters=LETTERS, chosen=i18n.kiosk_choice_is_active())


@bp.post("/language")
@kiosk_device_required
def language():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    i18n.choose_on_kiosk(form.language.data)
    return redirect(url_for(".start", keep=1), 303)


@bp.post("/text-size")
@kiosk_device_required
def text_size():
    form = LargeTextForm()
    if not form.validate_on_submit():
        abort(400)
    i18n.set_kiosk_large_text(form.large.data == "on")
    if from_htmx():
        return "", 204  # app.js has already changed the page in place
    back = same_site_path(form.next.data, url_for(".start"))
    if back.split("?")[0] in (url_for(".start"), url_for(".done")):
        back = url_for(".start", keep=1)
    return redirect(back, 303)


@bp.post("/letter")
@kiosk_device_required
def surname_initial():
    form = SurnameInitialForm()
    if not form.validate_on_submit():
        return _start_screen(form)
    _save(letter=form.letter.data)
    return redirect(url_for(".sex"), 303)


@bp.route("/sex", methods=["GET", "POST"])
@kiosk_device_required
def sex():
    if _state() is None:
        return _restart()
    form = SexForm()
    if form.validate_on_submit():
        _save(sex=form.sex.data)
        return redirect(url_for(".date_of_birth"), 303)
    if form.is_submitted():
        return render_form_errors("checkin/sex.html", form, sexes=sex_labels())
    return render("checkin/sex.html", form=form, sexes=sex_labels())


@bp.route("/date-of-birth", methods=["GET", "POST"])
@kiosk_device_required
def date_of_birth():
    state = _state()
    if state is None or "sex" not in state:
        return _restart()
    form = DateOfBirthForm()
    if form.validate_on_submit():
        actor = current_actor()
        if _throttled(actor):
            return redirect(url_for(".see_reception"), 303)
        choices = checkin.find(actor, state["letter"], state["sex"], form.value)
        if not choices:
            return redirect(url_for(".see_reception"), 303)
        _save(choices=[c.__dict__ for c in choices])
        return redirect(url_for(".confirm"), 303)
    if form.is_submitted():
        return render_form_errors("checkin/date_of_birth.html", form)
    return render("checkin/date_of_birth.html", form=form)


@bp.route("/confirm", methods=["GET", "POST"])
@kiosk_device_required
def confirm():
    state = _state()
    if state is not None and "done" in state:
        return redirect(url_for(".done"), 303)  # a double tap: the first tap checked them in, show them so
    if state is None or not state.get("choices"):
        return _restart()
    choices = [checkin.Choice(**c) for c in state["choices"]]
    form = ChooseAppointmentForm()
    form.appointment.choices = [(c.appointment_id, f"{c.time} with {c.clinician}") for c in choices]
    if form.validate_on_submit():
        done = checkin.confirm(current_actor(), form.appointment.data)
        session.pop(STATE, None)
        if done is None:
            return redirect(url_for(".see_reception"), 303)
        session[STATE] = {"done": done.__dict__, "at": utcnow().isoformat()}
        if signup.should_offer(current_actor(), form.appointment.data):
            session[OFFER] = {"appointment": form.appointment.data, "kiosk": g.kiosk.id, "at": utcnow().isoformat()}
        i18n.end_kiosk_choice_after_this_screen()
        return redirect(url_for(".done"), 303)
    if form.is_submitted():
        return render_form_errors("checkin/confirm.html", form, choices=choices)
    return render("checkin/confirm.html", form=form, choices=choices)


@bp.get("/done")
@kiosk_device_required
def done():
    state = _state()
    session.pop(STATE, None)  # shown once: a refresh or the back button finds nothing
    if state is None or "done" not in state:
        return redirect(url_for(".start"), 303)
    offer = _offer()
    return render(
        "checkin/done.html",
        done=checkin.CheckedIn(**state["done"]),
        offer=offer is not None and "answer" not in offer,
        action_form=ActionForm(),
    )


def _offer() -> dict | None:
    """The sign-up offer for the check-in just made on this kiosk, or None once it has lapsed or was never made."""
    offer = session.get(OFFER)
    if not offer:
        return None
    idle = timedelta(seconds=g.kiosk.practice.kiosk_idle_seconds)
    if offer["kiosk"] != g.kiosk.id or utcnow() - datetime.fromisoformat(offer["at"]) > idle:
        session.pop(OFFER)
        return None
    return offer


@bp.post("/online-services/<any(yes, no):answer>")
@kiosk_device_required
def online_services(answer: str):
    """The patient's answer to the sign-up offer. "Yes" asks reception for a registration letter; it asks nothing
    more here, because identity is checked at the desk (R1)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    offer = _offer()
    if offer is None:
        return _restart()
    try:
        if answer == "yes":
            signup.request_letter(current_actor(), offer["appointment"])
        elif "answer" not in offer:
            signup.decline(current_actor(), offer["appointment"])
    except DomainError:
        return _restart()
    if answer == "no":
        return _restart()
    session[OFFER] = {**offer, "answer": answer}  # a second tap finds the answer given and the same thank-you
    return redirect(url_for(".online_services_thanks"), 303)


@bp.get("/online-services/thank-you")
@kiosk_device_required
def online_services_thanks():
    offer = _offer()
    if offer is None or offer.get("answer") != "yes":
        return _restart()
    return render("checkin/signup_thanks.html")


@bp.get("/see-reception")
@kiosk_device_required
def see_reception():
    session.pop(STATE, None)
    return render("checkin/see_reception.html", paused=False)
