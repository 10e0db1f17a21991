"""Staff sign-in with lockout counted per account (a surgery's PCs and kiosks share one address)."""

from datetime import timedelta

from flask import current_app

from kiosk.access import Actor
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import StaffUser
from kiosk.passwords import verify_password
from kiosk.services import DomainError
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
            _count_failure(staff, now)
            record(actor, "staff.sign_in", practice_id=staff.practice_id, obj=staff, outcome="failed")
            raise DomainError(SIGN_IN_FAILED)
        StaffUser.update(failed_attempts=0, locked_until=None).where(StaffUser.id == staff.id).execute()
        signed_in = Actor("staff", staff.id, staff.name, staff.role, staff.practice_id, actor.device)
        record(signed_in, "staff.sign_in", obj=staff)
    return staff


def _count_failure(staff: StaffUser, now) -> None:
    # Incremented in SQL and read back in the same statement, so failures racing in two workers all count.
    rows = list(
        StaffUser.update(failed_attempts=StaffUser.failed_attempts + 1)
        .where(StaffUser.id == staff.id)
        .returning(StaffUser.failed_attempts)
        .tuples()
        .execute()
    )
    if rows and rows[0][0] >= current_app.config["LOCKOUT_ATTEMPTS"]:
        lock_until = now + timedelta(minutes=current_app.config["LOCKOUT_MINUTES"])
        StaffUser.update(failed_attempts=0, locked_until=lock_until).where(StaffUser.id == staff.id).execute()


def sign_out(actor: Actor) -> None:
    with database.atomic():
        record(actor, "staff.sign_out")
