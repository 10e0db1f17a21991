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
    with database.atomic():
        if staff is None:
            record(actor, "staff.sign_in", outcome="failed", detail=f"unknown email {email[:60]}")
            raise DomainError(SIGN_IN_FAILED)
        staff = StaffUser.get_by_id(staff.id)  # the lock state as of now, not as of before hashing
        now = utcnow()
        if staff.locked_until and staff.locked_until > now:
            record(actor, "staff.sign_in", practice_id=staff.practice_id, obj=staff, outcome="refused", detail="locked")
            raise DomainError(SIGN_IN_FAILED)
        if not password_ok or staff.disabled_at is not None:
            lockout.count_failure(StaffUser, staff.id, now)
            record(actor, "staff.sign_in", practice_id=staff.practice_id, obj=staff, outcome="failed")
            raise DomainError(SIGN_IN_FAILED)
        lockout.clear(StaffUser, staff.id)
        signed_in = Actor("staff", staff.id, staff.name, staff.role, staff.practice_id, actor.device)
        record(signed_in, "staff.sign_in", obj=staff)
    return staff


def sign_out(actor: Actor) -> None:
    with database.atomic():
        record(actor, "staff.sign_out")
