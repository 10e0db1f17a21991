"""The practice's patient list: reception adds and corrects patients, and records that someone left or died.

Every change is audited with the old and the new value (R12). Leaving is one transaction that ends everything the
patient could do or have done for them: online access and its registration keys, proxy access in both directions,
future bookings. The record and its audit stay; check-in and the uptake report stop counting them.
"""

from dataclasses import asdict, dataclass, fields
from datetime import date

from peewee import IntegrityError

from kiosk.actor import Actor
from kiosk.clock import local_today, utcnow
from kiosk.db import database
from kiosk.models import LEFT_REASONS, Appointment, Clinician, LinkageKey, OnlineAccount, Patient, ProxyLink, Slot
from kiosk.models.people import normalise_nhs_number, normalise_postcode
from kiosk.services import DomainError
from kiosk.services.audit import append
from kiosk.services.booking import describe, describe_time
from kiosk.services.web_sessions import end_sessions_for

DUPLICATE_NHS_NUMBER = "A patient with this NHS number is already on the practice list"


@dataclass(frozen=True)
class PatientDetails:
    """What reception types or a list import carries, already checked for shape."""

    title: str
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    nhs_number: str
    address: str = ""
    postcode: str = ""
    mobile: str = ""
    email: str = ""
    nominated_pharmacy: str = ""

    def cleaned(self) -> "PatientDetails":
        """The stored form: trimmed text, ten-digit NHS number, postcode in capitals with one space."""
        values = {k: v.strip() if isinstance(v, str) else v for k, v in asdict(self).items()}
        values["nhs_number"] = normalise_nhs_number(values["nhs_number"])
        values["postcode"] = normalise_postcode(values["postcode"]) if values["postcode"] else ""
        return PatientDetails(**values)


DETAIL_FIELDS = tuple(f.name for f in fields(PatientDetails))


def details_of(patient: Patient) -> PatientDetails:
    return PatientDetails(**{name: getattr(patient, name) for name in DETAIL_FIELDS})


def describe_changes(before: dict, after: dict) -> str:
    """'family_name: 'Shaw' -> 'Brown'; mobile: '' -> '07700 900123'', for the audit log."""
    return "; ".join(
        f"{name}: {before[name]!s:.100} -> {after[name]!s:.100}" for name in after if before[name] != after[name]
    )


def add_patient(actor: Actor, details: PatientDetails) -> Patient:
    """A new patient on the list. The unique (practice, NHS number) index decides duplicates, even in a race."""
    details = details.cleaned()
    try:
        with database.atomic():
            patient = Patient.create(practice=actor.practice_id, **asdict(details))
            append(actor, "patient.create", patient_id=patient.id, obj=patient, detail=_summary(details))
    except IntegrityError:
        raise DomainError(DUPLICATE_NHS_NUMBER, field="nhs_number") from None
    return patient


def update_patient(actor: Actor, patient_id: int, details: PatientDetails) -> Patient:
    """Correct a patient's details. Only fields that changed are written, each with its old and new value."""
    details = details.cleaned()
    patient = Patient.get_in_practice(actor.practice_id, patient_id)
    try:
        with database.atomic():
            patient = Patient.get_in_practice(actor.practice_id, patient_id)
            before = asdict(details_of(patient))
            after = asdict(details)
            changed = {name: value for name, value in after.items() if before[name] != value}
            if not changed:
                return patient
            Patient.update(**changed).where(Patient.id == patient.id).execute()
            append(actor, "patient.update", patient_id=patient.id, obj=patient, detail=describe_changes(before, after))
    except IntegrityError:
        raise DomainError(DUPLICATE_NHS_NUMBER, field="nhs_number") from None
    return Patient.get_by_id(patient.id)


def _summary(details: PatientDetails) -> str:
    return f"NHS number {details.nhs_number}; born {details.date_of_birth.isoformat()}"


@dataclass(frozen=True)
class CancelledBooking:
    when: str
    clinician: str


@dataclass(frozen=True)
class Leaving:
    patient: Patient
    cancelled: list[CancelledBooking]
    proxies_ended: int
    online_access_ended: bool


