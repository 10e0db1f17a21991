"""Staff sign-in with lockout counted per account (a surgery's PCs and kiosks share one address)."""

from kiosk.access import Actor
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import StaffUser
from kiosk.passwords import verify_password
from kiosk.services import DomainError, lockout
from kiosk.services.audit import record

SIGN_IN_FAILED = "Enter a correct email address and password"


def authenticate(actor: Actor, email: str, password: str) -> StaffUser:
    """The member of staff, or DomainError with one message whatever was wrong."""
    email = email.strip().lower()
    staff = StaffUser.get_or_none(StaffUser.email == email)
    # Verify even for an unknown email so timing does not reveal which addresses exist.
    password_ok = verify_password(staff.password_hash if staff else None, password)
    # Decide and record inside the transaction, refuse after it: raising inside would roll back the audit record
    # and the failure count, and the lockout would never trigger.
    with database.atomic():
        staff = _decide(actor, email, staff, password_ok)
    if staff is None:
        raise DomainError(SIGN_IN_FAILED)
    return staff


def _decide(actor: Actor, email: str, staff: StaffUser | None, password_ok: bool) -> StaffUser | None:
    """Records the attempt (and counts a failure); the member of staff if they may sign in, else None."""
    if staff is None:
        record(actor, "staff.sign_in", outcome="failed", detail=f"unknown email {email[:60]}")
        return None
    staff = StaffUser.get_by_id(staff.id)  # the lock state as of now, not as of before hashing
    now = utcnow()
    if staff.locked_until and staff.locked_until > now:
        record(actor, "staff.sign_in", practice_id=staff.practice_id, obj=staff, outcome="refused", detail="locked")
        return None
    if not password_ok or staff.disabled_at is not None:
        lockout.count_failure(StaffUser, staff.id, now)
        record(actor, "staff.sign_in", practice_id=staff.practice_id, obj=staff, outcome="failed")
        return None
    lockout.clear(StaffUser, staff.id)
    signed_in = Actor("staff", staff.id, staff.name, staff.role, staff.practice_id, actor.device)
    record(signed_in, "staff.sign_in", obj=staff)
    return staff


def sign_out(actor: Actor) -> None:
    with database.atomic():
        record(actor, "staff.sign_out")
