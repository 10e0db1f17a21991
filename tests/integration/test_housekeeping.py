"""Sessions that expire are deleted, cookieless visits leave no rows, cookies are __Host- over HTTPS with HSTS, and
staff searches for patients are audited."""

from datetime import UTC, datetime, timedelta

import pytest

from kiosk import create_app
from kiosk.models import AuditEvent, WebSession
from kiosk.sessions import purge_expired
from tests.builders import make_staff, make_staff_session

START = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def test_a_thousand_cookieless_visits_leave_no_session_rows(app):
    client = app.test_client()
    for _ in range(1000):
        client.delete_cookie("session")
        client.get("/")
    assert WebSession.select().count() == 0


def test_expired_sessions_are_purged_and_live_ones_kept(client, practice, app, time_machine):
    time_machine.move_to(START, tick=False)
    WebSession.create(key="a" * 64, data='{"csrf_token": "x"}')
    make_staff_session(client, make_staff(practice))
    time_machine.shift(timedelta(hours=2, minutes=1))
    WebSession.create(key="b" * 64, data='{"csrf_token": "y"}')
    assert purge_expired(app) == 2  # the old anonymous one, and the staff one idle past 30 minutes
    assert [s.key for s in WebSession.select()] == ["b" * 64]


def test_purge_sessions_command_says_what_it_deleted(app, time_machine):
    time_machine.move_to(START, tick=False)
    WebSession.create(key="a" * 64, data="{}")
    time_machine.shift(timedelta(hours=3))
    result = app.test_cli_runner().invoke(args=["purge-sessions"])
    assert (result.exit_code, "Deleted 1 expired sessions" in result.output) == (0, True)


def test_staff_patient_searches_are_audited(client, staff_client):
    staff = staff_client()
    client.get("/staff/patients/?q=Hall")
    event = AuditEvent.select().where(AuditEvent.action == "patient.search").get()
    assert (event.actor_id, "'Hall'" in event.detail) == (staff.id, True)


@pytest.fixture
def https_app(database_url, monkeypatch):
    monkeypatch.setenv("KIOSK_HTTPS", "1")
    app = create_app({"DATABASE_URL": database_url, "TESTING": True, "SECRET_KEY": "test-secret"})
    with app.app_context():
        yield app


def test_over_https_the_session_cookie_is_host_prefixed_and_secure(https_app):
    cookie = https_app.test_client().get("/staff/sign-in", base_url="https://localhost").headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "; Secure" in cookie and "; Path=/" in cookie and "Domain=" not in cookie


def test_over_https_the_kiosk_cookie_is_host_prefixed(https_app):
    from kiosk.access import kiosk_cookie_name

    assert kiosk_cookie_name() == "__Host-kiosk_device"


def test_over_https_every_answer_sends_hsts(https_app):
    response = https_app.test_client().get("/healthz", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_over_plain_http_there_is_no_hsts(client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
