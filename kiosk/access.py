"""Who is asking, and the access rule every view declares.

Every view carries one of the decorators below; a test walks app.url_map and fails on a view without one.
A signed-in member of staff with the wrong role gets 404, the same answer as for something that does not exist.
"""

from functools import wraps

from flask import abort, current_app, g, request, session, url_for
from peewee import JOIN

from kiosk.actor import Actor, token_digest  # also imported from here by callers not yet moved to kiosk.actor
from kiosk.models import Kiosk, OnlineAccount, Patient, Practice, StaffUser
from kiosk.models.devices import DISPLAY
from kiosk.rendering import page_path, redirect_page, render
from kiosk.services import lockout

KIOSK_COOKIE = "kiosk_device"


def kiosk_cookie_name() -> str:
    """The kiosk cookie's name: __Host- prefixed over HTTPS, so that no subdomain or plain-http page can set it."""
    return f"__Host-{KIOSK_COOKIE}" if current_app.config.get("HTTPS") else KIOSK_COOKIE


def load_request_identity() -> None:
    """Runs before every request: resolves the enrolled kiosk and the signed-in member of staff, if any."""
    g.kiosk = g.display = None
    token = request.cookies.get(kiosk_cookie_name())
    if token:
        device = Kiosk.get_or_none((Kiosk.token_hash == token_digest(token)) & Kiosk.revoked_at.is_null())
        # A calling display is never a kiosk: it can check nobody in, and a kiosk never shows the calls.
        if device is not None and device.kind == DISPLAY:
            g.display = device
        else:
            g.kiosk = device
    g.staff = None
    staff_id = session.get("staff_id")
    if staff_id:
        staff = StaffUser.get_or_none(StaffUser.id == staff_id)
        if staff is None or staff.disabled_at is not None:
            session.clear()
        else:
            g.staff = staff
    g.account, g.scopes, g.scope = None, [], None
    account_id = session.get("account_id")
    if account_id:
        account = _account_with_practice_and_patient(account_id)
        if account is None or account.is_suspended:
            session.clear()  # suspension (R8) takes effect on the very next request
        else:
            from kiosk.services.proxies import scopes_for

            g.account = account
            g.scopes = scopes_for(account)
            wanted = session.get("acting_for")
            g.scope = next((sc for sc in g.scopes if sc.patient.id == wanted), g.scopes[0] if g.scopes else None)


def _account_with_practice_and_patient(account_id: int) -> OnlineAccount | None:
    """The signed-in account with its practice and own patient row in one query: every patient page reads both
    (the scopes, the practice's rules), and this request only. Nothing is kept between requests."""
    return (
        OnlineAccount.select(OnlineAccount, Practice, Patient)
        .join(Practice)
        .switch(OnlineAccount)
        .join(Patient, JOIN.LEFT_OUTER)
        .where(OnlineAccount.id == account_id)
        .first()
    )


def current_actor() -> Actor:
    if g.get("staff") is not None:
        s = g.staff
        return Actor.staff(s.id, s.name, s.role, s.practice_id, _device(), _source())
    if g.get("account") is not None:
        a = g.account
        proxy = g.scope is not None and not g.scope.is_self
        return Actor.patient(a.id, a.full_name, a.practice_id, _device(), _source(), proxy=proxy)
    if g.get("kiosk") is not None:
        k = g.kiosk
        return Actor.kiosk(k.id, k.name, k.practice_id, _device(), _source())
    return Actor.anonymous(_device(), _source())


def guess_limits() -> lockout.GuessLimits:
    """The installation's limits on guessing, for the services that check passwords and letters."""
    c = current_app.config
    return lockout.GuessLimits(
        free_failures=c["SIGN_IN_FREE_FAILURES"],
        first_delay_seconds=c["SIGN_IN_FIRST_DELAY_SECONDS"],
        max_delay_minutes=c["SIGN_IN_MAX_DELAY_MINUTES"],
        source_attempts_per_minute=c["SOURCE_ATTEMPTS_PER_MINUTE"],
        registration_attempts_per_key=c["REGISTRATION_ATTEMPTS_PER_KEY"],
    )


def in_practice_or_404(model, object_id: int):
    """The signed-in practice's row, or 404: a foreign id answers exactly like one that never existed."""
    try:
        return model.get_in_practice(current_actor().practice_id, object_id)
    except model.DoesNotExist:
        abort(404)


def _source() -> str:
    return request.remote_addr or ""


def _device() -> str:
    if g.get("kiosk") is not None:
        return f"kiosk {g.kiosk.id} ({g.kiosk.name})"
    # Fits AuditEvent.device (120) whatever the address; a header's control characters (NUL) cannot be stored.
    agent = "".join(ch for ch in request.user_agent.string[:80] if ch.isprintable())
    return f"{request.remote_addr or '-'} {agent}".strip()[:120]


def _mark(view, rule: str):
    view.access_rule = rule
    return view


def public(view):
    """Open to anyone: sign-in pages, health check, the kiosk start page."""
    return _mark(view, "public")


def kiosk_device_required(view):
    """Only on a device enrolled as a kiosk. Elsewhere the kiosk explains it is not set up and does nothing."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("kiosk") is None:
            return redirect_page(url_for("checkin.start"))
        return view(*args, **kwargs)

    return _mark(wrapper, "kiosk")


def display_device_required(view):
    """Only on a device enrolled as a calling display. Elsewhere: the page saying the device is not set up."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.get("display") is None:
            return render("checkin/display_not_enrolled.html", status=404)
        return view(*args, **kwargs)

    return _mark(wrapper, "display")


# What a member of staff whose password was reset may reach before choosing their own.
OPEN_BEFORE_NEW_PASSWORD = frozenset({"staff.password.change", "staff.auth.sign_out"})


def staff_required(*roles: str):
    """Signed-in staff with one of `roles` (all staff roles when none are given)."""
    rule = "staff:" + ",".join(roles or ("any",))

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            staff = g.get("staff")
            if staff is None:
                return redirect_page(url_for("staff.auth.sign_in", next=page_path()))
            if staff.must_change_password and request.endpoint not in OPEN_BEFORE_NEW_PASSWORD:
                # A manager chose the password they signed in with: nothing else until they have chosen their own.
                return redirect_page(url_for("staff.password.change"))
            if not role_passes(rule, staff.role):
                abort(404)
            return view(*args, **kwargs)

        return _mark(wrapper, rule)

    return decorator


def role_passes(rule: str, role: str) -> bool:
    """Whether a member of staff with `role` gets past a view's access rule. The decorator and `can` both ask this,
    so a link the page offers and the answer the route gives cannot disagree."""
    if rule == "public":
        return True
    if not rule.startswith("staff:"):
        return False
    wanted = rule.removeprefix("staff:").split(",")
    return wanted == ["any"] or role in wanted


def can(endpoint: str) -> bool:
    """For templates: may the signed-in member of staff use `endpoint`? Read from the route's own rule, so a page never
    shows a link or a form that would answer 404. An unknown endpoint raises, as url_for would."""
    staff = g.get("staff")
    if staff is None:
        return False
    return role_passes(current_app.view_functions[endpoint].access_rule, staff.role)


def patient_required(service: str | None = None):
    """A signed-in patient or proxy, acting for someone whose scope includes `service` (else 404)."""

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if g.get("account") is None:
                return redirect_page(url_for("patient_auth.sign_in", next=page_path()))
            if service is not None and (g.scope is None or not g.scope.allows(service)):
                abort(404)
            return view(*args, **kwargs)

        return _mark(wrapper, f"patient:{service or 'any'}")

    return decorator
