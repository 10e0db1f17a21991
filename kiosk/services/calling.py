"""Numbered tickets and calling patients in by number (issue 13): the waiting room never hears or sees a name.

A ticket is issued when an appointment is marked arrived, at the kiosk or by reception, inside that write's
transaction. Numbers run from 1 each day in each practice, and a unique index makes them unique: two check-ins at
the same moment may both pick the next number, and the one that loses the index tries the number after.
"""

from dataclasses import dataclass
from datetime import datetime

from peewee import IntegrityError, fn

from kiosk.actor import Actor
from kiosk.clock import local_day_bounds, local_today
from kiosk.db import database
from kiosk.models import Appointment, Call, Clinician, Ticket
from kiosk.services import DomainError
from kiosk.services.audit import append

ATTEMPTS = 20
CALL = "appointment.call"


def issue_ticket(appointment: Appointment) -> Ticket:
    """The appointment's ticket, issued now if it has none. Call inside the transaction that marks it arrived."""
    existing = Ticket.get_or_none(Ticket.appointment == appointment.id)
    if existing is not None:
        return existing  # a double tap, or arrived again after an undo: the same number
    day = local_today()
    for _ in range(ATTEMPTS):
        highest = (
            Ticket.select(fn.MAX(Ticket.number))
            .where((Ticket.practice == appointment.practice_id) & (Ticket.day == day))
            .scalar()
        )
        try:
            # A savepoint, so losing the race rolls back only this insert and not the caller's transaction.
            with database.atomic():
                return Ticket.create(
                    practice=appointment.practice_id, appointment=appointment.id, day=day, number=(highest or 0) + 1
                )
        except IntegrityError:
            continue
    raise RuntimeError("no ticket number could be issued")


CALLABLE = ("arrived", "called")  # calling again is allowed: the patient may not have heard the first call


def call_in(actor: Actor, appointment_id: int, room: str = "") -> Call:
    """Call an arrived patient in by ticket number, to `room` or else their clinician's room. Audited either way."""
    with database.atomic():
        appointment = Appointment.get_in_practice(actor.practice_id, appointment_id)
        room = room.strip() or Clinician.get_by_id(appointment.slot.clinician_id).room.strip()
        refusal = None
        if appointment.status not in CALLABLE:
            refusal = DomainError(f"This appointment is {appointment.status_label.lower()}, so it cannot be called")
        elif not room:
            refusal = DomainError("Enter the room to call the patient to", field="room")
        if refusal is not None:
            append(
                actor,
                CALL,
                patient_id=appointment.patient_id,
                obj=appointment,
                outcome="refused",
                detail=refusal.message,
            )
        else:
            ticket = issue_ticket(appointment)
            call = Call.create(
                practice=actor.practice_id, ticket=ticket, number=ticket.number, room=room, called_by=actor.id
            )
            appointment.status = "called"
            appointment.save()
            append(
                actor,
                CALL,
                patient_id=appointment.patient_id,
                obj=appointment,
                detail=f"ticket {ticket.number}, {room}",
            )
    # Raised after the transaction, so the refusal's audit record is kept.
    if refusal is not None:
        raise refusal
    return call


def for_calling(actor: Actor, appointment_id: int) -> Appointment:
    """The appointment the call page is about, with its patient and clinician; the read is audited."""
    appointment = Appointment.with_details(actor.practice_id).where(Appointment.id == appointment_id).get()
    append(actor, "appointment.view_call", patient_id=appointment.patient_id, obj=appointment)
    return appointment


@dataclass(frozen=True)
class Called:
    """One line of the calling display: never more than the number, the room and the time."""

    id: int
    number: int
    room: str
    called_at: datetime


def recent_calls(practice_id: int, limit: int = 5) -> list[Called]:
    start, end = local_day_bounds(local_today())
    rows = (
        Call.select(Call.id, Call.number, Call.room, Call.called_at)
        .where((Call.practice == practice_id) & (Call.called_at >= start) & (Call.called_at < end))
        .order_by(Call.called_at.desc(), Call.id.desc())
        .limit(limit)
        .tuples()
    )
    return [Called(*row) for row in rows]
