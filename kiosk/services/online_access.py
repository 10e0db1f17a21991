"""Reception switching online services on (R1-R4, R8): identity first, services one by one, letters, suspension."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from peewee import IntegrityError

from kiosk.actor import Actor
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import (
    ENHANCED_REVIEW,
    ENHANCED_REVIEW_OVERRIDE,
    CodedEntry,
    IdentityCheck,
    LinkageKey,
    OnlineAccount,
    Patient,
    Practice,
    ProxyLink,
)
from kiosk.services import DomainError, signup
from kiosk.services.audit import append, viewed
from kiosk.services.web_sessions import end_sessions_for

# Easy to read aloud and type: no 0/O or 1/I confusion. 32 symbols = 5 bits each (31 would give 16 x 4.95 < 80).
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
KEY_LENGTH = 16  # 16 x 5 = 80 bits of CSPRNG output (R2)
ACCOUNT_ID_LENGTH = 10
KEY_LIFETIME = timedelta(days=14)


def _random_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def normalise_code(value: str) -> str:
    """What people type: spaces, dashes and lower case are forgiven."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def group(code: str, size: int = 4) -> str:
    return "-".join(code[i : i + size] for i in range(0, len(code), size))


# Leaving or dying ends online access for good (kiosk/services/patient_list.mark_left); nothing may bring it back.
LEFT_THE_PRACTICE = "This patient is no longer registered at the practice, so online services cannot be switched on"


def key_digest(key: str) -> str:
    # An 80-bit random key needs no slow hash: it cannot be guessed, only stolen, and the hash protects the store.
    return hashlib.sha256(normalise_code(key).encode()).hexdigest()


def patient_query(practice_id: int, query: str):
    """By name, date of birth (DD/MM/YYYY or D M YYYY) or NHS number (spaces allowed); None for an empty search."""
    # The form refuses longer searches with a message; this keeps any other caller's query small enough to run.
    query = query.strip()[:100]
    if not query:
        return None
    select = Patient.for_practice(practice_id)
    digits = query.replace(" ", "").replace("-", "")
    if digits.isdigit() and len(digits) == 10:
        select = select.where(Patient.nhs_number == digits)
    elif (born := _parse_date(query)) is not None:
        select = select.where(Patient.date_of_birth == born)
    else:
        for word in query.split()[:6]:
            pattern = f"%{word.lower()}%"
            select = select.where(Patient.given_name.ilike(pattern) | Patient.family_name.ilike(pattern))
    # The id last, so that a page boundary between two people of the same name is the same on every request.
    return select.order_by(Patient.family_name, Patient.given_name, Patient.id)


def find_patients(practice_id: int, query: str, limit: int = 25) -> list[Patient]:
    select = patient_query(practice_id, query)
    return [] if select is None else list(select.limit(limit))


# Rows per page of search results: with the page around them well inside the 14 KB first-load budget.
PAGE_SIZE = 25


@dataclass(frozen=True)
class PatientPage:
    results: list[Patient]
    total: int
    page: int
    pages: int


def search_patients(actor: Actor, query: str, page: int = 1) -> PatientPage:
    """One page of find_patients for a member of staff, audited: the results are personal data (R12)."""
    select = patient_query(actor.practice_id, query)
    if select is None:
        return PatientPage([], 0, 1, 1)
    total = select.count()
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    results = list(select.paginate(page, PAGE_SIZE))
    with database.atomic():
        append(actor, "patient.search", detail=f"{total} found for {query.strip()[:60]!r}; page {page}")
    return PatientPage(results, total, page, pages)


def _parse_date(text: str) -> date | None:
    parts = text.replace("/", " ").replace("-", " ").replace(".", " ").split()
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() for p in parts):
        return None
    day, month, year = (int(p) for p in parts)
    if not 1900 <= year <= 2200:  # outside it no patient was born, and a huge year overflows date()
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def record_access_blocked(patient_id: int) -> bool:
    """R4: the enhanced-review code blocks record access until a later override code records a clinician's review."""
    latest = (
        CodedEntry.select()
        .where(
            (CodedEntry.patient == patient_id) & CodedEntry.snomed_code.in_([ENHANCED_REVIEW, ENHANCED_REVIEW_OVERRIDE])
        )
        .order_by(CodedEntry.effective_on.desc(), CodedEntry.id.desc())
        .first()
    )
    return latest is not None and latest.snomed_code == ENHANCED_REVIEW


def account_for_patient(practice_id: int, patient_id: int) -> OnlineAccount | None:
    return OnlineAccount.for_practice(practice_id).where(OnlineAccount.patient == patient_id).first()


