"""Patients' and proxies' registration (Account ID + Linkage Key + date of birth) and sign-in."""

from datetime import date

from kiosk.access import Actor
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import LinkageKey, OnlineAccount
from kiosk.passwords import hash_password, password_problem, verify_password
from kiosk.services import DomainError, lockout
from kiosk.services.audit import record
from kiosk.services.online_access import key_digest, normalise_code

REGISTRATION_FAILED = "We could not match these details. Check your letter, or ask reception for a new letter"
SIGN_IN_FAILED = "Enter a correct Account ID and password"


def _as(account: OnlineAccount, actor: Actor) -> Actor:
    return Actor("patient", account.id, account.full_name, "patient", account.practice_id, actor.device)


def check_letter(actor: Actor, account_id: str, key: str, date_of_birth: date) -> LinkageKey:
    """The live key the letter carries, or one message whatever was wrong (expired, used, mistyped)."""
    account = OnlineAccount.get_or_none(OnlineAccount.account_id == normalise_code(account_id))
    live = None
    if account is not None:
        live = (
            LinkageKey.select()
            .where(
                (LinkageKey.account == account.id)
                & (LinkageKey.key_hash == key_digest(key))
                & LinkageKey.used_at.is_null()
                & LinkageKey.revoked_at.is_null()
                & (LinkageKey.expires_at > utcnow())
            )
            .first()
        )
    if live is None or account.date_of_birth != date_of_birth or account.is_suspended:
        with database.atomic():
            record(
                actor,
                "patient.register",
                practice_id=account.practice_id if account else None,
                patient_id=account.patient_id if account else None,
                outcome="failed",
            )
        raise DomainError(REGISTRATION_FAILED)
    return live


def complete_registration(actor: Actor, key_id: int, password: str) -> OnlineAccount:
    """Set the password and spend the key, both or neither. A second use of the key finds it spent."""
    key = LinkageKey.get_by_id(key_id)
    account = OnlineAccount.get_by_id(key.account_id)
    if problem := password_problem(password, context=(account.given_name, account.family_name, account.account_id)):
        raise DomainError(problem, field="password")
    password_hash = hash_password(password)
    now = utcnow()
    with database.atomic():
        spent = (
            LinkageKey.update(used_at=now)
            .where(
                (LinkageKey.id == key_id)
                & LinkageKey.used_at.is_null()
                & LinkageKey.revoked_at.is_null()
                & (LinkageKey.expires_at > now)
            )
            .execute()
        )
        if spent == 1:
            OnlineAccount.update(
                password_hash=password_hash, registered_at=now, failed_attempts=0, locked_until=None
            ).where(OnlineAccount.id == account.id).execute()
            record(_as(account, actor), "patient.register", patient_id=account.patient_id, obj=account)
        else:
            record(
                actor,
                "patient.register",
                practice_id=account.practice_id,
                patient_id=account.patient_id,
                obj=account,
                outcome="failed",
                detail="key no longer live",
            )
    if spent != 1:  # raised after the transaction: inside, it would roll back the audit record
        raise DomainError(REGISTRATION_FAILED)
    return OnlineAccount.get_by_id(account.id)


def authenticate(actor: Actor, account_id: str, password: str) -> OnlineAccount:
    account = OnlineAccount.get_or_none(OnlineAccount.account_id == normalise_code(account_id))
    password_ok = verify_password(account.password_hash if account else None, password)
    # Decide and record inside the transaction, refuse after it: raising inside would roll back the audit record
    # and the failure count, and the lockout would never trigger.
    with database.atomic():
        account = _decide(actor, account, password_ok)
    if account is None:
        raise DomainError(SIGN_IN_FAILED)
    return account


def _decide(actor: Actor, account: OnlineAccount | None, password_ok: bool) -> OnlineAccount | None:
    """Records the attempt (and counts a failure); the account if it may sign in, else None."""
    if account is None:
        record(actor, "patient.sign_in", outcome="failed", detail="unknown account id")
        return None
    account = OnlineAccount.get_by_id(account.id)  # the lock state as of now, not as of before hashing
    now = utcnow()
    context = {"practice_id": account.practice_id, "patient_id": account.patient_id, "obj": account}
    if account.locked_until and account.locked_until > now:
        record(actor, "patient.sign_in", outcome="refused", detail="locked", **context)
        return None
    if not password_ok:
        lockout.count_failure(OnlineAccount, account.id, now)
        record(actor, "patient.sign_in", outcome="failed", **context)
        return None
    if account.is_suspended:
        record(actor, "patient.sign_in", outcome="refused", detail="suspended", **context)
        return None
    lockout.clear(OnlineAccount, account.id)
    record(_as(account, actor), "patient.sign_in", patient_id=account.patient_id, obj=account)
    return account


def sign_out(actor: Actor) -> None:
    with database.atomic():
        record(actor, "patient.sign_out")
