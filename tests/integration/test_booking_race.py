"""The last slot at 08:00: many processes book it at once through gunicorn with several workers.

On SQLite and on PostgreSQL exactly one wins, the rest get the polite refusal, and nobody sees a 500. A form sent
many times at once (a double tap on a slow phone) books once and every copy gets the same confirmation.
"""

import json
import multiprocessing
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import psycopg2
import pytest

from kiosk.clock import utcnow
from kiosk.db import database, open_database
from kiosk.models import Appointment, AuditEvent, WebSession
from kiosk.sessions import _digest
from tests.builders import make_clinician, make_online_account, make_patient, make_practice, make_slot
from tests.databases import PG_URL, postgres_reachable
from tests.race_client import form_fields, race

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
WORKERS = 4
RACERS = 20


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_database(name: str, action: str) -> str:
    admin = psycopg2.connect(PG_URL)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if action == "create":
            cursor.execute(f"CREATE DATABASE {name}")
    admin.close()
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def server(request, tmp_path_factory):
    """A fresh database, migrated, served by gunicorn with several workers, for this module's tests (each makes its
    own practice). Yields the base URL, gunicorn's log and the database URL."""
    tmp_path = tmp_path_factory.mktemp("race")
    pg_name = f"kiosk_race_{os.getpid()}"
    if request.param == "postgres":
        if not postgres_reachable():
            pytest.skip("PostgreSQL is not reachable")
        url = _postgres_database(pg_name, "create")
    else:
        url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    env = {**os.environ, "DATABASE_URL": url, "KIOSK_SECRET_KEY": "race-secret", "PYTHONDONTWRITEBYTECODE": "1"}
    subprocess.run([VENV_BIN / "flask", "--app", "wsgi", "migrate"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [VENV_BIN / "gunicorn", "--no-control-socket", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base, process, log)
        yield base, log, url
    finally:
        process.terminate()
        process.wait(timeout=20)
        if request.param == "postgres":
            _postgres_database(pg_name, "drop")


def _wait_until_healthy(base, process, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:  # noqa: S310 - our own http URL
                if response.status == 200:
                    return
        except OSError:  # not listening yet, or too busy starting to answer in time
            time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")


@pytest.fixture
def db(server):
    """The server's database, opened from the test for seeding and for checking what was recorded."""
    connection = open_database(server[2])
    database.initialize(connection)
    connection.connect()
    yield
    connection.close()


def _signed_in_cookie(account) -> str:
    sid = secrets.token_urlsafe(32)
    WebSession.create(
        key=_digest(sid),
        data=json.dumps({"account_id": account.id}),
        user_kind="patient",
        user_id=account.id,
        last_seen_at=utcnow(),
    )
    return f"session={sid}"


def _run(base, path, cookies_and_fields):
    """Every racer loads its page, waits at the barrier, then posts at once. Returns what each got back."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(len(cookies_and_fields)), context.Queue()
    racers = [
        context.Process(target=race, args=(base, path, cookie, fields, barrier, results))
        for cookie, fields in cookies_and_fields
    ]
    for p in racers:
        p.start()
    answers = [results.get(timeout=120) for _ in racers]
    for p in racers:
        p.join(timeout=30)
    return answers


def test_many_patients_racing_for_one_slot_one_wins_the_rest_are_told_politely(server, db):
    base, log, _ = server
    practice = make_practice()
    slot = make_slot(make_clinician(practice), utcnow().replace(second=0, microsecond=0) + timedelta(days=1))
    cookies = []
    for n in range(RACERS):
        patient = make_patient(practice, given_name=f"Racer{n}")
        cookies.append((_signed_in_cookie(make_online_account(practice, patient, appointments=True)), None))

    answers = _run(base, f"/appointments/book/{slot.id}", cookies)

    wins = [a for a in answers if a[0] == 303]
    refused = [a for a in answers if a[0] == 200 and a[2]]
    assert (len(wins), len(refused)) == (1, RACERS - 1), answers
    assert Appointment.select().where((Appointment.slot == slot.id) & (Appointment.status != "cancelled")).count() == 1
    assert wins[0][1] == f"/appointments/{Appointment.get(Appointment.slot == slot.id).id}/booked"
    outcomes = [
        e.outcome
        for e in AuditEvent.select().where(
            (AuditEvent.action == "appointment.book") & (AuditEvent.practice == practice.id)
        )
    ]
    assert (outcomes.count("ok"), outcomes.count("refused")) == (1, RACERS - 1)
    assert "Traceback" not in log.read_text()


def test_one_form_sent_many_times_at_once_books_once_with_the_same_confirmation(server, db):
    base, log, _ = server
    practice = make_practice()
    slot = make_slot(make_clinician(practice), utcnow().replace(second=0, microsecond=0) + timedelta(days=1))
    cookie = _signed_in_cookie(make_online_account(practice, make_patient(practice), appointments=True))
    path = f"/appointments/book/{slot.id}"
    fields = form_fields(base, path, cookie)

    answers = _run(base, path, [(cookie, fields)] * 10)

    (appointment,) = Appointment.select().where(Appointment.slot == slot.id)
    assert answers == [(303, f"/appointments/{appointment.id}/booked", False)] * 10
    assert "Traceback" not in log.read_text()
