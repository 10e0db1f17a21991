"""Numbered tickets and calling patients in by number (issue 13): the waiting room never hears or sees a name.

A ticket is issued when an appointment is marked arrived, at the kiosk or by reception, inside that write's
transaction. Numbers run from 1 each day in each practice, and a unique index makes them unique: two check-ins at
the same moment may both pick the next number, and the one that loses the index tries the number after.
"""

from peewee import IntegrityError, fn

from kiosk.clock import local_today
from kiosk.db import database
from kiosk.models import Appointment, Ticket

ATTEMPTS = 20


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
