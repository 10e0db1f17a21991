"""Staff accounts: a manager adds and disables them; a command creates a practice's first manager."""

from peewee import IntegrityError

from kiosk.actor import Actor
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import Practice, StaffUser
from kiosk.models.sessions import end_sessions_for
from kiosk.passwords import hash_password, password_problem
from kiosk.services import DomainError
from kiosk.services.audit import record


def create(
    actor: Actor, *, name: str, email: str, role: str, password: str, practice_id: int | None = None
) -> StaffUser:
    email = email.strip().lower()
    if problem := password_problem(password, context=(email, name)):
        raise DomainError(problem, field="password")
    password_hash = hash_password(password)
    try:
        with database.atomic():
            staff = StaffUser.create(
                practice=practice_id or actor.practice_id,
                name=name.strip(),
                email=email,
                role=role,
                password_hash=password_hash,
            )
            record(actor, "staff.create", practice_id=staff.practice_id, obj=staff, detail=f"{role} {email}")
    except IntegrityError:
        raise DomainError("An account with this email address already exists", field="email") from None
    return staff


def set_disabled(actor: Actor, staff_id: int, disabled: bool) -> StaffUser:
    with database.atomic():
        staff = StaffUser.get_in_practice(actor.practice_id, staff_id)
        if staff.id == actor.id:
            raise DomainError("You cannot disable your own account")
        staff.disabled_at = utcnow() if disabled else None
        staff.save()
        if disabled:
            end_sessions_for("staff", staff.id)
        record(actor, "staff.disable" if disabled else "staff.enable", obj=staff)
    return staff


def create_first_manager(*, ods_code: str, practice_name: str, name: str, email: str, password: str) -> StaffUser:
    system = Actor.system(None, "command line")
    with database.atomic():
        practice = Practice.get_or_none(Practice.ods_code == ods_code.upper())
        if practice is None:
            practice = Practice.create(ods_code=ods_code.upper(), name=practice_name)
            record(system, "practice.create", practice_id=practice.id, obj=practice)
    return create(system, name=name, email=email, role="manager", password=password, practice_id=practice.id)
