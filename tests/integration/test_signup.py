"""Online sign-up from the kiosk (issue 13): after checking in, a patient not registered for online services may ask
for a registration letter; reception turns the request into the letter, and the uptake report counts both."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from peewee import IntegrityError

from kiosk.access import KIOSK_COOKIE
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import AuditEvent, OnlineAccount, SignupRequest
from tests.builders import (
    actor_for,
    local_time_today,
    make_appointment,
    make_clinician,
    make_kiosk,
    make_online_account,
    make_patient,
    make_practice,
    make_registered_account,
    make_slot,
    make_staff,
    make_staff_session,
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
    # The idle reset still returns the screen to the start, with a little longer to read the offer.
    main = check_html(html).css_first("main")
    assert (main.attributes["data-reset-after"], main.attributes["data-reset-url"]) == ("20", "/kiosk/")
    assert '<meta http-equiv="refresh" content="20;url=/kiosk/">' in html


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


# Reception: the marker on arrivals, the list, and the letter that converts the request.


def asked(practice, **patient):
    """A patient who checked in and said yes at the kiosk (through the service, as the kiosk's route does)."""
    from kiosk.services import signup

    person = make_patient(practice, **{"given_name": "Olwen", "family_name": "Shaw", **patient})
    appointment = make_appointment(person, make_slot(make_clinician(practice)))
    appointment.status = "arrived"
    appointment.save()
    return signup.request_letter(actor_for(make_kiosk(practice, token=f"k{appointment.id}")), appointment.id)


def desk(client, practice, role="reception"):
    staff = make_staff(practice, role)
    make_staff_session(client, staff)
    return staff


@pytest.mark.parametrize("role", ["reception", "manager"])
def test_arrivals_marks_the_row_of_a_patient_who_asked_and_links_to_the_request(client, practice, role):
    request = asked(practice)
    desk(client, practice, role)
    row = check_html(client.get("/staff/arrivals/").get_data(as_text=True)).css_first(
        f"#appointment-{request.appointment_id}"
    )
    marker = row.css_first("a.app-asked-online")
    assert marker.text() == "Asked for online access"
    assert marker.attributes["href"] == f"/staff/online-requests/#request-{request.id}"


def test_clinicians_see_neither_the_marker_nor_the_list(client, practice):
    request = asked(practice)
    desk(client, practice, "clinician")
    html = client.get("/staff/arrivals/").get_data(as_text=True)
    assert f"appointment-{request.appointment_id}" in html and "Asked for online access" not in html
    assert "Online requests" not in html
    assert client.get("/staff/online-requests/").status_code == 404


def test_the_list_shows_waiting_requests_with_the_next_step_and_is_audited(client, practice):
    request = asked(practice)
    staff = desk(client, practice)
    tree = check_html(client.get("/staff/online-requests/").get_data(as_text=True))
    row = tree.css_first(f"#request-{request.id}")
    assert "Olwen Shaw" in row.text() and "Waiting" in row.text()
    assert row.css_first("form").attributes["action"] == f"/staff/patients/{request.patient_id}/online-access"
    event = AuditEvent.get(AuditEvent.action == "online.signup_list")
    assert (event.actor_id, event.detail) == (staff.id, "1 request(s)")


def test_the_list_shows_only_this_practices_requests(client, practice):
    other = make_practice(ods_code="Z99999", name="Elsewhere")
    asked(other, given_name="Zebedee")
    desk(client, practice)
    html = client.get("/staff/online-requests/").get_data(as_text=True)
    assert "Zebedee" not in html and "Nobody has asked" in html


def test_reception_turns_the_request_into_a_registration_letter_and_it_converts(client, practice):
    request = asked(practice)
    staff = desk(client, practice)
    # From the list: set up online services, which goes straight to the identity check.
    started = client.form_post(
        f"/staff/patients/{request.patient_id}/online-access", token_from="/staff/online-requests/"
    )
    account = OnlineAccount.get(OnlineAccount.patient == request.patient_id)
    assert started.headers["Location"].endswith(f"/staff/online-accounts/{account.id}/identity")
    client.form_post(
        f"/staff/online-accounts/{account.id}/identity", {"method": "documents", "evidence": "Passport and a bill"}
    )
    row = check_html(client.get("/staff/online-requests/").get_data(as_text=True)).css_first(f"#request-{request.id}")
    letter_form = row.css_first(f"form[action='/staff/online-accounts/{account.id}/letter']")
    assert letter_form is not None
    issued = client.form_post(f"/staff/online-accounts/{account.id}/letter", token_from="/staff/online-requests/")
    assert issued.headers["Location"].endswith(f"/staff/online-accounts/{account.id}/letter")
    converted = SignupRequest.get_by_id(request.id)
    assert (converted.converted_by_id, converted.converted_at is not None) == (staff.id, True)
    assert AuditEvent.get(AuditEvent.action == "online.signup_convert").patient_id == request.patient_id
    row = check_html(client.get("/staff/online-requests/").get_data(as_text=True)).css_first(f"#request-{request.id}")
    assert "Letter issued" in row.text()
    arrivals = client.get("/staff/arrivals/").get_data(as_text=True)
    assert "Asked for online access" not in arrivals


def test_a_refused_letter_leaves_the_request_waiting(client, practice):
    request = asked(practice)
    desk(client, practice)
    account = make_online_account(practice, request.patient)  # no identity check yet: the letter is refused
    client.form_post(f"/staff/online-accounts/{account.id}/letter", token_from="/staff/online-requests/")
    assert SignupRequest.get_by_id(request.id).converted_at is None


def test_uptake_counts_requests_and_conversions_in_the_period(client, practice, time_machine):
    from kiosk.services import online_access

    time_machine.move_to(datetime(2026, 6, 10, 9, 0, tzinfo=UTC), tick=False)
    first, second = asked(practice), asked(practice)
    time_machine.move_to(datetime(2026, 6, 20, 9, 0, tzinfo=UTC), tick=False)
    asked(practice)
    staff = make_staff(practice, "reception")
    account = make_registered_account(practice, first.patient)
    online_access.issue_registration_letter(actor_for(staff), account.id)
    make_staff_session(client, make_staff(practice, "manager"))

    def counts(query):
        tree = check_html(client.get(f"/staff/reports/uptake{query}").get_data(as_text=True))
        caption = [t for t in tree.css("table") if t.css_first("caption").text().startswith("Kiosk sign-up")][0]
        return [td.text() for td in caption.css("td.nhsuk-table__cell--numeric")]

    assert counts("?date_from=01/06/2026&date_to=15/06/2026") == ["2", "0"]
    assert counts("?date_from=16/06/2026&date_to=30/06/2026") == ["1", "1"]
    assert counts("") == ["3", "1"]  # the last 30 days
    text = client.get("/staff/reports/uptake.csv?date_from=16/06/2026&date_to=30/06/2026").get_data(as_text=True)
    assert "Asked for a registration letter at the kiosk,1" in text and "registration letter,1" in text
    assert second.converted_at is None


def test_uptake_with_an_impossible_period_says_so_next_to_the_field(client, practice):
    make_staff_session(client, make_staff(practice, "manager"))
    response = client.get("/staff/reports/uptake?date_from=31/02/2026")
    assert response.status_code == 400
    tree = check_html(response.get_data(as_text=True))
    assert "real date" in tree.css_first("#date_from-error").text()
    assert tree.css_first("title").text().startswith("Error: ")