def start_for_patient(actor: Actor, patient_id: int) -> OnlineAccount:
    """An online account for a patient, created with every service off."""
    patient = Patient.get_in_practice(actor.practice_id, patient_id)
    if patient.has_left:
        raise DomainError(LEFT_THE_PRACTICE)
    with database.atomic():
        account = account_for_patient(actor.practice_id, patient.id)
        if account is None:
            account = OnlineAccount.create(
                practice=actor.practice_id,
                patient=patient,
                given_name=patient.given_name,
                family_name=patient.family_name,
                date_of_birth=patient.date_of_birth,
                account_id=_new_account_id(),
            )
            append(actor, "online.account_create", patient_id=patient.id, obj=account)
    return account


def create_for_person(
    actor: Actor, *, given_name: str, family_name: str, date_of_birth: date, method: str, evidence: str
) -> OnlineAccount:
    """An account for someone not registered here, who will act as a proxy. Identity is checked at the same time."""
    with database.atomic():
        account = OnlineAccount.create(
            practice=actor.practice_id,
            given_name=given_name.strip(),
            family_name=family_name.strip(),
            date_of_birth=date_of_birth,
            account_id=_new_account_id(),
        )
        append(actor, "online.account_create", obj=account, detail="proxy not registered at the practice")
        _add_identity_check(actor, account, method, evidence)
    return account


def _new_account_id() -> str:
    while True:
        candidate = _random_code(ACCOUNT_ID_LENGTH)
        if not OnlineAccount.select().where(OnlineAccount.account_id == candidate).exists():
            return candidate


def verify_identity(actor: Actor, account_id: int, method: str, evidence: str) -> IdentityCheck:
    with database.atomic():
        account = OnlineAccount.get_in_practice(actor.practice_id, account_id)
        return _add_identity_check(actor, account, method, evidence)


def _add_identity_check(actor: Actor, account: OnlineAccount, method: str, evidence: str) -> IdentityCheck:
    check = IdentityCheck.create(
        practice=actor.practice_id, account=account, method=method, evidence=evidence.strip(), verified_by=actor.id
    )
    append(actor, "online.identity_verified", patient_id=account.patient_id, obj=account, detail=method)
    return check


def letter_note(account: OnlineAccount) -> str | None:
    """Why the latest letter no longer works, when that was not reception's doing (too many wrong attempts)."""
    latest = account.linkage_keys.order_by(LinkageKey.issued_at.desc(), LinkageKey.id.desc()).first()
    if latest is None or not latest.revoked_reason:
        return None
    return f"The letter's key was cancelled after {latest.revoked_reason}. Issue a new letter."


def latest_identity_check(account: OnlineAccount) -> IdentityCheck | None:
    return account.identity_checks.order_by(IdentityCheck.verified_at.desc(), IdentityCheck.id.desc()).first()


@dataclass(frozen=True)
class ServiceChoice:
    appointments: bool
    prescriptions: bool
    record_level: str
    not_pressured: bool


def set_services(actor: Actor, account_id: int, choice: ServiceChoice) -> OnlineAccount:
    """Switch services on or off. Refused, and the refusal audited, when a rule says no."""
    account = OnlineAccount.get_in_practice(actor.practice_id, account_id)
    if account.patient_id is None:
        raise DomainError("This person is not registered at the practice: they can only act as a proxy")
    enabling = choice.appointments or choice.prescriptions or choice.record_level != "none"
    problem = None
    if enabling and account.patient.has_left:
        problem = (LEFT_THE_PRACTICE, None)
    elif enabling and latest_identity_check(account) is None:
        problem = ("Record how you verified their identity before switching anything on", None)
    elif enabling and not choice.not_pressured:
        problem = ("Confirm you have checked they are not being pressured", "not_pressured")
    elif choice.record_level != "none" and record_access_blocked(account.patient_id):
        problem = ("Their record needs a clinician’s review before record access can be given", "record_level")
    if problem:
        # Recorded in its own transaction and raised after it: raising inside would roll the record back (R12).
        with database.atomic():
            append(
                actor,
                "online.services",
                patient_id=account.patient_id,
                obj=account,
                outcome="refused",
                detail=problem[0],
            )
        raise DomainError(problem[0], field=problem[1])
    with database.atomic():
        account = OnlineAccount.get_in_practice(actor.practice_id, account_id)
        before = _describe(account)
        account.appointments = choice.appointments
        account.prescriptions = choice.prescriptions
        account.record_level = choice.record_level
        account.services_enabled_at = utcnow()
        account.services_enabled_by = actor.id
        account.save()
        append(
            actor,
            "online.services",
            patient_id=account.patient_id,
            obj=account,
            detail=f"{before} -> {_describe(account)}; not pressured confirmed: {choice.not_pressured}",
        )
    return account


