"""Staff sessions live on the server: sign-out, idle time and disabling an account end them there."""

from datetime import UTC, datetime, timedelta

from kiosk.models import WebSession
from tests.builders import make_practice, make_staff, make_staff_session
from tests.conftest import sign_in
from tests.pages import csrf_token

SESSION = "session"
START = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


def is_signed_in(client) -> bool:
    response = client.get("/staff/")
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/staff/sign-in")
        return False
    return response.status_code == 200


def sign_out(client):
    return client.post("/staff/sign-out", data={"csrf_token": csrf_token(client.get("/staff/").get_data(as_text=True))})


def second_client(app):
    return app.test_client()


def test_sign_out_goes_to_the_sign_in_page_saying_so(client):
    make_staff_session(client, make_staff(make_practice()))
    response = sign_out(client)
    assert response.headers["Location"] == "/staff/sign-in?signed_out=1"


def test_sign_out_ends_the_session_for_a_replayed_cookie(client):
    saved = make_staff_session(client, make_staff(make_practice()))
    sign_out(client)
    client.set_cookie(SESSION, saved)
    assert not is_signed_in(client)


def test_sign_out_removes_the_session_from_the_server(client):
    staff = make_staff(make_practice())
    make_staff_session(client, staff)
    sign_out(client)
    assert not WebSession.select().where(WebSession.user_id == staff.id).exists()


def test_sign_out_leaves_other_sessions_of_the_same_person_alone(client, app):
    staff = make_staff(make_practice())
    other = second_client(app)
    make_staff_session(other, staff)
    make_staff_session(client, staff)
    sign_out(client)
    assert is_signed_in(other)


def test_session_survives_29_minutes_idle(client, time_machine):
    time_machine.move_to(START, tick=False)
    make_staff_session(client, make_staff(make_practice()))
    time_machine.shift(timedelta(minutes=29))
    assert is_signed_in(client)


def test_thirty_minutes_idle_ends_the_session(client, time_machine):
    time_machine.move_to(START, tick=False)
    make_staff_session(client, make_staff(make_practice()))
    time_machine.shift(timedelta(minutes=30, seconds=1))
    assert not is_signed_in(client)


def test_idle_session_is_removed_from_the_server_when_next_seen(client, time_machine):
    time_machine.move_to(START, tick=False)
    staff = make_staff(make_practice())
    make_staff_session(client, staff)
    time_machine.shift(timedelta(minutes=31))
    client.get("/staff/")
    assert not WebSession.select().where(WebSession.user_id == staff.id).exists()


def test_activity_restarts_the_idle_clock(client, time_machine):
    time_machine.move_to(START, tick=False)
    make_staff_session(client, make_staff(make_practice()))
    time_machine.shift(timedelta(minutes=20))
    client.get("/staff/arrivals/")
    time_machine.shift(timedelta(minutes=20))
    assert is_signed_in(client)


def test_idle_limit_follows_the_practice_setting(client, app, time_machine):
    time_machine.move_to(START, tick=False)
    make_staff_session(client, make_staff(make_practice(staff_idle_minutes=5)))
    time_machine.shift(timedelta(minutes=6))
    assert not is_signed_in(client)


def test_disabling_an_account_ends_its_sessions(client, app):
    practice = make_practice()
    victim = make_staff(practice, "reception")
    make_staff_session(client, victim)
    manager = second_client(app)
    make_staff_session(manager, make_staff(practice, "manager"))
    manager.form_post(f"/staff/accounts/{victim.id}/disable", token_from="/staff/accounts/")
    assert not is_signed_in(client)


def test_disabling_an_account_deletes_its_sessions_on_the_server(client, app):
    practice = make_practice()
    victim = make_staff(practice, "reception")
    make_staff_session(client, victim)
    manager = second_client(app)
    make_staff_session(manager, make_staff(practice, "manager"))
    manager.form_post(f"/staff/accounts/{victim.id}/disable", token_from="/staff/accounts/")
    assert not WebSession.select().where((WebSession.user_kind == "staff") & (WebSession.user_id == victim.id)).exists()


def test_enabling_again_does_not_bring_old_sessions_back(client, app):
    practice = make_practice()
    victim = make_staff(practice, "reception")
    make_staff_session(client, victim)
    manager = second_client(app)
    make_staff_session(manager, make_staff(practice, "manager"))
    manager.form_post(f"/staff/accounts/{victim.id}/disable", token_from="/staff/accounts/")
    manager.form_post(f"/staff/accounts/{victim.id}/enable", token_from="/staff/accounts/")
    assert not is_signed_in(client)


def test_real_sign_in_then_sign_out_round_trip(client):
    staff = make_staff(make_practice())
    sign_in(client, staff)
    sign_out(client)
    assert not is_signed_in(client)
