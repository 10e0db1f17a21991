"""flask backup / restore on SQLite: a consistent copy while the app writes, a checksum and integrity check, never a
partial file under DEST, and a restore that checks before replacing and signs everyone out."""

import sqlite3
import threading

import pytest

from kiosk import create_app
from kiosk.access import Actor
from kiosk.db import database
from kiosk.models import AuditEvent, WebSession
from kiosk.services.audit import append, verify_chain
from tests.builders import make_practice, make_staff
from tests.conftest import PageClient


def sqlite_app(template, folder):
    app = create_app({"DATABASE_URL": template.fresh_url(folder), "TESTING": True, "SECRET_KEY": "test-secret"})
    app.test_client_class = PageClient
    return app


@pytest.fixture
def app(sqlite_template, tmp_path):
    app = sqlite_app(sqlite_template, tmp_path)
    with app.app_context():
        yield app


def count(path, table: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - our own table names
    finally:
        connection.close()


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def writers(stop: threading.Event, practice_id: int, threads: int = 3) -> list[threading.Thread]:
    def write():
        actor = Actor("system", None, "writer", "system", practice_id, "test")
        while not stop.is_set():
            with database.atomic():
                append(actor, "test.write")
        database.close()

    started = [threading.Thread(target=write) for _ in range(threads)]
    for t in started:
        t.start()
    return started


def signed_in_sessions(practice, n: int) -> None:
    for _ in range(n):
        staff = make_staff(practice)
        WebSession.create(key=f"k{staff.id:062d}", data="{}", user_kind="staff", user_id=staff.id)


def test_backup_during_writes_then_restore_into_a_fresh_server(app, sqlite_template, tmp_path):
    practice = make_practice()
    signed_in_sessions(practice, 3)
    dest = tmp_path / "backups" / "nightly.sqlite3"
    dest.parent.mkdir()
    stop = threading.Event()
    threads = writers(stop, practice.id)
    while AuditEvent.select().count() < 50:  # the writers are well under way
        pass
    before = AuditEvent.select().count()

    result = run(app, "backup", str(dest))

    stop.set()
    for t in threads:
        t.join()
    after = AuditEvent.select().count()
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    in_backup = count(dest, "audit_event")
    assert before <= in_backup <= after
    assert count(dest, "web_session") == 3
    assert sorted(p.name for p in dest.parent.iterdir()) == ["nightly.sqlite3", "nightly.sqlite3.sha256"]

    fresh = sqlite_app(sqlite_template, tmp_path)  # a new server on a newly migrated, empty database
    result = run(fresh, "restore", "--yes", str(dest))
    assert result.exit_code == 0, result.output
    assert "Ended 3 sessions" in result.output
    with fresh.app_context():
        assert database.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert AuditEvent.select().count() == in_backup
        assert WebSession.select().count() == 0
        assert verify_chain().ok
        assert fresh.test_client().get("/healthz").get_json() == {"status": "ok"}


def test_a_failed_backup_exits_non_zero_and_leaves_nothing(app, tmp_path):
    dest = tmp_path / "missing-folder" / "kiosk.sqlite3"
    result = run(app, "backup", str(dest))
    assert result.exit_code != 0
    assert "Backup failed" in result.output
    assert not dest.parent.exists() or list(dest.parent.iterdir()) == []


def test_a_backup_that_would_fail_its_check_leaves_no_file(app, tmp_path, monkeypatch):
    from kiosk.services import backup

    monkeypatch.setattr(backup, "_integrity", lambda _path: "*** in database main *** Page 7: btree damaged")
    result = run(app, "backup", str(tmp_path / "kiosk.sqlite3"))
    assert (result.exit_code, "integrity check" in result.output) == (1, True)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(("kiosk", ".kiosk"))] == []


def test_a_damaged_backup_is_refused_and_the_database_left_alone(app, tmp_path):
    make_practice()
    dest = tmp_path / "kiosk.sqlite3"
    assert run(app, "backup", str(dest)).exit_code == 0
    make_practice()
    data = bytearray(dest.read_bytes())
    data[5000] ^= 0xFF
    dest.write_bytes(bytes(data))
    result = run(app, "restore", "--yes", str(dest))
    assert (result.exit_code, "does not match its checksum" in result.output) == (1, True)
    assert count(database.obj.database, "practice") == 2


def test_a_backup_without_its_checksum_is_refused(app, tmp_path):
    dest = tmp_path / "kiosk.sqlite3"
    run(app, "backup", str(dest))
    (tmp_path / "kiosk.sqlite3.sha256").unlink()
    assert run(app, "restore", "--yes", str(dest)).exit_code == 1


def test_backup_to_a_folder_names_a_dated_file(app, tmp_path):
    result = run(app, "backup", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert len(list(tmp_path.glob("kiosk-*.sqlite3"))) == 1
