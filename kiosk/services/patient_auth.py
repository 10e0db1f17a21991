"""Patients' and proxies' registration (Account ID + Linkage Key + date of birth) and sign-in."""

from datetime import date

from kiosk.actor import Actor
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import LinkageKey, OnlineAccount
from kiosk.passwords import hash_password, password_problem, verify_password
from kiosk.services import DomainError, lockout
from kiosk.services.audit import append
from kiosk.services.online_access import key_digest, normalise_code
from kiosk.translatable import N_

REGISTRATION_FAILED = N_("We could not match these details. Check your letter, or ask reception for a new letter")
SIGN_IN_FAILED = N_("Enter a correct Account ID and password")


def _as(account: OnlineAccount, actor: Actor) -> Actor:
    return Actor("patient", account.id, account.full_name, "patient", account.practice_id, actor.device)


def check_letter(
    actor: Actor,
    account_id: str,
    key: str,
    date_of_birth: date,
    limits: lockout.GuessLimits = lockout.DEFAULT_LIMITS,
) -> LinkageKey:
    """The live key the letter carries, or one message whatever was wrong (expired, used, mistyped).

    Wrong details against a known Account ID count against its live key: at limits.registration_attempts_per_key it
    is revoked (an 80-bit key cannot be guessed, so this many misses means someone is trying) and reception sees
    why. Failures also count against the address, as sign-in failures do.
    """
    account = OnlineAccount.get_or_none(OnlineAccount.account_id == normalise_code(account_id))
    limit = _source_limit(actor, account, limits)
    lockout.check(None, actor.source)
    now = utcnow()
    live = None
    if account is not None:
        live = (
            LinkageKey.select()
            .where(
                (LinkageKey.account == account.id)
                & LinkageKey.used_at.is_null()
                & LinkageKey.revoked_at.is_null()
                & (LinkageKey.expires_at > now)
            )
            .first()
        )
    if (
        live is None
        or live.key_hash != key_digest(key)
        or account.date_of_birth != date_of_birth
        or account.is_suspended
    ):
        with database.atomic():
            allowed = limits.registration_attempts_per_key
            detail = _count_wrong_letter(live, now, allowed) if live is not None and not account.is_suspended else ""
            lockout.count_failure(None, actor.source, limit, limits, now)
            append(
                actor,
                "patient.register",
                practice_id=account.practice_id if account else None,
                patient_id=account.patient_id if account else None,
                outcome="failed",
                detail=detail,
            )
        raise DomainError(REGISTRATION_FAILED)
    return live


def _count_wrong_letter(live: LinkageKey, now, allowed: int) -> str:
    """One more miss against the live key, counted in one statement so that racing workers all count."""
    rows = list(
        LinkageKey.update(failed_attempts=LinkageKey.failed_attempts + 1)
        .where(LinkageKey.id == live.id)
        .returning(LinkageKey.failed_attempts)
        .tuples()
        .execute()
    )
    if rows and rows[0][0] >= allowed:
        LinkageKey.update(revoked_at=now, revoked_reason=f"{allowed} wrong attempts to register with it").where(
            (LinkageKey.id == live.id) & LinkageKey.revoked_at.is_null()
        ).execute()
        return "letter key revoked after wrong attempts"
    return ""


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
            OnlineAccount.update(password_hash=password_hash, registered_at=now).where(
                OnlineAccount.id == account.id
            ).execute()
            append(_as(account, actor), "patient.register", patient_id=account.patient_id, obj=account)
        else:
            append(
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


def authenticate(
    actor: Actor, account_id: str, password: str, limits: lockout.GuessLimits = lockout.DEFAULT_LIMITS
) -> OnlineAccount:
    typed = normalise_code(account_id)
    account = OnlineAccount.get_or_none(OnlineAccount.account_id == typed)
    identifier = lockout.identifier_key("patient", typed)
    context = {"practice_id": account.practice_id, "patient_id": account.patient_id, "obj": account} if account else {}
    limit = _source_limit(actor, account, limits)
    try:
        lockout.check(identifier, actor.source)
    except lockout.TooManyAttempts:
        with database.atomic():
            append(actor, "patient.sign_in", outcome="refused", detail="waiting after failures", **context)
        raise
    password_ok = verify_password(account.password_hash if account else None, password)
    # Decide and record inside the transaction, refuse after it: raising inside would roll back the audit record
    # and the failure count.
    with database.atomic():
        account = _decide(actor, account, password_ok, identifier, limit, limits)
    if account is None:
        raise DomainError(SIGN_IN_FAILED)
    return account


def _source_limit(actor: Actor, account: OnlineAccount | None, limits: lockout.GuessLimits) -> int:
    return lockout.source_limit(
        [account.practice_id if account else None, actor.practice_id if actor.kind == "kiosk" else None], limits
    )


def _decide(
    actor: Actor,
    account: OnlineAccount | None,
    password_ok: bool,
    identifier: str,
    limit: int,
    limits: lockout.GuessLimits,
) -> OnlineAccount | None:
    """Records the attempt (and counts a failure); the account if it may sign in, else None."""
    now = utcnow()
    if account is None:
        lockout.count_failure(identifier, actor.source, limit, limits, now)
        append(actor, "patient.sign_in", outcome="failed", detail="unknown account id")
        return None
    account = OnlineAccount.get_by_id(account.id)  # suspension as of now, not as of before hashing
    context = {"practice_id": account.practice_id, "patient_id": account.patient_id, "obj": account}
    if not password_ok:
        lockout.count_failure(identifier, actor.source, limit, limits, now)
        append(actor, "patient.sign_in", outcome="failed", **context)
        return None
    if account.is_suspended:
        append(actor, "patient.sign_in", outcome="refused", detail="suspended", **context)
        return None
    lockout.clear(identifier)
    # The home page tells what is new since the visit before this one.
    OnlineAccount.update(previous_visit_at=OnlineAccount.last_visit_at, last_visit_at=now).where(
        OnlineAccount.id == account.id
    ).execute()
    append(_as(account, actor), "patient.sign_in", patient_id=account.patient_id, obj=account)
    return account


def sign_out(actor: Actor) -> None:
    with database.atomic():
        append(actor, "patient.sign_out")
