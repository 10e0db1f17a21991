"""The practice's diary: sessions of slots for a clinician."""

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from kiosk.actor import Actor
from kiosk.clock import local_to_utc
from kiosk.db import database
from kiosk.models import Clinician, Slot
from kiosk.services import DomainError
from kiosk.services.audit import append


def session_slot_times(day: date, start: time, end: time, length_minutes: int) -> list[datetime]:
    """UTC start times of each slot from start to end, London wall-clock time (correct across clock changes)."""
    if length_minutes <= 0 or start >= end:
        raise DomainError("A session must end after it starts and have slots of at least one minute")
    # Step in UTC, not on the wall clock: a session across a clock change then has as many slots as it has real
    # time, none doubled in the hour that never happens in March and none lost in the hour that repeats in October.
    times, cursor = [], local_to_utc(datetime.combine(day, start))
    finish = local_to_utc(datetime.combine(day, end))
    while cursor + timedelta(minutes=length_minutes) <= finish:
        times.append(cursor)
        cursor += timedelta(minutes=length_minutes)
    return times


def create_session(
    actor: Actor,
    clinician: Clinician,
    day: date,
    start: time,
    end: time,
    *,
    length_minutes: int,
    kind: str,
    released_online: bool,
    from_rota: bool = False,
    keep: Callable[[datetime], bool] | None = None,
) -> int:
    """Add a session's slots; slots that already exist for the clinician at that time are left as they are.

    `keep`, when given, chooses which of the session's slot times to make: the rota leaves out times that are closed
    or already taken by another slot, without moving the session's grid of times."""
    times = [t for t in session_slot_times(day, start, end, length_minutes) if keep is None or keep(t)]
    rows = [
        {
            "practice": clinician.practice_id,
            "clinician": clinician.id,
            "starts_at": t,
            "length_minutes": length_minutes,
            "kind": kind,
            "released_online": released_online,
            "from_rota": from_rota,
        }
        for t in times
    ]
    with database.atomic():
        created = Slot.insert_many(rows).on_conflict_ignore().as_rowcount().execute() if rows else 0
        append(
            actor,
            "diary.create_session",
            obj=clinician,
            detail=f"{day} {start:%H:%M}-{end:%H:%M} {kind} x{len(rows)} every {length_minutes} min",
        )
    return created
