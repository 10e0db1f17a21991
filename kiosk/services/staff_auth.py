"""Staff sign-in, with guessing slowed per email typed and per address (kiosk/services/lockout.py).

An email is unique within a practice, not across them (a locum may work at two): sign-in tries the password against
each account with that email and signs in to the one it opens. A manager creating an account therefore learns
nothing about other practices' staff.
"""

from kiosk.actor import Actor
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import StaffUser
from kiosk.passwords import verify_password
from kiosk.services import DomainError, lockout
from kiosk.services.audit import append

SIGN_IN_FAILED = "Enter a correct email address and password"
# More accounts than this under one email is not a real person's set of practices.
MAX_ACCOUNTS_PER_EMAIL = 5


def authenticate(
    actor: Actor, email: str, password: str, limits: lockout.GuessLimits = lockout.DEFAULT_LIMITS
) -> StaffUser:
    """The member of staff, or DomainError with one message whatever was wrong."""
    email = email.strip().lower()
    candidates = list(
        StaffUser.select().where(StaffUser.email == email).order_by(StaffUser.id).limit(MAX_ACCOUNTS_PER_EMAIL)
    )
    identifier = lockout.identifier_key("staff", email)
    practice_ids = [s.practice_id for s in candidates] + [actor.practice_id if actor.kind == "kiosk" else None]
    limit = lockout.source_limit(practice_ids, limits)
    first = candidates[0] if candidates else None
    try:
        lockout.check(identifier, actor.source)
    except lockout.TooManyAttempts:
        with database.atomic():
            append(
                actor,
                "staff.sign_in",
                practice_id=first.practice_id if first else None,
                obj=first,
                outcome="refused",
                detail="waiting after failures",
            )
        raise
    # Verify even for an unknown email so timing does not reveal which addresses exist.
    matched = next((s for s in candidates if verify_password(s.password_hash, password)), None)
    if not candidates:
        verify_password(None, password)
    # Decide and record inside the transaction, refuse after it: raising inside would roll back the audit record
    # and the failure count.
    with database.atomic():
        staff = _decide(actor, email, first, matched, identifier, limit, limits)
    if staff is None:
        raise DomainError(SIGN_IN_FAILED)
    return staff


def _decide(
    actor: Actor,
    email: str,
    first: StaffUser | None,
    matched: StaffUser | None,
    identifier: str,
    limit: int,
    limits: lockout.GuessLimits,
) -> StaffUser | None:
    """Records the attempt (and counts a failure); the member of staff if they may sign in, else None."""
    now = utcnow()
    if first is None:
        lockout.count_failure(identifier, actor.source, limit, limits, now)
        append(actor, "staff.sign_in", outcome="failed", detail=f"unknown email {email[:60]}")
        return None
    if matched is not None:
        matched = StaffUser.get_by_id(matched.id)  # disabled as of now, not as of before hashing
    if matched is None or matched.disabled_at is not None:
        lockout.count_failure(identifier, actor.source, limit, limits, now)
        target = matched or first
        append(actor, "staff.sign_in", practice_id=target.practice_id, obj=target, outcome="failed")
        return None
    lockout.clear(identifier)
    signed_in = Actor("staff", matched.id, matched.name, matched.role, matched.practice_id, actor.device)
    append(signed_in, "staff.sign_in", obj=matched)
    return matched


def sign_out(actor: Actor) -> None:
    with database.atomic():
        append(actor, "staff.sign_out")
