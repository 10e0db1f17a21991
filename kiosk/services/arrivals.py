"""Reception's view of today's appointments, and marking arrivals by hand."""

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from peewee import JOIN

from kiosk.actor import Actor
from kiosk.clock import local_day_bounds, local_today, utcnow
from kiosk.db import database
from kiosk.models import Appointment, Clinician, Patient, SignupRequest, Slot, StaffUser, Ticket
from kiosk.models.appointments import STATUSES
from kiosk.services import DomainError
from kiosk.services.audit import append
from kiosk.services.calling import issue_ticket

# What reception may change by hand, and to what.
TRANSITIONS = {
    "arrive": ("booked", "arrived"),
    "undo": ("arrived", "booked"),
    # After a call (kiosk.services.calling): the clinician, or reception for them, moves the patient on.
    "start": ("called", "in_consultation"),
    "seen": ("in_consultation", "seen"),
}


@dataclass(frozen=True, slots=True)
class Arrival:
    """One row of the arrivals list: only what the page shows, read as a tuple (a full day is hundreds of rows, and
    building four model instances per row was most of the page's time)."""

    id: int
    starts_at: datetime
    status: str
    arrived_at: datetime | None
    patient_name: str
    date_of_birth: date
    patient_id: int = 0
    signup_request: int | None = None  # an open sign-up request from the kiosk, for this appointment

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


@dataclass(frozen=True, slots=True)
class ClinicianHeading:
    id: int
    display_name: str


def todays_list(
    practice_id: int, *, signup_requests: bool = False
) -> list[tuple[ClinicianHeading, int, list[Arrival]]]:
    """Today's live appointments grouped by clinician: (clinician, minutes running late, appointments). With
    `signup_requests` (the desk's view), each row also says whether its patient asked at the kiosk for online access."""
    today = local_today()
    start, end = local_day_bounds(today)
    columns = (
        Clinician.id,
        Clinician.display_name,
        Clinician.running_late_on,
        Clinician.running_late_minutes,
        Appointment.id,
        Slot.starts_at,
        Appointment.status,
        Appointment.arrived_at,
        Patient.given_name,
        Patient.family_name,
        Patient.date_of_birth,
        Patient.id,
    )
    if signup_requests:
        columns += (SignupRequest.id,)
    query = (
        Appointment.select(*columns)
        .join(Slot)
        .join(Clinician)
        .switch(Appointment)
        .join(Patient)
        # The practice on both sides, so each table is read through an index that starts with it.
        .where(
            (Appointment.practice == practice_id)
            & (Slot.practice == practice_id)
            & (Appointment.status != "cancelled")
            & (Slot.starts_at >= start)
            & (Slot.starts_at < end)
        )
        .order_by(Clinician.display_name, Clinician.id, Slot.starts_at)
    )
    if signup_requests:
        query = query.join(
            SignupRequest,
            JOIN.LEFT_OUTER,
            on=(SignupRequest.appointment == Appointment.id) & SignupRequest.converted_at.is_null(),
            src=Appointment,
        )
    rows = query.tuples()
    grouped = []
    for (clinician_id, name, late_on, late_minutes), items in groupby(rows, key=lambda r: r[:4]):
        arrivals = [
            Arrival(r[4], r[5], r[6], r[7], f"{r[8]} {r[9]}", r[10], r[11], r[12] if len(r) > 12 else None)
            for r in items
        ]
        grouped.append((ClinicianHeading(clinician_id, name), late_minutes if late_on == today else 0, arrivals))
    return grouped


def change_status(actor: Actor, appointment_id: int, change: str) -> Appointment:
    before, after = TRANSITIONS[change]
    with database.atomic():
        appointment = Appointment.get_in_practice(actor.practice_id, appointment_id)
        if appointment.status == after:
            return appointment  # a repeated click changes nothing and records nothing
        if appointment.status != before:
            append(
                actor,
                f"appointment.{change}",
                patient_id=appointment.patient_id,
                obj=appointment,
                outcome="refused",
                detail=f"status was {appointment.status}",
            )
        else:
            appointment.status = after
            if change in ("arrive", "undo"):
                appointment.arrived_at = utcnow() if after == "arrived" else None
            appointment.save()
            if after == "arrived":
                issue_ticket(appointment)
            append(actor, f"appointment.{change}", patient_id=appointment.patient_id, obj=appointment)
    # Refused after the transaction, so the refusal's audit record is kept (raising inside would roll it back).
    if appointment.status != after:
        raise DomainError(f"This appointment is now {appointment.status_label.lower()}")
    return appointment


def set_running_late(actor: Actor, clinician_id: int, minutes: int) -> Clinician:
    with database.atomic():
        clinician = Clinician.get_in_practice(actor.practice_id, clinician_id)
        clinician.running_late_minutes = minutes
        clinician.running_late_on = local_today()
        clinician.save()
        append(actor, "clinician.running_late", obj=clinician, detail=f"{minutes} minutes")
    return clinician


@dataclass(frozen=True, slots=True)
class MyPatient:
    id: int
    starts_at: datetime
    status: str
    patient_name: str
    ticket: int | None

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


def own_clinician_id(actor: Actor) -> int | None:
    """The clinician in the diary whom this member of staff is (their account's link), or None."""
    return (
        StaffUser.select(StaffUser.clinician)
        .where((StaffUser.id == actor.id) & (StaffUser.practice == actor.practice_id))
        .scalar()
    )


def my_patients_today(actor: Actor) -> list[MyPatient]:
    """The signed-in clinician's own live appointments today, with each arrived patient's ticket number."""
    clinician_id = own_clinician_id(actor)
    if clinician_id is None:
        return []
    start, end = local_day_bounds(local_today())
    rows = (
        Appointment.select(
            Appointment.id, Slot.starts_at, Appointment.status, Patient.given_name, Patient.family_name, Ticket.number
        )
        .join(Slot)
        .switch(Appointment)
        .join(Patient)
        .switch(Appointment)
        .join(Ticket, JOIN.LEFT_OUTER, on=(Ticket.appointment == Appointment.id))
        .where(
            (Appointment.practice == actor.practice_id)
            & (Slot.practice == actor.practice_id)
            & (Slot.clinician == clinician_id)
            & (Appointment.status != "cancelled")
            & (Slot.starts_at >= start)
            & (Slot.starts_at < end)
        )
        .order_by(Slot.starts_at, Appointment.id)
        .tuples()
    )
    return [MyPatient(r[0], r[1], r[2], f"{r[3]} {r[4]}", r[5]) for r in rows]


def own_appointment(actor: Actor, appointment_id: int) -> Appointment:
    """One of the signed-in clinician's own appointments; anyone else's is DoesNotExist (a 404), like a missing one."""
    clinician_id = own_clinician_id(actor)
    return (
        Appointment.select(Appointment)
        .join(Slot)
        .where(
            (Appointment.id == appointment_id)
            & (Appointment.practice == actor.practice_id)
            & (Slot.clinician == clinician_id)
        )
        .get()
    )
