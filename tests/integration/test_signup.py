"""Online sign-up from the kiosk (issue 13): after checking in, a patient not registered for online services may ask
for a registration letter; reception turns the request into the letter, and the uptake report counts both."""

import threading
from datetime import UTC, date, timedelta

import pytest
from peewee import IntegrityError

from kiosk.access import KIOSK_COOKIE
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import AuditEvent, OnlineAccount, SignupRequest
from tests.builders import (
    local_time_today,
    make_appointment,
    make_kiosk,
    make_online_account,
    make_patient,
    make_registered_account,
    make_slot,
)
from tests.integration.test_kiosk_checkin import walk_to_confirm
from tests.pages import check_html, csrf_token

OFFER = "Book appointments and order repeat medicines online. Would you like to ask for a registration letter?"


def shaw(practice, **overrides):
    patient = make_patient(
        practice,
        **{"given_name": "Olwen", "family_name": "Shawcross", "sex": "female", "date_of_birth": date(1985, 3, 14)},
        **overrides,
    )
    return make_appointment(patient)


def check_in(client, appointment):
    walk_to_confirm(client)
    return client.form_post("/kiosk/confirm", {"appointment": appointment.id}, follow_redirects=True)


def answer(client, html: str, choice: str, **kwargs):
    return client.post(f"/kiosk/online-services/{choice}", data={"csrf_token": csrf_token(html)}, **kwargs)


def offer_of(html: str):
    return check_html(html).css_first(".app-signup-offer")


def test_unregistered_patient_is_offered_online_services_after_checking_in_without_their_name(kiosk_client, practice):
    html = check_in(kiosk_client, shaw(practice)).get_data(as_text=True)
    offer = offer_of(html)
    assert offer.css_first("h2").text(strip=True) == OFFER
    buttons = [f.css_first("button").text(strip=True) for f in offer.css("form")]
    assert buttons == ["Yes, ask for a letter", "No, thank you"]
    assert "Olwen" not in html and "Shawcross" not in html and "14 March" not in html


def test_registered_patient_never_sees_the_offer(kiosk_client, practice):
    appointment = shaw(practice)
    make_registered_account(practice, appointment.patient, appointments=True)
    html = check_in(kiosk_client, appointment).get_data(as_text=True)
    assert "You are checked in" in html and offer_of(html) is None and "registration letter" not in html


@pytest.mark.parametrize(
    "account",
    [
        pytest.param({"registered_at": None}, id="letter-not-used-yet"),
        pytest.param({"appointments": False}, id="registered-with-nothing-on"),
    ],
)
def test_patient_not_registered_as_the_uptake_report_counts_it_is_offered(kiosk_client, practice, account):
    appointment = shaw(practice)
    make_registered_account(practice, appointment.patient, **{"appointments": True, **account})
    assert offer_of(check_in(kiosk_client, appointment).get_data(as_text=True)) is not None


def test_patient_whose_access_was_switched_off_is_not_offered(kiosk_client, practice):
    appointment = shaw(practice)
    make_online_account(practice, appointment.patient, suspended_at=utcnow(), suspended_reason="Asked by patient")
    assert offer_of(check_in(kiosk_client, appointment).get_data(as_text=True)) is None


def test_yes_records_one_request_for_the_appointment_and_thanks_the_patient(kiosk_client, practice):
    appointment = shaw(practice)
    html = check_in(kiosk_client, appointment).get_data(as_text=True)
    response = answer(kiosk_client, html, "yes")
    assert response.status_code == 303 and response.headers["Location"].endswith("/kiosk/online-services/thank-you")
    thanks = kiosk_client.get("/kiosk/online-services/thank-you").get_data(as_text=True)
    tree = check_html(thanks)
    assert tree.css_first("h1").text() == "Thank you. Please ask at reception for your registration letter."
    assert tree.css_first("main").attributes["data-reset-after"] == "10" and "Olwen" not in thanks
    request = SignupRequest.get()
    assert (request.appointment_id, request.patient_id, request.kiosk_id, request.converted_at) == (
        appointment.id,
        appointment.patient_id,
        kiosk_client.kiosk.id,
        None,
    )
    event = AuditEvent.get(AuditEvent.action == "online.signup_request")
    assert (event.patient_id, event.actor_kind, event.outcome) == (appointment.patient_id, "kiosk", "ok")


