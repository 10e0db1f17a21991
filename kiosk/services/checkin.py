"""Waiting-room check-in (R9): a check-in is recorded only when it matches one of today's appointments.

Every attempt is audited. Failed matches on one kiosk are counted from the audit log, and too many in a short
window pause check-in on that kiosk, so it cannot be used to find out who has an appointment today.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from peewee import fn

from kiosk.actor import Actor
from kiosk.clock import local_day_bounds, local_today, to_local, utcnow
from kiosk.db import database
from kiosk.models import Appointment, AuditEvent, Clinician, Patient, Practice, Slot
from kiosk.services.audit import append
from kiosk.services.calling import issue_ticket

MATCH = "kiosk.match"
CHECK_IN = "kiosk.check_in"


@dataclass(frozen=True)
class Choice:
    """What the kiosk may show about a match: a time and a clinician, never a name."""

    appointment_id: int
    time: str
    clinician: str


@dataclass(frozen=True)
class CheckedIn:
    time: str
    clinician: str
    running_late_minutes: int
    ticket: int


def is_throttled(actor: Actor, *, failures_allowed: int, window_minutes: int) -> bool:
    """Too many failed matches on this kiosk in the last `window_minutes` (KIOSK_FAILURES_ALLOWED and
    KIOSK_FAILURE_WINDOW_MINUTES, passed in by the route)."""
    window = timedelta(minutes=window_minutes)
    failures = (
        AuditEvent.select()
        .where(
            (AuditEvent.actor_kind == "kiosk")
            & (AuditEvent.actor_id == actor.id)
            & (AuditEvent.action == MATCH)
            & (AuditEvent.outcome != "ok")
            & (AuditEvent.at >= utcnow() - window)
        )
        .count()
    )
    return failures >= failures_allowed


def _todays_booked(practice_id: int):
    start, end = local_day_bounds(local_today())
    return Appointment.with_details(practice_id).where(
        (Appointment.status == "booked") & (Slot.starts_at >= start) & (Slot.starts_at < end)
    )


def _in_window(practice: Practice, appointment: Appointment, now) -> bool:
    starts = appointment.slot.starts_at
    early = starts - timedelta(minutes=practice.check_in_early_minutes)
    late = starts + timedelta(minutes=practice.check_in_late_minutes)
    return early <= now <= late


def _choice(appointment: Appointment) -> Choice:
    return Choice(
        appointment.id, to_local(appointment.slot.starts_at).strftime("%H:%M"), appointment.slot.clinician.display_name
    )


def find(actor: Actor, letter: str, sex: str, date_of_birth: date) -> list[Choice]:
    """Today's appointments that match and are inside the check-in window; the attempt is audited either way."""
    practice = Practice.get_by_id(actor.practice_id)
    now = utcnow()
    matches = list(
        _todays_booked(actor.practice_id)
        .where(
            (fn.UPPER(fn.SUBSTR(Patient.family_name, 1, 1)) == letter.upper())
            & (Patient.sex == sex)
            & (Patient.date_of_birth == date_of_birth)
            # Someone recorded as having left or died is no longer the practice's patient to check in.
            & Patient.left_on.is_null()
        )
        .order_by(Slot.starts_at)
    )
    usable = [a for a in matches if _in_window(practice, a, now)]
    with database.atomic():
        if usable:
            append(actor, MATCH, patient_id=usable[0].patient_id, detail=f"{len(usable)} appointment(s)")
        elif matches:
            append(actor, MATCH, patient_id=matches[0].patient_id, outcome="refused", detail="outside check-in window")
        else:
            append(actor, MATCH, outcome="failed", detail="no matching appointment")
    return [_choice(a) for a in usable]


def confirm(actor: Actor, appointment_id: int) -> CheckedIn | None:
    """Mark the appointment arrived. Already arrived (a double tap) counts as success; anything else is None."""
    practice = Practice.get_by_id(actor.practice_id)
    with database.atomic():
        appointment = (
            Appointment.select(Appointment, Slot, Clinician)
            .join(Slot)
            .join(Clinician)
            .where((Appointment.id == appointment_id) & (Appointment.practice == actor.practice_id))
            .first()
        )
        if appointment is None or appointment.status not in ("booked", "arrived"):
            append(actor, CHECK_IN, outcome="refused", detail=f"appointment {appointment_id} not bookable")
            return None
        if appointment.status == "booked":
            if not _in_window(practice, appointment, utcnow()):
                append(
                    actor,
                    CHECK_IN,
                    patient_id=appointment.patient_id,
                    obj=appointment,
                    outcome="refused",
                    detail="outside check-in window",
                )
                return None
            appointment.status = "arrived"
            appointment.arrived_at = utcnow()
            appointment.save()
            append(actor, CHECK_IN, patient_id=appointment.patient_id, obj=appointment)
        ticket = issue_ticket(appointment)
    clinician = appointment.slot.clinician
    return CheckedIn(_choice(appointment).time, clinician.display_name, running_late(clinician), ticket.number)


def running_late(clinician: Clinician) -> int:
    if clinician.running_late_on == local_today():
        return clinician.running_late_minutes
    return 0
