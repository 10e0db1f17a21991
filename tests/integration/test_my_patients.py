"""My patients today (issue 13): a clinician's own appointments, ticket numbers once arrived, and calling in."""

import pytest

from kiosk.models import Appointment, AuditEvent, Call
from tests.builders import (
    local_time_today,
    make_appointment,
    make_clinician,
    make_patient,
    make_practice,
    make_slot,
    make_staff,
    make_staff_session,
)
from tests.pages import check_html

PAGE = "/staff/my-patients/"


def clinician_signed_in(client, practice, room="Room 4"):
    clinician = make_clinician(practice, display_name="Dr A Patel", room=room)
    make_staff_session(client, make_staff(practice, "clinician", clinician=clinician))
    return clinician


def booked(clinician, hour, name="Priya", **overrides):
    patient = make_patient(clinician.practice, given_name=name, family_name="Shah")
    return make_appointment(patient, make_slot(clinician, local_time_today(hour)), **overrides)


def arrive(client, appointment):
    """Reception marks the patient arrived, which issues their ticket."""
    make_staff_session(client, make_staff(appointment.practice, "reception"))
    client.form_post(f"/staff/arrivals/{appointment.id}/arrive", token_from="/staff/arrivals/")


def row(client, appointment):
    return check_html(client.get(PAGE).get_data(as_text=True)).css_first(f"#appointment-{appointment.id}")


def test_clinician_sees_only_their_own_appointments_today(client, practice):
    mine = clinician_signed_in(client, practice)
    own = booked(mine, 9, "Mine")
    other = booked(make_clinician(practice, display_name="Dr B Jones"), 10, "Theirs")
    html = client.get(PAGE).get_data(as_text=True)
    assert f"appointment-{own.id}" in html and "Mine Shah" in html
    assert f"appointment-{other.id}" not in html and "Theirs" not in html


def test_arrived_patient_shows_the_ticket_number_and_a_call_in_button(client, practice):
    clinician = clinician_signed_in(client, practice)
    waiting, later = booked(clinician, 9), booked(clinician, 10, "Later")
    arrive(client, waiting)
    make_staff_session(client, make_staff(practice, "clinician", clinician=clinician))
    tree = row(client, waiting)
    assert [td.text(strip=True) for td in tree.css("td")[2:4]] == ["Arrived", "1"]
    assert tree.css_first(f"form[action='/staff/my-patients/{waiting.id}/call'] button").text().startswith("Call in")
    assert row(client, later).css_first("form") is None


def test_call_in_calls_the_number_to_the_room_and_moves_on_to_seen(client, practice):
    clinician = clinician_signed_in(client, practice)
    appointment = booked(clinician, 9)
    arrive(client, appointment)
    staff = make_staff(practice, "clinician", clinician=clinician)
    make_staff_session(client, staff)
    response = client.form_post(f"/staff/my-patients/{appointment.id}/call", token_from=PAGE)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"#appointment-{appointment.id}")
    call = Call.get()
    assert (call.number, call.room, call.called_by_id) == (1, "Room 4", staff.id)
    assert AuditEvent.get(AuditEvent.action == "appointment.call").actor_id == staff.id
    for change, status in (("start", "in_consultation"), ("seen", "seen")):
        client.form_post(f"/staff/my-patients/{appointment.id}/{change}", token_from=PAGE)
        assert Appointment.get_by_id(appointment.id).status == status
    assert "Seen" in row(client, appointment).text()


def test_calling_a_clinician_without_a_room_says_so_and_calls_nobody(client, practice):
    clinician = clinician_signed_in(client, practice, room="")
    appointment = booked(clinician, 9, status="arrived")
    response = client.form_post(f"/staff/my-patients/{appointment.id}/call", token_from=PAGE, follow_redirects=True)
    assert "Enter the room" in response.get_data(as_text=True)
    assert Call.select().count() == 0


@pytest.mark.parametrize("action", ["call", "start", "seen"])
def test_another_clinicians_patient_cannot_be_called_or_moved_from_my_list(client, practice, action):
    clinician_signed_in(client, practice)
    theirs = booked(make_clinician(practice, display_name="Dr B Jones", room="Room 9"), 9, status="arrived")
    response = client.form_post(f"/staff/my-patients/{theirs.id}/{action}", token_from=PAGE)
    assert response.status_code == 404
    assert Call.select().count() == 0 and Appointment.get_by_id(theirs.id).status == "arrived"


def test_another_practices_appointment_is_not_found(client, practice):
    clinician_signed_in(client, practice)
    other = make_practice(ods_code="Y77777", name="Elsewhere")
    foreign = booked(make_clinician(other, room="Room 1"), 9, status="arrived")
    assert client.form_post(f"/staff/my-patients/{foreign.id}/call", token_from=PAGE).status_code == 404


@pytest.mark.parametrize("role", ["reception", "manager"])
def test_only_clinicians_have_the_list_and_the_menu_link(client, practice, role):
    make_staff_session(client, make_staff(practice, role))
    assert client.get(PAGE).status_code == 404
    assert "My patients today" not in client.get("/staff/arrivals/").get_data(as_text=True)


def test_clinicians_find_the_list_in_the_staff_menu(client, practice):
    clinician_signed_in(client, practice)
    nav = check_html(client.get("/staff/arrivals/").get_data(as_text=True)).css_first("nav.app-nav")
    assert any(a.attributes["href"] == PAGE for a in nav.css("a") if a.text() == "My patients today")


def test_signed_out_gets_the_sign_in_page(client, practice):
    response = client.get(PAGE)
    assert response.status_code in (302, 303) and "/staff/sign-in" in response.headers["Location"]


def test_a_clinician_account_not_linked_to_the_diary_is_told_so(client, practice):
    make_staff_session(client, make_staff(practice, "clinician"))
    booked(make_clinician(practice), 9)
    assert "not linked to a clinician" in client.get(PAGE).get_data(as_text=True)


def test_the_refresh_gets_only_the_list_fragment(client, practice):
    clinician = clinician_signed_in(client, practice)
    appointment = booked(clinician, 9)
    fragment = client.get(PAGE + "?auto=1", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert f"appointment-{appointment.id}" in fragment and "<html" not in fragment
    tree = check_html(client.get(PAGE).get_data(as_text=True)).css_first("#patients")
    assert (tree.attributes["hx-get"], tree.attributes["hx-trigger"]) == (PAGE + "?auto=1", "every 5s")
