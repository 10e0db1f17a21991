"""Online sign-up from the kiosk (issue 13): after checking in, a patient not registered for online services may
ask for a registration letter. Nothing is switched on here: reception checks identity at the desk (R1) and issues
the letter, which converts the request.

The kiosk knows the patient only through the appointment just checked in; its screens never show who they are.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from peewee import JOIN, IntegrityError

from kiosk.actor import Actor
from kiosk.clock import local_day_bounds, utcnow
from kiosk.db import database
from kiosk.models import Appointment, IdentityCheck, OnlineAccount, Patient, SignupRequest
from kiosk.services import DomainError
from kiosk.services.audit import append, viewed
from kiosk.services.reports import registered_accounts

REQUEST = "online.signup_request"
DECLINE = "online.signup_decline"
# The check-in the offer is about must have happened: arrived, or already called in by the time they answer.
CHECKED_IN = ("arrived", "called", "in_consultation", "seen")


def _checked_in(actor: Actor, appointment_id: int) -> Appointment:
    appointment = Appointment.get_in_practice(actor.practice_id, appointment_id)
    if appointment.status not in CHECKED_IN:
        raise DomainError("This appointment is not checked in")
    return appointment


def should_offer(actor: Actor, appointment_id: int) -> bool:
    """Offer sign-up to this appointment's patient? Not when they are registered (the uptake report's definition),
    not when their access was switched off (R8: reception decides, not the kiosk), and not when a request of theirs
    is still waiting for reception."""
    appointment = Appointment.get_in_practice(actor.practice_id, appointment_id)
    patient_id = appointment.patient_id
    if registered_accounts(actor.practice_id).where(OnlineAccount.patient == patient_id).exists():
        return False
    suspended = OnlineAccount.for_practice(actor.practice_id).where(
        (OnlineAccount.patient == patient_id) & OnlineAccount.suspended_at.is_null(False)
    )
    if suspended.exists():
        return False
    return not open_for_patient(actor.practice_id, patient_id).exists()


def open_for_patient(practice_id: int, patient_id: int):
    return SignupRequest.for_practice(practice_id).where(
        (SignupRequest.patient == patient_id) & SignupRequest.converted_at.is_null()
    )


def request_letter(actor: Actor, appointment_id: int) -> SignupRequest:
    """The patient's "yes". One request per appointment, whatever the number of taps: the database's unique index
    decides between two at the same moment, and the loser returns the winner's row."""
    with database.atomic():
        appointment = _checked_in(actor, appointment_id)
        existing = SignupRequest.get_or_none(SignupRequest.appointment == appointment.id)
        if existing is not None:
            return existing  # a repeated tap changes nothing and records nothing
        try:
            # A savepoint, so losing the race rolls back only this insert.
            with database.atomic():
                created = SignupRequest.create(
                    practice=actor.practice_id,
                    appointment=appointment.id,
                    patient=appointment.patient_id,
                    kiosk=actor.id if actor.kind == "kiosk" else None,
                )
        except IntegrityError:
            return SignupRequest.get(SignupRequest.appointment == appointment.id)
        append(actor, REQUEST, patient_id=appointment.patient_id, obj=created, detail="asked for a registration letter")
    return created


def decline(actor: Actor, appointment_id: int) -> None:
    """The patient's "no": recorded, and nothing else happens."""
    with database.atomic():
        appointment = _checked_in(actor, appointment_id)
        append(actor, DECLINE, patient_id=appointment.patient_id, obj=appointment, detail="declined the offer")


def convert_for_account(actor: Actor, account: OnlineAccount) -> int:
    """Mark the patient's open requests done. Call inside the transaction that issues their registration letter."""
    if account.patient_id is None:
        return 0
    requests = list(open_for_patient(actor.practice_id, account.patient_id))
    if not requests:
        return 0
    SignupRequest.update(converted_at=utcnow(), converted_by=actor.id).where(
        SignupRequest.id.in_([r.id for r in requests])
    ).execute()
    for r in requests:
        append(
            actor, "online.signup_convert", patient_id=account.patient_id, obj=r, detail="registration letter issued"
        )
    return len(requests)


@dataclass(frozen=True)
class Waiting:
    """One row of reception's list of sign-up requests."""

    id: int
    requested_at: datetime
    patient_id: int
    patient_name: str
    date_of_birth: date
    account_id: int | None
    converted_at: datetime | None
    identity_checked: bool = False
    suspended: bool = False


def requests_list(actor: Actor, *, days: int = 14) -> list[Waiting]:
    """Open requests, oldest first, then those converted in the last `days`; the read is audited (R12)."""
    since = utcnow() - timedelta(days=days)
    rows = (
        SignupRequest.select(
            SignupRequest.id,
            SignupRequest.requested_at,
            Patient.id,
            Patient.given_name,
            Patient.family_name,
            Patient.date_of_birth,
            OnlineAccount.id,
            SignupRequest.converted_at,
            OnlineAccount.suspended_at,
        )
        .join(Patient, on=(Patient.id == SignupRequest.patient))
        .join(
            OnlineAccount,
            JOIN.LEFT_OUTER,
            on=(OnlineAccount.patient == Patient.id) & (OnlineAccount.practice == actor.practice_id),
        )
        .where(
            (SignupRequest.practice == actor.practice_id)
            & (SignupRequest.converted_at.is_null() | (SignupRequest.converted_at >= since))
        )
        .order_by(SignupRequest.converted_at.is_null(False), SignupRequest.requested_at, SignupRequest.id)
        .tuples()
    )
    rows = list(rows)
    accounts = {r[6] for r in rows if r[6] is not None}
    checked = (
        set(
            IdentityCheck.select(IdentityCheck.account)
            .where((IdentityCheck.practice == actor.practice_id) & IdentityCheck.account.in_(accounts))
            .tuples()
            .iterator()
        )
        if accounts
        else set()
    )
    checked = {a for (a,) in checked}
    found = [
        Waiting(r[0], r[1], r[2], f"{r[3]} {r[4]}", r[5], r[6], r[7], r[6] in checked, r[8] is not None) for r in rows
    ]
    viewed(actor, "online.signup_list", patient_id=None, detail=f"{len(found)} request(s)")
    return found


@dataclass(frozen=True)
class SignupCounts:
    requests: int
    conversions: int


def counts(practice_id: int, start: date, end: date) -> SignupCounts:
    """Requests made, and requests converted, from `start` to `end` inclusive (London days)."""
    begin, _ = local_day_bounds(start)
    _, finish = local_day_bounds(end)
    scoped = SignupRequest.for_practice(practice_id)
    made = scoped.where((SignupRequest.requested_at >= begin) & (SignupRequest.requested_at < finish))
    converted = scoped.where((SignupRequest.converted_at >= begin) & (SignupRequest.converted_at < finish))
    return SignupCounts(made.count(), converted.count())


def open_count(practice_id: int) -> int:
    return SignupRequest.for_practice(practice_id).where(SignupRequest.converted_at.is_null()).count()
