"""Staff accounts: a manager adds and disables them, resets a password and changes a role; everyone changes their own
password; a command creates a practice's first manager.

None of these signs anyone in as someone else. A reset sets a temporary password the manager hands over in person and
makes its holder choose their own at the next sign-in; the reset, and every sign-in, is audited. A practice always
keeps an active manager: nobody can disable themselves, and a manager can step down to another role only while
another active manager remains, so the practice is never left without someone able to manage it.
"""

from peewee import IntegrityError

from kiosk.actor import Actor
from kiosk.clock import utcnow
from kiosk.db import database, is_postgres
from kiosk.models import ROLES, Practice, StaffUser
from kiosk.passwords import hash_password, password_problem, verify_password
from kiosk.services import DomainError, lockout
from kiosk.services.audit import append
from kiosk.services.web_sessions import end_sessions_for

CURRENT_NOT_RIGHT = "Your current password is not right"
LAST_MANAGER = "You are the practice’s only manager. Make someone else a manager first"


def create(
    actor: Actor,
    *,
    name: str,
    email: str,
    role: str,
    password: str,
    practice_id: int | None = None,
    temporary: bool = True,
) -> StaffUser:
    """A new account. A manager hands its password over in person, so by default it is temporary: its holder must
    choose their own at their first sign-in, as after a reset."""
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
                must_change_password=temporary,
            )
            append(actor, "staff.create", practice_id=staff.practice_id, obj=staff, detail=f"{role} {email}")
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
        append(actor, "staff.disable" if disabled else "staff.enable", obj=staff)
    return staff


def change_own_password(
    actor: Actor, current: str, new: str, limits: lockout.GuessLimits = lockout.DEFAULT_LIMITS
) -> StaffUser:
    """The signed-in person's new password, if `current` is theirs. Their other sessions end (a password changed
    because it leaked should shut out whoever has it); the caller gives this one a new id.

    Wrong current passwords count towards the same waits as wrong sign-ins, so a PC left signed in is not a way to
    guess the password at leisure.
    """
    staff = StaffUser.get_by_id(actor.id)
    identifier = lockout.identifier_key("staff", staff.email)
    lockout.check(identifier, actor.source)
    if not verify_password(staff.password_hash, current):
        with database.atomic():
            limit = lockout.source_limit([staff.practice_id], limits)
            lockout.count_failure(identifier, actor.source, limit, limits, utcnow())
            append(actor, "staff.password_change", obj=staff, outcome="refused", detail="current password wrong")
        raise DomainError(CURRENT_NOT_RIGHT, field="current_password")
    if new == current:
        raise DomainError("Choose a password that is different from your current one", field="password")
    if problem := password_problem(new, context=(staff.email, staff.name)):
        raise DomainError(problem, field="password")
    password_hash = hash_password(new)
    with database.atomic():
        staff.password_hash = password_hash
        staff.must_change_password = False
        staff.save(only=[StaffUser.password_hash, StaffUser.must_change_password])
        lockout.clear(identifier)
        end_sessions_for("staff", staff.id)
        append(actor, "staff.password_change", obj=staff)
    return staff


def reset_password(actor: Actor, staff_id: int, temporary: str) -> StaffUser:
    """A manager sets a temporary password for someone else; they must choose their own at their next sign-in."""
    staff = StaffUser.get_in_practice(actor.practice_id, staff_id)
    if staff.id == actor.id:
        raise DomainError("To change your own password, use Change your password", field="password")
    if problem := password_problem(temporary, context=(staff.email, staff.name)):
        raise DomainError(problem, field="password")
    password_hash = hash_password(temporary)
    with database.atomic():
        staff.password_hash = password_hash
        staff.must_change_password = True
        staff.save(only=[StaffUser.password_hash, StaffUser.must_change_password])
        end_sessions_for("staff", staff.id)
        append(actor, "staff.password_reset", obj=staff)
    return staff


def change_role(actor: Actor, staff_id: int, role: str) -> StaffUser:
    """A new role, which applies from the person's next request (the role is read per request)."""
    if role not in ROLES:
        raise DomainError("Choose a role", field="role")
    with database.atomic():
        staff = StaffUser.get_in_practice(actor.practice_id, staff_id)
        if staff.role == role:
            return staff
        if staff.role == "manager":
            _keep_a_manager(actor.practice_id, leaving=staff.id)
        old = staff.role
        staff.role = role
        staff.save(only=[StaffUser.role])
        append(actor, "staff.role_change", obj=staff, detail=f"{old} → {role}")
    return staff


def _keep_a_manager(practice_id: int, leaving: int) -> None:
    """Refuse a change that would leave the practice without an active manager. The managers' rows are locked on
    PostgreSQL (SQLite's IMMEDIATE transactions already serialise writers), so two managers stepping down at once
    cannot both see the other remain."""
    managers = StaffUser.for_practice(practice_id).where(
        (StaffUser.role == "manager") & StaffUser.disabled_at.is_null()
    )
    if is_postgres():
        managers = managers.for_update()
    if not [m for m in managers if m.id != leaving]:
        raise DomainError(LAST_MANAGER, field="role")


def create_first_manager(*, ods_code: str, practice_name: str, name: str, email: str, password: str) -> StaffUser:
    system = Actor.system(None, "command line")
    with database.atomic():
        practice = Practice.get_or_none(Practice.ods_code == ods_code.upper())
        if practice is None:
            practice = Practice.create(ods_code=ods_code.upper(), name=practice_name)
            append(system, "practice.create", practice_id=practice.id, obj=practice)
    # The manager typed this password themselves at the command line: it is theirs, not a temporary one.
    return create(
        system, name=name, email=email, role="manager", password=password, practice_id=practice.id, temporary=False
    )