def test_a_double_tap_on_yes_makes_one_request(kiosk_client, practice):
    html = check_in(kiosk_client, shaw(practice)).get_data(as_text=True)
    first, second = answer(kiosk_client, html, "yes"), answer(kiosk_client, html, "yes")
    assert first.headers["Location"] == second.headers["Location"]
    assert SignupRequest.select().count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "online.signup_request").count() == 1


def test_the_database_refuses_a_second_request_for_one_appointment(practice):
    appointment = shaw(practice, status="arrived")
    SignupRequest.create(practice=practice, appointment=appointment, patient=appointment.patient)
    with pytest.raises(IntegrityError), database.atomic():
        SignupRequest.create(practice=practice, appointment=appointment, patient=appointment.patient)


PARALLEL = 6


def test_taps_at_the_same_moment_make_one_request(app, kiosk_client, practice):
    """Real parallel requests through the app: one thread and one database connection each, on the same kiosk and
    its session, released together."""
    html = check_in(kiosk_client, shaw(practice)).get_data(as_text=True)
    token, session_id = csrf_token(html), kiosk_client.get_cookie("session").value
    barrier = threading.Barrier(PARALLEL)
    statuses, errors = [], []

    def tap():
        try:
            client = app.test_client()
            client.set_cookie(KIOSK_COOKIE, "kiosk-device-token")
            client.set_cookie("session", session_id)
            barrier.wait()
            statuses.append(client.post("/kiosk/online-services/yes", data={"csrf_token": token}).status_code)
        except Exception as error:  # noqa: BLE001 - reported below, so a failure in a thread fails the test
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=tap) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert statuses == [303] * PARALLEL
    assert SignupRequest.select().count() == 1


def test_no_records_nothing_but_the_answer_and_returns_to_the_start(kiosk_client, practice):
    appointment = shaw(practice)
    html = check_in(kiosk_client, appointment).get_data(as_text=True)
    response = answer(kiosk_client, html, "no")
    assert response.status_code == 303 and response.headers["Location"].endswith("/kiosk/")
    assert SignupRequest.select().count() == 0
    event = AuditEvent.get(AuditEvent.action == "online.signup_decline")
    assert (event.patient_id, event.outcome) == (appointment.patient_id, "ok")
    # The offer is gone: a late "yes" from the same screen asks for nothing.
    answer(kiosk_client, html, "yes")
    assert SignupRequest.select().count() == 0


def test_the_offer_is_bound_to_the_kiosk_that_made_the_check_in(kiosk_client, practice):
    html = check_in(kiosk_client, shaw(practice)).get_data(as_text=True)
    make_kiosk(practice, token="another-kiosk", name="Upstairs")
    kiosk_client.set_cookie(KIOSK_COOKIE, "another-kiosk")
    response = answer(kiosk_client, html, "yes")
    assert response.headers["Location"].endswith("/kiosk/")
    assert SignupRequest.select().count() == 0


def test_the_offer_lapses_with_the_kiosk_idle_reset(kiosk_client, practice, time_machine):
    html = check_in(kiosk_client, shaw(practice)).get_data(as_text=True)
    later = utcnow() + timedelta(seconds=practice.kiosk_idle_seconds + 1)
    time_machine.move_to(later.replace(tzinfo=UTC), tick=False)
    assert answer(kiosk_client, html, "yes").headers["Location"].endswith("/kiosk/")
    assert SignupRequest.select().count() == 0


def test_the_start_screen_ends_the_offer(kiosk_client, practice):
    html = check_in(kiosk_client, shaw(practice)).get_data(as_text=True)
    kiosk_client.get("/kiosk/")
    answer(kiosk_client, html, "yes")
    assert SignupRequest.select().count() == 0


def test_no_offer_while_an_earlier_request_waits_for_reception(kiosk_client, practice):
    today = shaw(practice)
    earlier = make_appointment(today.patient, make_slot(today.slot.clinician, local_time_today(0, 5)), status="seen")
    SignupRequest.create(practice=practice, appointment=earlier, patient=earlier.patient)
    assert offer_of(check_in(kiosk_client, today).get_data(as_text=True)) is None
    assert OnlineAccount.select().count() == 0
