"""The outbox worker against a stand-in for GOV.UK Notify (tests/notify_standin.py), through the real client.

Exactly-once is checked where it matters: the references the stand-in received. Workers run as real processes
(`flask --app wsgi send-notifications`) where crashing or racing is the point, and in-process with an injected
clock where only time moves (backoff, an expired lease).
"""

import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest

from kiosk.clock import utcnow
from kiosk.config import ROOT
from kiosk.db import database
from kiosk.models import Notification
from kiosk.services import booking
from kiosk.services.notify_worker import LogSender, NotifySender, WorkerSettings, config_name, run_once
from tests.builders import (
    actor_for,
    make_appointment,
    make_clinician,
    make_contact_preference,
    make_patient,
    make_registered_account,
    make_slot,
    make_staff,
    make_staff_session,
)
from tests.notify_standin import API_KEY, TEMPLATE_IDS, NotifyStandIn

SETTINGS = WorkerSettings(batch_size=5, lease_seconds=60, max_attempts=3, backoff_seconds=30)


@pytest.fixture
def standin():
    server = NotifyStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def patient(practice):
    return make_patient(practice, given_name="Sophie")


@pytest.fixture
def account(practice, patient):
    account = make_registered_account(practice, patient, appointments=True, prescriptions=True)
    make_contact_preference(practice, account=account)
    return account


def _sender(standin, api_key=API_KEY):
    return NotifySender(api_key, TEMPLATE_IDS, base_url=standin.base_url, timeout=10)


def _env(database_url, standin=None, **extra):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "KIOSK_SECRET_KEY": "test-secret",
        "KIOSK_NOTIFY_BATCH_SIZE": "25",
        "KIOSK_NOTIFY_POLL_SECONDS": "0.2",
        **extra,
    }
    if standin is not None:
        env.update(NOTIFY_API_KEY=API_KEY, NOTIFY_BASE_URL=standin.base_url)
        env.update({config_name(channel, key): tid for (channel, key), tid in TEMPLATE_IDS.items()})
    else:
        env.pop("NOTIFY_API_KEY", None)
    return env


def _worker(env, *args, **kwargs):
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "send-notifications", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _queue(practice, patient, n):
    now = utcnow()
    rows = [
        {
            "practice": practice.id,
            "patient": patient.id,
            "recipient": "07700900123",
            "channel": "sms",
            "template_key": "prescription_ready",
            "personalisation": json.dumps({"practice": practice.name, "whose": "your", "phone": "01234 567890"}),
            "next_attempt_at": now,
            "created_at": now,
        }
        for _ in range(n)
    ]
    with database.atomic():
        for i in range(0, n, 100):
            Notification.insert_many(rows[i : i + 100]).execute()
    return [str(i) for (i,) in Notification.select(Notification.id).order_by(Notification.id).tuples()]


def _book(practice, patient):
    slot = make_slot(make_clinician(practice), utcnow() + timedelta(days=3))
    return booking.book(actor_for(make_staff(practice)), patient.id, slot.id, token=booking.new_token())


def test_a_booking_committed_while_the_worker_is_down_is_sent_once_it_runs(
    database_url, practice, patient, account, standin
):
    _book(practice, patient)
    (row,) = Notification.select()
    assert standin.reference_counts() == {}
    done = _worker(_env(database_url, standin), "--once")
    out, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    assert standin.reference_counts() == {str(row.id): 1}
    row = Notification.get_by_id(row.id)
    (sent,) = standin.notifications.values()
    assert (row.status, row.notify_id, row.notify_status) == ("sent", sent["id"], "created")
    assert sent["recipient"] == "07700900123" and sent["content"]["body"].startswith(
        f"{practice.name}: your appointment on"
    )
    again = _worker(_env(database_url, standin), "--once")
    assert again.communicate(timeout=60)[0].strip() == "Nothing to send."
    assert standin.reference_counts() == {str(row.id): 1}


def test_a_rolled_back_booking_sends_nothing(practice, patient, account, standin):
    with pytest.raises(RuntimeError), database.atomic():
        _book(practice, patient)
        raise RuntimeError("failed after booking")
    assert run_once(_sender(standin), SETTINGS) == {}
    assert standin.reference_counts() == {}


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(database_url, practice, patient, standin):
    references = _queue(practice, patient, 12)
    standin.delay = 0.05  # slow sends
    standin.hold_after = 3  # and the third is never answered: the worker is killed waiting for it
    worker = _worker(_env(database_url, standin, KIOSK_NOTIFY_BATCH_SIZE="5", KIOSK_NOTIFY_LEASE_SECONDS="60"))
    deadline = time.monotonic() + 30
    while sum(standin.reference_counts().values()) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=10)
    standin.hold_after, standin.delay = None, 0
    standin.released.set()
    assert standin.reference_counts() == dict.fromkeys(references[:3], 1)
    # Notify has the third message; the outbox still says "sending", leased to the dead worker.
    recorded = {str(n.id): n.status for n in Notification.select()}
    assert [recorded[r] for r in references[:3]] == ["sent", "sent", "sending"]
    assert Notification.select().where(Notification.status == "sending").count() == 3  # the rest of its batch of 5
    # A new worker, once the lease has run out: it asks Notify about each row the dead one had claimed.
    counts = run_once(_sender(standin), SETTINGS, now=utcnow() + timedelta(seconds=61))
    assert counts == {"sent": 10}
    assert standin.reference_counts() == dict.fromkeys(references, 1)
    assert Notification.select().where(Notification.status == "sent").count() == 12
    third = Notification.get_by_id(int(references[2]))
    assert third.notify_id == next(n["id"] for n in standin.notifications.values() if n["reference"] == references[2])
    assert set(references[2:5]) <= set(standin.lookups)


