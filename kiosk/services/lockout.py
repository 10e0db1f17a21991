"""Sign-in guessing slowed, never a lock the real person cannot get past (ASVS 2.2.1).

Two counters, in the database so that every gunicorn worker sees the same numbers:

- Per identifier: the email or Account ID as typed, known or not, so that being asked to wait says nothing about
  which exist. After SIGN_IN_FREE_FAILURES failures in a row, each failure makes it wait before it may be tried
  again: SIGN_IN_FIRST_DELAY_SECONDS, doubling, capped at SIGN_IN_MAX_DELAY_MINUTES. Once the wait is over a right
  password always signs in, and clears the count.
- Per source address, across every identifier: failures in the current minute. This is what slows spraying one
  password across many accounts. A surgery's PCs and kiosks all share one address, so the limit is generous and a
  practice may raise it. At sign-in the practice is not known yet, so the limit is the practice's own
  (Practice.source_attempts_per_minute) once what was typed resolves to one of its accounts, or the kiosk the
  request comes from is enrolled there; otherwise the installation's SOURCE_ATTEMPTS_PER_MINUTE.

A refused attempt (still waiting) is not hashed and not counted, so an attacker cannot push a wait further out.
Counting is read-modify-write under a row lock (FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions already
serialise writers), inside the caller's transaction with its audit record.
"""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.clock import utcnow
from kiosk.db import database, is_postgres
from kiosk.models import AttemptCounter, Practice
from kiosk.services import DomainError
from kiosk.translatable import Text

WINDOW = timedelta(minutes=1)
# Counters untouched for this long have nothing left to say: every wait they could hold is over.
KEEP = timedelta(days=1)


@dataclass(frozen=True)
class GuessLimits:
    """How guessing is slowed. The defaults are the installation's (kiosk/config.py reads KIOSK_* overrides, and
    kiosk.access.guess_limits() hands them to the services from a request)."""

    free_failures: int = 5
    first_delay_seconds: int = 60
    max_delay_minutes: int = 15
    source_attempts_per_minute: int = 30
    registration_attempts_per_key: int = 5


DEFAULT_LIMITS = GuessLimits()


class TooManyAttempts(DomainError):
    def __init__(self, seconds: int):
        minutes = max(1, math.ceil(seconds / 60))
        if minutes == 1:
            message = Text("There have been too many tries to sign in. Wait a minute and try again")
        else:
            message = Text(
                "There have been too many tries to sign in. Wait %(minutes)s minutes and try again", minutes=minutes
            )
        super().__init__(message)
        self.seconds = seconds


def identifier_key(kind: str, typed: str) -> str:
    return f"{kind}:{hashlib.sha256(typed.encode()).hexdigest()}"


def source_key(source: str) -> str:
    return f"source:{source or '-'}"[:100]


def source_limit(practice_ids, limits: GuessLimits) -> int:
    """The practice's own limit when the attempt is known to concern one (the highest, if several), else the
    installation's."""
    default = limits.source_attempts_per_minute
    ids = {p for p in practice_ids if p is not None}
    if not ids:
        return default
    own = [p.source_attempts_per_minute for p in Practice.select().where(Practice.id.in_(ids))]
    return max([v for v in own if v is not None] or [default])


def check(identifier: str | None, source: str, now: datetime | None = None) -> None:
    """Raise TooManyAttempts while the identifier or the source must wait. Reads only: no lock, no write."""
    now = now or utcnow()
    keys = [source_key(source)] + ([identifier] if identifier else [])
    waits = [
        (row.blocked_until - now).total_seconds()
        for row in AttemptCounter.select().where(AttemptCounter.key.in_(keys))
        if row.blocked_until is not None and row.blocked_until > now
    ]
    if waits:
        raise TooManyAttempts(math.ceil(max(waits)))


def _locked(key: str, now: datetime) -> AttemptCounter:
    AttemptCounter.insert(key=key, failures=0, window_start=now, updated_at=now).on_conflict_ignore().execute()
    query = AttemptCounter.select().where(AttemptCounter.key == key)
    if is_postgres():
        query = query.for_update()
    return query.get()


def count_failure(
    identifier: str | None, source: str, limit: int, limits: GuessLimits, now: datetime | None = None
) -> None:
    """One more failure for the identifier (if any) and for the source. Call inside a transaction."""
    now = now or utcnow()
    with database.atomic():
        if identifier:
            row = _locked(identifier, now)
            failures = row.failures + 1
            blocked = None
            if failures >= limits.free_failures:
                doublings = min(failures - limits.free_failures, 20)
                delay = min(
                    timedelta(seconds=limits.first_delay_seconds * 2**doublings),
                    timedelta(minutes=limits.max_delay_minutes),
                )
                blocked = now + delay
            AttemptCounter.update(failures=failures, blocked_until=blocked, updated_at=now).where(
                AttemptCounter.key == identifier
            ).execute()
        row = _locked(source_key(source), now)
        if now - row.window_start >= WINDOW:
            start, failures = now, 1
        else:
            start, failures = row.window_start, row.failures + 1
        blocked = start + WINDOW if failures >= limit else None
        AttemptCounter.update(failures=failures, window_start=start, blocked_until=blocked, updated_at=now).where(
            AttemptCounter.key == row.key
        ).execute()


def clear(identifier: str) -> None:
    AttemptCounter.delete().where(AttemptCounter.key == identifier).execute()


def prune(now: datetime | None = None) -> int:
    return AttemptCounter.delete().where(AttemptCounter.updated_at < (now or utcnow()) - KEEP).execute()