def _describe(account: OnlineAccount) -> str:
    return f"appointments={account.appointments} prescriptions={account.prescriptions} record={account.record_level}"


@dataclass(frozen=True)
class RegistrationLetter:
    practice: Practice
    account: OnlineAccount
    key: str
    expires_at: object


def issue_registration_letter(actor: Actor, account_id: int) -> RegistrationLetter:
    """A new linkage key; any previous live key stops working (R2). The key is returned once and never stored."""
    key = _random_code(KEY_LENGTH)
    now = utcnow()
    account = OnlineAccount.get_in_practice(actor.practice_id, account_id)
    problem = None
    if latest_identity_check(account) is None:
        problem = ("no identity check", "Record how you verified their identity before issuing a letter")
    elif account.is_suspended:
        problem = ("suspended", "Online access is suspended: restore it before issuing a letter")
    if problem:
        # Recorded, then raised outside the transaction so the refusal stays in the audit log (R12).
        with database.atomic():
            append(
                actor,
                "online.letter_issue",
                patient_id=account.patient_id,
                obj=account,
                outcome="refused",
                detail=problem[0],
            )
        raise DomainError(problem[1])
    with database.atomic():
        LinkageKey.update(revoked_at=now).where(
            (LinkageKey.account == account.id) & LinkageKey.used_at.is_null() & LinkageKey.revoked_at.is_null()
        ).execute()
        try:
            LinkageKey.create(
                practice=actor.practice_id,
                account=account,
                key_hash=key_digest(key),
                issued_at=now,
                expires_at=now + KEY_LIFETIME,
                issued_by=actor.id,
            )
        except IntegrityError:
            raise DomainError("Another letter was issued at the same moment: check the account and try again") from None
        append(actor, "online.letter_issue", patient_id=account.patient_id, obj=account)
        # The patient's sign-up requests from the kiosk are done with the letter, in the same transaction.
        signup.convert_for_account(actor, account)
    return RegistrationLetter(Practice.get_by_id(actor.practice_id), account, key, now + KEY_LIFETIME)


def suspend(actor: Actor, account_id: int, reason: str) -> OnlineAccount:
    """R8: off at once, everywhere: sessions end and the letter's key stops working."""
    with database.atomic():
        account = OnlineAccount.get_in_practice(actor.practice_id, account_id)
        account.suspended_at = utcnow()
        account.suspended_reason = reason.strip()
        account.save()
        LinkageKey.update(revoked_at=utcnow()).where(
            (LinkageKey.account == account.id) & LinkageKey.used_at.is_null() & LinkageKey.revoked_at.is_null()
        ).execute()
        end_sessions_for("patient", account.id)
        append(actor, "online.suspend", patient_id=account.patient_id, obj=account, detail=reason.strip())
    return account


def restore(actor: Actor, account_id: int) -> OnlineAccount:
    with database.atomic():
        account = OnlineAccount.get_in_practice(actor.practice_id, account_id)
        if account.patient_id is not None and account.patient.has_left:
            raise DomainError(LEFT_THE_PRACTICE)
        account.suspended_at = None
        account.suspended_reason = ""
        account.save()
        append(actor, "online.restore", patient_id=account.patient_id, obj=account)
    return account


@dataclass(frozen=True)
class PatientOverview:
    """What reception's page about one patient shows: their online account, its checks and who acts for them."""

    patient: Patient
    account: OnlineAccount | None
    proxies: list[ProxyLink]
    identity_check: IdentityCheck | None
    letter_note: str | None
    letter_issued: bool
    record_blocked: bool


def patient_overview(actor: Actor, patient_id: int) -> PatientOverview:
    """The page's reads in one place, scoped to the actor's practice and audited as a view of the patient (R12)."""
    patient = Patient.get_in_practice(actor.practice_id, patient_id)
    viewed(actor, "patient.view", patient_id=patient.id, obj=patient)
    account = account_for_patient(actor.practice_id, patient.id)
    proxies = list(
        ProxyLink.select(ProxyLink, OnlineAccount)
        .join(OnlineAccount)
        .where((ProxyLink.patient == patient.id) & (ProxyLink.practice == actor.practice_id))
        .order_by(ProxyLink.decided_at.desc())
    )
    return PatientOverview(
        patient=patient,
        account=account,
        proxies=proxies,
        identity_check=latest_identity_check(account) if account else None,
        letter_note=letter_note(account) if account else None,
        letter_issued=bool(account) and LinkageKey.select().where(LinkageKey.account == account.id).exists(),
        record_blocked=record_access_blocked(patient.id),
    )
