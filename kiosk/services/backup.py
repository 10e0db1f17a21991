"""Backups of the SQLite database, and restoring one. PostgreSQL: pg_dump and pg_restore (README, "Backups").

A backup is taken with SQLite's online backup API (a consistent copy while the app keeps writing), checked with
PRAGMA integrity_check, written under a temporary name and renamed into place, so DEST is either a whole, checked
copy or absent: never empty or half-written. A SHA-256 checksum file sits beside it.
"""

import hashlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from kiosk.db import database, is_postgres


class BackupError(Exception):
    pass


def _sqlite_path() -> Path:
    if is_postgres():
        raise BackupError("This database is PostgreSQL: back it up with pg_dump (see README, Backups)")
    return Path(database.obj.database)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def backup(dest: str | Path) -> Path:
    """Copy the live database to dest (a file, or a folder to put a dated file in). Returns the file written."""
    source = _sqlite_path()
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / f"kiosk-{datetime.now(UTC):%Y%m%d-%H%M%S}.sqlite3"
    temp = dest.with_name(f".{dest.name}.partial")
    temp_sum = checksum_path(temp)
    try:
        live = sqlite3.connect(source)
        copy = sqlite3.connect(temp)
        try:
            live.backup(copy)  # all pages in one step: a snapshot, while other connections go on writing
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            copy.close()
            live.close()
        if (result := _integrity(temp)) != "ok":
            raise BackupError(f"The copy failed its integrity check: {result}")
        _fsync(temp)
        digest = _sha256(temp)
        temp_sum.write_text(f"{digest}  {dest.name}\n")
        os.replace(temp, dest)
        os.replace(temp_sum, checksum_path(dest))
        _fsync(dest.parent)
    except (OSError, sqlite3.Error) as e:
        raise BackupError(f"Backup failed, nothing was written to {dest}: {e}") from e
    finally:
        for leftover in (temp, temp_sum, temp.with_name(temp.name + "-journal")):
            leftover.unlink(missing_ok=True)
    return dest


def verify(path: str | Path) -> str:
    """The checksum of a backup file if it matches its .sha256 and passes the integrity check, else BackupError."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}")
    sums = checksum_path(path)
    if not sums.is_file():
        raise BackupError(f"No checksum file {sums.name} beside the backup: it cannot be trusted")
    expected = sums.read_text().split()[0]
    if _sha256(path) != expected:
        raise BackupError("The backup does not match its checksum: it was changed or damaged")
    if (result := _integrity(path)) != "ok":
        raise BackupError(f"The backup failed its integrity check: {result}")
    return expected


def restore(src: str | Path) -> int:
    """Replace the live database's content with a checked backup, then end every session. Returns sessions ended.

    Copied in through the backup API rather than by renaming files, so that SQLite's locks keep any running worker
    from reading a half-replaced database, and its WAL stays consistent.
    """
    src = Path(src)
    verify(src)
    target = _sqlite_path()
    try:
        backup_connection = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        live = sqlite3.connect(target, timeout=30)
        try:
            backup_connection.backup(live)
            # Everyone signs in again: sessions in the backup may belong to people since signed out or suspended.
            ended = live.execute("DELETE FROM web_session").rowcount
            live.commit()
            if (result := live.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
                raise BackupError(f"The restored database failed its integrity check: {result}")
        finally:
            live.close()
            backup_connection.close()
    except sqlite3.Error as e:
        raise BackupError(f"Restore failed: {e}") from e
    return ended
