"""Answers for faults that are not the person's doing: a full disk (503) and every hashing slot taken (429).

Both pages are rendered without the session or the database: when the disk is full the session cannot be saved,
and rendering the usual layout (flashed messages read the session) would turn a clear page into a bare 500.
"""

import shutil
import time
from pathlib import Path

import peewee as pw
from flask import g, make_response, render_template

from kiosk.passwords import HashingBusy

DISK_FULL_MESSAGES = ("database or disk is full", "no space left on device", "could not extend file", "disk full")
RETRY_AFTER_SECONDS = 60
# When this process last saw a disk-full error, for /healthz on PostgreSQL (whose disk the app cannot inspect).
_last_disk_full = 0.0


def is_disk_full(exc: BaseException | None) -> bool:
    """A write refused for lack of space, from SQLite ("database or disk is full") or PostgreSQL (SQLSTATE 53100,
    "could not extend file ... No space left on device"), wherever it sits in the chain of causes."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, pw.OperationalError | OSError) and any(m in str(exc).lower() for m in DISK_FULL_MESSAGES):
            return True
        if getattr(exc, "pgcode", None) == "53100":
            return True
        # SQLite says only "disk I/O error" when it cannot even create its -wal or -shm file: full, if the disk is.
        if isinstance(exc, pw.OperationalError) and "disk i/o error" in str(exc).lower() and storage_full():
            return True
        exc = getattr(exc, "original_exception", None) or exc.__cause__ or exc.__context__
    return False


def disk_full_recently(within_seconds: float = 30) -> bool:
    return time.monotonic() - _last_disk_full < within_seconds


def _bare_page(template: str, status: int, retry_after: int):
    # The session is not saved for this answer: it may be the very write that failed.
    g.session_unwritable = True
    # The kiosk's language lives in its session, which is not read here: a kiosk gets this page in English. A
    # patient's comes from their cookie or browser, neither of which needs the database.
    g.setdefault("kiosk_choice", None)
    response = make_response(render_template(template), status)
    response.headers["Retry-After"] = str(retry_after)
    response.headers["Cache-Control"] = "no-store"
    return response


def disk_full_response():
    global _last_disk_full  # noqa: PLW0603 - one note per process, read by /healthz
    _last_disk_full = time.monotonic()
    return _bare_page("errors/unavailable.html", 503, RETRY_AFTER_SECONDS)


def register(app):
    @app.errorhandler(pw.OperationalError)
    def operational_error(e):
        g.database_failed = True  # this connection is not handed to another request (kiosk/db.py)
        if is_disk_full(e):
            return disk_full_response()
        raise e  # anything else is a real 500

    @app.errorhandler(HashingBusy)
    def hashing_busy(e):
        return _bare_page("errors/busy.html", 429, e.retry_after)


def storage_full(min_free_bytes: int = 256 * 1024) -> bool:
    """For /healthz. SQLite: too little room left beside the database file for a write to land. PostgreSQL: its disk
    is not ours to inspect, so a disk-full error seen by this process in the last half-minute."""
    from kiosk.db import database, is_postgres

    if is_postgres():
        return disk_full_recently()
    folder = Path(database.obj.database).resolve().parent
    try:
        return shutil.disk_usage(folder).free < min_free_bytes
    except OSError:
        return False
