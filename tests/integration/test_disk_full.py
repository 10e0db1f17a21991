"""A full disk: every user gets a 503 page saying nothing was changed, /healthz says "disk full", and the app
recovers by itself once space returns.

On SQLite the database sits on a small tmpfs that the test fills for real (mounting needs root; without it the test
is skipped). On both backends a second set of tests makes the database raise the OperationalError that PostgreSQL
gives when it cannot extend a file, since its disk is not the test's to fill.
"""

import os
import shutil
import sqlite3
import subprocess

import peewee as pw
import pytest

from kiosk import create_app, faults
from kiosk.db import database
from kiosk.services import audit
from tests.builders import make_practice, make_staff, make_staff_session
from tests.conftest import PageClient

UNAVAILABLE = "Sorry, the service is unavailable"


@pytest.fixture
def small_disk(tmp_path):
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def full_disk_app(small_disk, sqlite_template):
    path = small_disk / "kiosk.sqlite3"
    shutil.copyfile(sqlite_template.template, path)
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{path}",
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "PROPAGATE_EXCEPTIONS": False,
        }
    )
    app.test_client_class = PageClient
    with app.app_context():
        app.staff = make_staff(make_practice())
        database.close()
        yield app, small_disk


HELD = []


@pytest.fixture(autouse=True)
def _close_held():
    yield
    while HELD:
        HELD.pop().close()


def fill(folder, *, another_worker: bool = True) -> None:
    """Empty the WAL into the database (so the next write must grow a file), then take every byte left.

    With another worker holding the database open (as in production) the -wal and -shm files stay, and a write
    fails with "database or disk is full". With none, the last connection to close deletes them, and the next
    connection cannot even be opened ("disk I/O error").
    """
    connection = sqlite3.connect(folder / "kiosk.sqlite3")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if another_worker:
        HELD.append(connection)
    else:
        connection.close()
    with (folder / "filler").open("wb", buffering=0) as f:
        for size in (65536, 512):
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError:
                pass


def free_space(folder) -> None:
    os.unlink(folder / "filler")


def test_a_signed_in_user_gets_the_503_page_not_a_bare_error(full_disk_app):
    app, folder = full_disk_app
    client = app.test_client()
    make_staff_session(client, app.staff)
    database.close()
    fill(folder)
    response = client.get("/staff/patients/?q=Hall")  # audited, so it writes
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    page = response.get_data(as_text=True)
    assert UNAVAILABLE in page and "Nothing was changed" in page


def test_a_signed_in_user_gets_the_503_page_when_no_connection_can_open(full_disk_app):
    app, folder = full_disk_app
    client = app.test_client()
    make_staff_session(client, app.staff)
    database.close()
    fill(folder, another_worker=False)
    response = client.get("/staff/")
    assert (response.status_code, UNAVAILABLE in response.get_data(as_text=True)) == (503, True)
    assert app.test_client().get("/healthz").get_json() == {"status": "disk full"}  # a monitor sends no cookie


def test_an_anonymous_user_gets_the_503_page(full_disk_app):
    app, folder = full_disk_app
    fill(folder)
    response = app.test_client().get("/staff/sign-in")  # its CSRF token is the session's first write
    assert (response.status_code, UNAVAILABLE in response.get_data(as_text=True)) == (503, True)


def test_a_failed_sign_in_on_a_full_disk_gets_the_503_page(full_disk_app):
    app, folder = full_disk_app
    client = app.test_client()
    page = client.get("/staff/sign-in")
    fill(folder)
    from tests.pages import csrf_token

    token = csrf_token(page.get_data(as_text=True))
    response = client.post("/staff/sign-in", data={"csrf_token": token, "email": "x@example.test", "password": "x"})
    assert response.status_code == 503


def test_health_says_disk_full_rather_than_unreachable(full_disk_app):
    app, folder = full_disk_app
    fill(folder)
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.get_json()) == (503, {"status": "disk full"})


def test_the_app_recovers_without_a_restart_once_space_returns(full_disk_app):
    app, folder = full_disk_app
    client = app.test_client()
    make_staff_session(client, app.staff)
    database.close()
    fill(folder)
    assert client.get("/staff/patients/?q=Hall").status_code == 503
    free_space(folder)
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/staff/patients/?q=Hall").status_code == 200
    with app.app_context():
        assert audit.verify_chain().ok


# PostgreSQL's disk cannot be filled from here: the database is made to answer as it does when it is full.

PG_DISK_FULL = 'could not extend file "base/16384/16402": No space left on device'


@pytest.fixture
def disk_full_writes(app, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def refuse(*_args, **_kwargs):
        raise pw.OperationalError(PG_DISK_FULL)

    monkeypatch.setattr(audit, "append", refuse)
    monkeypatch.setattr("kiosk.services.online_access.append", refuse)
    yield refuse
    faults._last_disk_full = 0.0  # this process's memory of the full disk, read by /healthz on PostgreSQL


def test_a_refused_write_gives_the_503_page_to_a_signed_in_user(client, staff_client, disk_full_writes):
    staff_client()
    response = client.get("/staff/patients/?q=Hall")
    assert (response.status_code, UNAVAILABLE in response.get_data(as_text=True)) == (503, True)


def test_a_refused_session_write_gives_the_503_page_to_an_anonymous_user(client, monkeypatch, app):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(faults, "_last_disk_full", 0.0)
    from kiosk.models import WebSession

    def refuse(*_args, **_kwargs):
        raise pw.OperationalError(PG_DISK_FULL)

    monkeypatch.setattr(WebSession, "create", refuse)
    response = client.get("/staff/sign-in")
    assert (response.status_code, UNAVAILABLE in response.get_data(as_text=True)) == (503, True)


def test_health_remembers_a_recent_disk_full_on_postgres(client, staff_client, disk_full_writes, database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("SQLite's disk is inspected directly (see the tmpfs tests)")
    staff_client()
    client.get("/staff/patients/?q=Hall")
    assert client.get("/healthz").get_json() == {"status": "disk full"}