def mark_left(actor: Actor, patient_id: int, reason: str, on: date) -> Leaving:
    """Record that the patient left the practice or died, and end everything that depended on them being here.

    One transaction: either all of it happens or none of it does."""
    if reason not in LEFT_REASONS:
        raise DomainError("Choose whether they left the practice or died", field="reason")
    if on > local_today():
        raise DomainError("The date must be today or in the past", field="day")
    now = utcnow()
    label = LEFT_REASONS[reason]
    with database.atomic():
        patient = Patient.get_in_practice(actor.practice_id, patient_id)
        if patient.has_left:
            raise DomainError(f"This patient is already recorded as: {patient.left_label.lower()}")
        Patient.update(left_on=on, left_reason=reason, left_recorded_at=now).where(Patient.id == patient.id).execute()
        append(actor, "patient.left", patient_id=patient.id, obj=patient, detail=f"{label} on {on.isoformat()}")
        account = OnlineAccount.get_or_none(OnlineAccount.patient == patient.id)
        if account is not None:
            _end_online_access(actor, account, now, label)
        proxies_ended = _end_proxies(actor, patient, account, now, label)
        cancelled = _cancel_future_bookings(actor, patient, now, label)
    return Leaving(Patient.get_by_id(patient.id), cancelled, proxies_ended, account is not None)


def _end_online_access(actor: Actor, account: OnlineAccount, now, label: str) -> None:
    # Switched off with the reason, as R8's suspension is, so that every check for a suspended account applies.
    if account.suspended_at is None:
        OnlineAccount.update(suspended_at=now, suspended_reason=label).where(OnlineAccount.id == account.id).execute()
    LinkageKey.update(revoked_at=now, revoked_reason=label.lower()).where(
        (LinkageKey.account == account.id) & LinkageKey.used_at.is_null() & LinkageKey.revoked_at.is_null()
    ).execute()
    end_sessions_for("patient", account.id)
    append(actor, "online.suspend", patient_id=account.patient_id, obj=account, detail=label)


def _end_proxies(actor: Actor, patient: Patient, account: OnlineAccount | None, now, label: str) -> int:
    """Others acting for them, and them acting for others."""
    links = ProxyLink.patient == patient.id
    if account is not None:
        links |= ProxyLink.proxy == account.id
    ended = 0
    for link in ProxyLink.select().where(
        links & (ProxyLink.status == "active") & (ProxyLink.practice == patient.practice_id)
    ):
        ProxyLink.update(status="ended", reason=(link.reason + "\n" if link.reason else "") + f"Ended: {label}").where(
            ProxyLink.id == link.id
        ).execute()
        append(actor, "proxy.end", patient_id=link.patient_id, obj=link, detail=f"{label}: patient {patient.id}")
        ended += 1
    return ended


def _cancel_future_bookings(actor: Actor, patient: Patient, now, label: str) -> list[CancelledBooking]:
    future = (
        Appointment.select(Appointment, Slot, Clinician)
        .join(Slot)
        .join(Clinician)
        .where((Appointment.patient == patient.id) & (Appointment.status == "booked") & (Slot.starts_at > now))
        .order_by(Slot.starts_at)
    )
    cancelled = []
    for appointment in future:
        Appointment.update(
            status="cancelled",
            cancelled_at=now,
            cancelled_by=f"{actor.name} ({actor.role})"[:200],
            cancelled_via="staff",
            cancel_reason=label,
        ).where(Appointment.id == appointment.id).execute()
        append(
            actor,
            "appointment.cancel",
            patient_id=patient.id,
            obj=appointment,
            detail=f"{describe(appointment.slot)}; {label}",
        )
        cancelled.append(_booking(appointment))
    return cancelled


def _booking(appointment: Appointment) -> CancelledBooking:
    return CancelledBooking(describe_time(appointment.slot), appointment.slot.clinician.display_name)


def cancelled_on_leaving(practice_id: int, patient_id: int) -> list[CancelledBooking]:
    """The bookings cancelled when the patient's leaving was recorded: they carry the same timestamp."""
    patient = Patient.get_in_practice(practice_id, patient_id)
    if patient.left_recorded_at is None:
        return []
    query = (
        Appointment.select(Appointment, Slot, Clinician)
        .join(Slot)
        .join(Clinician)
        .where(
            (Appointment.patient == patient.id)
            & (Appointment.status == "cancelled")
            & (Appointment.cancelled_at == patient.left_recorded_at)
        )
        .order_by(Slot.starts_at)
    )
    return [_booking(a) for a in query]
