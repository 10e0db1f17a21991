"""Patients and proxies booking and cancelling over real routes: the finder, check, confirm, cancel, and who may."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from kiosk.access import KIOSK_COOKIE
from kiosk.models import Appointment, AuditEvent
from kiosk.services import booking
from tests.builders import (
    make_appointment,
    make_clinician,
    make_kiosk,
    make_online_account,
    make_patient,
    make_patient_session,
    make_practice,
    make_proxy_link,
    make_slot,
    make_staff,
    make_staff_session,
)
from tests.pages import csrf_token

NOW = datetime(2026, 6, 10, 9, 0)  # Wednesday 10 June 2026, 10:00 in London
TOMORROW_10 = datetime(2026, 6, 11, 9, 0)  # Thursday, 10:00 in London


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW.replace(tzinfo=UTC), tick=False)


@pytest.fixture
def clinician(practice):
    return make_clinician(practice, display_name="Dr A Patel")


@pytest.fixture
def patient(practice):
    return make_patient(practice, given_name="George", family_name="Hall")


def as_patient(client, patient, **services):
    account = make_online_account(patient.practice, patient, **{"appointments": True, **services})
    make_patient_session(client, account)
    return account


def page(response) -> HTMLParser:
    return HTMLParser(response.get_data(as_text=True))


def text(response) -> str:
    return re.sub(r"\s+", " ", page(response).body.text())


def title(response) -> str:
    return page(response).css_first("title").text()


def slot_links(response) -> list[str]:
    return [a.attributes["href"] for a in page(response).css(".app-slots a")]


def form_fields(response, action: str) -> dict:
    form = page(response).css_first(f"form[method=post][action='{action}']")
    assert form is not None, f"no form posting to {action}"
    return {n.attributes["name"]: n.attributes.get("value") or "" for n in form.css("input")}


def book(client, slot):
    """As the browser does it: open the check page, then send its form."""
    url = f"/appointments/book/{slot.id}"
    return client.post(url, data=form_fields(client.get(url), url))


def cancel(client, appointment):
    url = f"/appointments/{appointment.id}/cancel"
    return client.post(url, data=form_fields(client.get(url), url))


# Your appointments ------------------------------------------------------------------------------------------------


def test_list_shows_an_upcoming_appointment_with_time_clinician_type_and_place(client, practice, clinician, patient):
    practice.address = "1 River Street, Exampleton"
    practice.save()
    as_patient(client, patient)
    make_appointment(patient, make_slot(clinician, TOMORROW_10))
    shown = text(client.get("/appointments/"))
    assert all(
        s in shown
        for s in ("Thursday 11 June 2026 at 10:00", "Dr A Patel", "GP appointment", "1 River Street, Exampleton")
    )


def test_phone_appointment_says_the_practice_will_phone(client, clinician, patient):
    as_patient(client, patient)
    make_appointment(patient, make_slot(clinician, TOMORROW_10, kind="phone"))
    assert "The practice will phone you" in text(client.get("/appointments/"))


def test_list_offers_cancel_before_the_cut_off(client, clinician, patient):
    as_patient(client, patient)
    appointment = make_appointment(patient, make_slot(clinician, TOMORROW_10))
    assert page(client.get("/appointments/")).css_first(f"a[href='/appointments/{appointment.id}/cancel']")


def test_list_asks_to_phone_after_the_cut_off(client, practice, clinician, patient):
    practice.phone = "01632 960002"
    practice.save()
    as_patient(client, patient)
    appointment = make_appointment(patient, make_slot(clinician, NOW + timedelta(minutes=90)))
    response = client.get("/appointments/")
    assert page(response).css_first(f"a[href='/appointments/{appointment.id}/cancel']") is None
    assert "To cancel, please phone the practice on 01632 960002" in text(response)


def test_list_shows_recent_and_cancelled_appointments(client, clinician, patient):
    as_patient(client, patient)
    make_appointment(patient, make_slot(clinician, NOW - timedelta(days=5)), status="seen")
    make_appointment(patient, make_slot(clinician, TOMORROW_10), status="cancelled")
    rows = [re.sub(r"\s+", " ", r.text()) for r in page(client.get("/appointments/")).css("tbody tr")]
    assert [("Cancelled" in r, "Seen" in r) for r in rows] == [(True, False), (False, True)]


def test_list_shows_nothing_of_another_patient(client, practice, clinician, patient):
    as_patient(client, patient)
    other = make_patient(practice, given_name="Zed", family_name="Other")
    make_appointment(other, make_slot(clinician, TOMORROW_10))
    assert "You have no upcoming appointments" in text(client.get("/appointments/"))


def test_viewing_the_list_is_audited(client, patient):
    as_patient(client, patient)
    client.get("/appointments/")
    assert AuditEvent.get(AuditEvent.action == "appointment.view_list").patient_id == patient.id


def test_home_links_to_booking_when_appointments_are_on(client, patient):
    as_patient(client, patient)
    assert page(client.get("/home")).css_first("a[href='/appointments/book']") is not None


def test_home_has_no_booking_link_when_appointments_are_off(client, patient):
    as_patient(client, patient, appointments=False, prescriptions=True)
    assert page(client.get("/home")).css_first("a[href='/appointments/book']") is None


# Finding a slot ------------------------------------------------------------------------------------------------------


def test_finder_lists_free_released_slots_day_by_day(client, practice, clinician, patient):
    as_patient(client, patient)
    free = make_slot(clinician, TOMORROW_10)
    make_slot(clinician, TOMORROW_10 + timedelta(minutes=10), released_online=False)
    make_appointment(make_patient(practice), make_slot(clinician, TOMORROW_10 + timedelta(minutes=20)))
    response = client.get("/appointments/book")
    assert slot_links(response) == [f"/appointments/book/{free.id}"]
    assert "Thursday 11 June 2026" in text(response)


def test_finder_shows_only_the_chosen_kind(client, clinician, patient):
    as_patient(client, patient)
    make_slot(clinician, TOMORROW_10)
    nurse = make_slot(clinician, TOMORROW_10 + timedelta(hours=1), kind="nurse")
    assert slot_links(client.get("/appointments/book?kind=nurse")) == [f"/appointments/book/{nurse.id}"]


def test_finder_narrows_to_a_clinician(client, practice, clinician, patient):
    as_patient(client, patient)
    other = make_clinician(practice, display_name="Dr B Okafor")
    make_slot(clinician, TOMORROW_10)
    theirs = make_slot(other, TOMORROW_10)
    assert slot_links(client.get(f"/appointments/book?clinician={other.id}")) == [f"/appointments/book/{theirs.id}"]


def test_finder_next_week_link_shows_the_next_week(client, clinician, patient):
    as_patient(client, patient)
    later = make_slot(clinician, TOMORROW_10 + timedelta(days=7))
    first = client.get("/appointments/book")
    next_link = next(a.attributes["href"] for a in page(first).css(".app-pager a") if a.text() == "Next week")
    assert (slot_links(first), slot_links(client.get(next_link))) == ([], [f"/appointments/book/{later.id}"])


def test_finder_for_htmx_sends_only_the_list(client, clinician, patient):
    as_patient(client, patient)
    make_slot(clinician, TOMORROW_10)
    response = client.get("/appointments/book", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert ("<html" in body, "app-slots" in body, "HX-Request" in response.headers["Vary"]) == (False, True, True)


def test_finder_says_how_many_more_can_be_booked(client, patient):
    as_patient(client, patient)
    assert "You can book 2 more appointments online" in text(client.get("/appointments/book"))


def test_finder_explains_the_limit_before_trying(client, clinician, patient):
    as_patient(client, patient)
    for hour in (1, 2):
        make_appointment(patient, make_slot(clinician, TOMORROW_10 + timedelta(hours=hour)), booked_via="online")
    make_slot(clinician, TOMORROW_10)
    response = client.get("/appointments/book")
    assert ("up to 2 appointments booked online" in text(response), slot_links(response)) == (True, [])


# Booking -------------------------------------------------------------------------------------------------------------


def test_check_page_shows_the_slot_before_booking(client, clinician, patient):
    as_patient(client, patient)
    slot = make_slot(clinician, TOMORROW_10)
    response = client.get(f"/appointments/book/{slot.id}")
    assert "Thursday 11 June 2026 at 10:00" in text(response)
    assert Appointment.select().count() == 0


def test_booking_leads_to_the_confirmation(client, clinician, patient):
    as_patient(client, patient)
    response = book(client, make_slot(clinician, TOMORROW_10))
    appointment = Appointment.get()
    assert (response.status_code, response.headers["Location"]) == (303, f"/appointments/{appointment.id}/booked")


def test_confirmation_says_what_to_bring_and_how_to_cancel(client, clinician, patient):
    as_patient(client, patient)
    book(client, make_slot(clinician, TOMORROW_10))
    appointment = Appointment.get()
    response = client.get(f"/appointments/{appointment.id}/booked")
    assert all(s in text(response) for s in ("Appointment booked", "What to bring", "up to 2 hours before. Or phone"))
    assert page(response).css_first(f"a[href='/appointments/{appointment.id}/cancel']") is not None


def test_booked_appointment_is_listed(client, clinician, patient):
    as_patient(client, patient)
    book(client, make_slot(clinician, TOMORROW_10))
    assert "Thursday 11 June 2026 at 10:00" in text(client.get("/appointments/"))


def test_double_submitted_booking_gives_one_booking_and_the_same_confirmation(client, clinician, patient):
    as_patient(client, patient)
    slot = make_slot(clinician, TOMORROW_10)
    url = f"/appointments/book/{slot.id}"
    fields = form_fields(client.get(url), url)
    first, second = client.post(url, data=fields), client.post(url, data=fields)
    assert (first.headers["Location"] == second.headers["Location"], Appointment.select().count()) == (True, 1)


def test_slot_taken_meanwhile_says_sorry_and_shows_the_list_again(client, practice, clinician, patient):
    as_patient(client, patient)
    slot = make_slot(clinician, TOMORROW_10)
    other_free = make_slot(clinician, TOMORROW_10 + timedelta(minutes=10))
    url = f"/appointments/book/{slot.id}"
    fields = form_fields(client.get(url), url)
    make_appointment(make_patient(practice), slot)
    response = client.post(url, data=fields)
    assert (response.status_code, title(response).startswith("Error: ")) == (200, True)
    assert "Sorry, that time has just been booked by someone else" in text(response)
    assert slot_links(response) == [f"/appointments/book/{other_free.id}"]


def test_check_page_of_a_taken_slot_says_sorry(client, practice, clinician, patient):
    as_patient(client, patient)
    slot = make_slot(clinician, TOMORROW_10)
    make_appointment(make_patient(practice), slot)
    assert "Sorry, that time has just been booked by someone else" in text(client.get(f"/appointments/book/{slot.id}"))


def test_booking_over_the_limit_is_refused_with_the_reason(client, clinician, patient):
    as_patient(client, patient)
    slots = [make_slot(clinician, TOMORROW_10 + timedelta(hours=h)) for h in range(3)]
    pages = [(f"/appointments/book/{s.id}", client.get(f"/appointments/book/{s.id}")) for s in slots]
    responses = [client.post(url, data=form_fields(r, url)) for url, r in pages]
    assert [r.status_code for r in responses] == [303, 303, 200]
    assert "up to 2 appointments booked online" in text(responses[2])
    assert Appointment.select().count() == 2


@pytest.mark.parametrize(
    "overrides",
    [{"released_online": False}, {"starts_at": NOW + timedelta(days=29)}, {"starts_at": NOW - timedelta(minutes=5)}],
    ids=["not-released", "horizon", "past"],
)
def test_slot_not_offered_online_gives_not_found(client, clinician, patient, overrides):
    as_patient(client, patient)
    slot = make_slot(clinician, **{"starts_at": TOMORROW_10, **overrides})
    response = client.form_post(f"/appointments/book/{slot.id}", {"token": "x"}, token_from="/appointments/")
    assert (client.get(f"/appointments/book/{slot.id}").status_code, response.status_code) == (404, 404)
    assert Appointment.select().count() == 0


def test_slot_of_another_practice_gives_not_found(client, patient):
    as_patient(client, patient)
    foreign = make_slot(make_clinician(make_practice()), TOMORROW_10)
    assert client.get(f"/appointments/book/{foreign.id}").status_code == 404


def test_booking_on_the_kiosk_is_recorded_as_kiosk(client, practice, clinician, patient):
    make_kiosk(practice, token="waiting-room")
    client.set_cookie(KIOSK_COOKIE, "waiting-room")
    account = make_online_account(practice, patient, appointments=True)
    make_patient_session(client, account, on_kiosk=True)
    book(client, make_slot(clinician, TOMORROW_10))
    assert Appointment.get().booked_via == "kiosk"


def test_booking_without_csrf_is_refused(client, clinician, patient):
    as_patient(client, patient)
    slot = make_slot(clinician, TOMORROW_10)
    response = client.post(f"/appointments/book/{slot.id}", data={"token": "abc"})
    assert (response.status_code, Appointment.select().count()) == (400, 0)


# Cancelling ---------------------------------------------------------------------------------------------------------


def test_cancel_asks_first(client, clinician, patient):
    as_patient(client, patient)
    appointment = make_appointment(patient, make_slot(clinician, TOMORROW_10))
    response = client.get(f"/appointments/{appointment.id}/cancel")
    assert "Yes, cancel this appointment" in text(response)
    assert Appointment.get_by_id(appointment.id).status == "booked"


def test_cancel_confirmed_leads_to_the_cancelled_page(client, clinician, patient):
    as_patient(client, patient)
    appointment = make_appointment(patient, make_slot(clinician, TOMORROW_10))
    response = cancel(client, appointment)
    assert response.headers["Location"] == f"/appointments/{appointment.id}/cancelled"
    assert "Appointment cancelled" in text(client.get(response.headers["Location"]))
    assert Appointment.get_by_id(appointment.id).status == "cancelled"


def test_double_submitted_cancel_gives_one_cancellation_and_the_same_page(client, clinician, patient):
    as_patient(client, patient)
    appointment = make_appointment(patient, make_slot(clinician, TOMORROW_10))
    url = f"/appointments/{appointment.id}/cancel"
    fields = form_fields(client.get(url), url)
    first, second = client.post(url, data=fields), client.post(url, data=fields)
    events = AuditEvent.select().where(AuditEvent.action == "appointment.cancel").count()
    assert (first.headers["Location"], second.headers["Location"], events) == (
        f"/appointments/{appointment.id}/cancelled",
        f"/appointments/{appointment.id}/cancelled",
        1,
    )


def test_cancel_after_the_cut_off_says_please_phone(client, practice, clinician, patient):
    practice.phone = "01632 960003"
    practice.save()
    as_patient(client, patient)
    appointment = make_appointment(patient, make_slot(clinician, NOW + timedelta(minutes=60)))
    response = client.get(f"/appointments/{appointment.id}/cancel")
    assert "It is too late to cancel this appointment online. Please phone the practice on 01632 960003" in text(
        response
    )
    assert page(response).css_first("form[method=post][action$='/cancel']") is None


def test_cancel_sent_after_the_cut_off_is_refused(client, clinician, patient, time_machine):
    as_patient(client, patient)
    appointment = make_appointment(patient, make_slot(clinician, NOW + timedelta(minutes=125)))
    url = f"/appointments/{appointment.id}/cancel"
    fields = form_fields(client.get(url), url)
    time_machine.move_to((NOW + timedelta(minutes=10)).replace(tzinfo=UTC), tick=False)
    response = client.post(url, data=fields)
    assert (response.status_code, title(response).startswith("Error: "), "please phone" in text(response).lower()) == (
        200,
        True,
        True,
    )
    assert Appointment.get_by_id(appointment.id).status == "booked"


@pytest.mark.parametrize("path", ["booked", "cancel", "cancelled"])
def test_another_patients_appointment_gives_not_found(client, practice, clinician, patient, path):
    as_patient(client, patient)
    theirs = make_appointment(make_patient(practice), make_slot(clinician, TOMORROW_10))
    assert client.get(f"/appointments/{theirs.id}/{path}").status_code == 404


def test_cancelling_another_patients_appointment_gives_not_found_and_changes_nothing(
    client, practice, clinician, patient
):
    as_patient(client, patient)
    theirs = make_appointment(make_patient(practice), make_slot(clinician, TOMORROW_10))
    response = client.form_post(f"/appointments/{theirs.id}/cancel", {"token": "x"}, token_from="/appointments/")
    assert (response.status_code, Appointment.get_by_id(theirs.id).status) == (404, "booked")


# Proxies and who may ------------------------------------------------------------------------------------------------


def as_proxy_for(client, child, **link):
    parent = make_patient(child.practice, given_name="Hannah", family_name="Green")
    account = make_online_account(child.practice, parent)
    make_proxy_link(account, child, **link)
    make_patient_session(client, account)
    home = client.get("/home")
    client.post("/acting-for", data={"csrf_token": csrf_token(home.get_data(as_text=True)), "patient": child.id})
    return account


def test_proxy_books_for_the_person_they_act_for(client, practice, clinician):
    child = make_patient(practice, given_name="Sophie", family_name="Green")
    as_proxy_for(client, child, appointments=True)
    book(client, make_slot(clinician, TOMORROW_10))
    appointment = Appointment.get()
    event = AuditEvent.get(AuditEvent.action == "appointment.book")
    assert (appointment.patient_id, event.role, event.actor_name) == (child.id, "proxy", "Hannah Green")


def test_a_proxys_pages_speak_of_the_persons_appointments_not_theirs(client, practice, clinician):
    child = make_patient(practice, given_name="Sophie", family_name="Green")
    as_proxy_for(client, child, appointments=True)
    slot = make_slot(clinician, TOMORROW_10)
    check = client.get(f"/appointments/book/{slot.id}").get_data(as_text=True)
    booked = client.get(book(client, slot).headers["Location"]).get_data(as_text=True)
    assert ("Check Sophie’s appointment" in check, "See all Sophie’s appointments" in booked) == (True, True)
    assert "your appointment" not in (check + booked).replace("Keep your phone", "")


def test_proxy_without_appointments_in_scope_gets_not_found(client, practice, clinician):
    child = make_patient(practice, given_name="Sophie", family_name="Green")
    as_proxy_for(client, child, appointments=False, prescriptions=True)
    slot = make_slot(clinician, TOMORROW_10)
    assert [
        client.get(u).status_code for u in ("/appointments/", "/appointments/book", f"/appointments/book/{slot.id}")
    ] == [404, 404, 404]


def test_account_without_appointments_gets_not_found(client, patient):
    as_patient(client, patient, appointments=False, prescriptions=True)
    assert client.get("/appointments/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/appointments/",
        "/appointments/book",
        "/appointments/book/1",
        "/appointments/1/booked",
        "/appointments/1/cancel",
        "/appointments/1/cancelled",
    ],
)
def test_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert (response.status_code, response.headers["Location"].startswith("/sign-in?next=")) == (302, True)


def test_anonymous_booking_is_sent_to_sign_in_and_books_nothing(client, clinician):
    slot = make_slot(clinician, TOMORROW_10)
    response = client.form_post(f"/appointments/book/{slot.id}", {"token": "x"}, token_from="/sign-in")
    assert (response.status_code, Appointment.select().count()) == (302, 0)


@pytest.mark.parametrize("role", ["reception", "clinician", "manager"])
def test_staff_get_no_patient_pages(client, practice, role):
    make_staff_session(client, make_staff(practice, role))
    assert client.get("/appointments/").headers["Location"].startswith("/sign-in")


def test_cut_off_phrase_follows_the_practice_setting(client, practice, clinician, patient):
    practice.cancel_cutoff_minutes = 24 * 60
    practice.save()
    as_patient(client, patient)
    appointment = make_appointment(patient, make_slot(clinician, TOMORROW_10 + timedelta(days=2)))
    assert "up to 1 day before" in text(client.get(f"/appointments/{appointment.id}/booked"))


def test_practice_with_a_shorter_horizon_offers_less(client, practice, clinician, patient):
    practice.booking_horizon_days = 1
    practice.save()
    as_patient(client, patient)
    make_slot(clinician, TOMORROW_10 + timedelta(days=1))
    soon = make_slot(clinician, TOMORROW_10)
    assert slot_links(client.get("/appointments/book")) == [f"/appointments/book/{soon.id}"]
    assert booking.last_bookable_day(practice).isoformat() == "2026-06-11"


def test_finder_for_a_week_of_empty_diaries_stays_within_the_page_budget(client, practice, patient):
    # Four GPs with every morning slot free for a whole week: the longest list a patient can be sent.
    as_patient(client, patient)
    for c in range(4):
        clinician = make_clinician(practice, display_name=f"Dr {'ABCD'[c]} Featherstonehaugh")
        for day in range(7):
            for n in range(21):
                make_slot(clinician, TOMORROW_10 + timedelta(days=day, minutes=10 * n - 90))
    response = client.get("/appointments/book")  # PageClient fails the test over 14 KB compressed
    assert len(slot_links(response)) == 4 * 21 * 6  # the week shown runs from today: six of the seven days
