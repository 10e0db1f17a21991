"""The one source of 'now'. Times are stored as naive UTC and shown in Europe/London.

Tests move time with time-machine, which patches datetime.now underneath this module.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(LONDON)


def local_today() -> date:
    return to_local(utcnow()).date()


def local_to_utc(value: datetime) -> datetime:
    """A wall-clock time in London (naive) to naive UTC. fold=0 takes the first of a repeated hour."""
    return value.replace(tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """UTC start and end of a London calendar day (23 or 25 hours on clock-change days)."""
    start = local_to_utc(datetime.combine(day, time.min))
    end = local_to_utc(datetime.combine(day + timedelta(days=1), time.min))
    return start, end