def test_two_workers_send_500_notifications_exactly_once(database_url, practice, patient, standin):
    references = _queue(practice, patient, 500)
    env = _env(database_url, standin, KIOSK_NOTIFY_BATCH_SIZE="20")
    workers = [_worker(env, "--once") for _ in range(2)]
    outputs = [w.communicate(timeout=120) for w in workers]
    assert [w.returncode for w in workers] == [0, 0], [err for _, err in outputs]
    assert standin.reference_counts() == dict.fromkeys(references, 1)
    assert Notification.select().where(Notification.status == "sent").count() == 500
    # Both took a share (a worker that started late may have found little left, but each claimed a batch or more).
    shares = [int(out.split(" sent")[0].split()[-1]) if " sent" in out else 0 for out, _ in outputs]
    assert sum(shares) == 500


def test_temporary_failures_are_retried_with_backoff(practice, patient, standin):
    (reference,) = _queue(practice, patient, 1)
    standin.fail_next = [500, 429]
    t0 = utcnow()
    assert run_once(_sender(standin), SETTINGS, now=t0) == {"failed_temporary": 1}
    row = Notification.get_by_id(int(reference))
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed_temporary", 1, t0 + timedelta(seconds=30))
    assert "500" in row.last_error
    assert run_once(_sender(standin), SETTINGS, now=t0 + timedelta(seconds=29)) == {}  # not yet due
    assert run_once(_sender(standin), SETTINGS, now=t0 + timedelta(seconds=30)) == {"failed_temporary": 1}
    row = Notification.get_by_id(int(reference))
    assert row.next_attempt_at == t0 + timedelta(seconds=30 + 60) and "429" in row.last_error  # doubled
    assert run_once(_sender(standin), SETTINGS, now=t0 + timedelta(seconds=90)) == {"sent": 1}
    assert standin.reference_counts() == {reference: 1}
    assert Notification.get_by_id(int(reference)).status == "sent"


def test_retries_stop_at_the_limit_and_the_failure_is_permanent(practice, patient, standin):
    (reference,) = _queue(practice, patient, 1)
    standin.fail_next = [500, 500, 500]
    t0 = utcnow()
    for minutes in (0, 10, 20):
        run_once(_sender(standin), SETTINGS, now=t0 + timedelta(minutes=minutes))
    row = Notification.get_by_id(int(reference))
    assert (row.status, row.attempts) == ("failed_permanent", 3)
    assert row.last_error.startswith("Gave up after 3 tries")
    assert run_once(_sender(standin), SETTINGS, now=t0 + timedelta(days=1)) == {}
    assert standin.reference_counts() == {}


def test_an_invalid_number_is_not_retried_and_shows_to_reception(client, practice, patient, standin):
    (reference,) = _queue(practice, patient, 1)
    standin.fail_next = [400]
    assert run_once(_sender(standin), SETTINGS) == {"failed_permanent": 1}
    row = Notification.get_by_id(int(reference))
    assert row.status == "failed_permanent" and "Not a UK mobile number" in row.last_error
    assert run_once(_sender(standin), SETTINGS, now=utcnow() + timedelta(days=1)) == {}
    make_staff_session(client, make_staff(practice, "reception"))
    for url in (f"/staff/patients/{patient.id}", "/staff/messages-not-delivered"):
        html = client.get(url).get_data(as_text=True)
        assert "Messages not delivered" in html, html[-3000:]
        assert "Not a UK mobile number" in html and "07700900123" in html


def test_another_practices_failures_are_not_listed(client, practice, patient, standin):
    from tests.builders import make_practice

    _queue(practice, patient, 1)
    standin.fail_next = [400]
    run_once(_sender(standin), SETTINGS)
    other = make_practice()
    make_staff_session(client, make_staff(other, "reception"))
    assert "07700900123" not in client.get("/staff/messages-not-delivered").get_data(as_text=True)


def test_the_stand_in_refuses_a_token_signed_with_another_secret(practice, patient, standin):
    _queue(practice, patient, 1)
    wrong = API_KEY[:-36] + "00000000-0000-0000-0000-000000000000"
    assert run_once(_sender(standin, wrong), SETTINGS) == {"failed_temporary": 1}
    assert standin.bad_tokens == 1 and standin.reference_counts() == {}


def test_a_reminder_for_an_appointment_no_longer_booked_is_withdrawn(practice, patient, account, standin):
    appointment = make_appointment(patient, make_slot(make_clinician(practice), utcnow() + timedelta(hours=20)))
    from kiosk.services.notifications import enqueue_for

    enqueue_for(practice, patient, "appointment_reminder", appointment=appointment, once=f"reminder:{appointment.id}")
    appointment.status = "arrived"
    appointment.save()
    assert run_once(_sender(standin), SETTINGS) == {"withdrawn": 1}
    assert standin.reference_counts() == {}


def test_without_an_api_key_the_log_sender_prints_each_message_once(database_url, practice, patient, account):
    _book(practice, patient)
    done = _worker(_env(database_url), "--once")
    out, err = done.communicate(timeout=60)
    assert done.returncode == 0, err
    (line,) = [x for x in out.splitlines() if x.startswith("notification ")]
    assert "sms to 07700900123" in line and f"{practice.name}: your appointment on" in line
    assert Notification.get().status == "sent"
    assert run_once(LogSender(), SETTINGS) == {}


def test_the_worker_stops_on_sigterm(database_url, standin):
    worker = _worker(_env(database_url, standin))
    deadline = time.monotonic() + 30
    line = worker.stdout.readline()
    assert "stop with Ctrl-C" in line and time.monotonic() < deadline
    worker.send_signal(signal.SIGTERM)
    out, _ = worker.communicate(timeout=20)
    assert worker.returncode == 0 and "Stopped." in out
