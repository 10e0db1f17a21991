"""The waiting room's calling display (issue 13): numbers and rooms, on a device enrolled as a display, and
nothing that could identify a patient."""

import re

import pytest

from kiosk.access import KIOSK_COOKIE
from kiosk.models import AuditEvent, Kiosk
from kiosk.services import calling
from tests.builders import (
    actor_for,
    local_time_today,
    make_appointment,
    make_clinician,
    make_kiosk,
    make_patient,
    make_practice,
    make_slot,
    make_staff,
    make_staff_session,
)
from tests.pages import check_html, csrf_token

DISPLAY_TOKEN = "display-device-token"


def as_display(client, practice):
    display = make_kiosk(practice, token=DISPLAY_TOKEN, name="Waiting room TV", kind="display")
    client.set_cookie(KIOSK_COOKIE, DISPLAY_TOKEN)
    return display


def called(practice, number_of_patients=1, room="Room 4", hour=9):
    """Patients checked in and called in, as a clinician does from arrivals."""
    clinician = make_clinician(practice, room=room)
    staff = make_staff(practice, "clinician")
    patients = []
    for i in range(number_of_patients):
        patient = make_patient(practice, given_name=f"Given{i}", family_name=f"Family{i}")
        appointment = make_appointment(patient, make_slot(clinician, local_time_today(hour, i % 60)), status="arrived")
        calling.call_in(actor_for(staff), appointment.id)
        patients.append(patient)
    return patients


def test_display_shows_the_latest_call_largest_and_the_earlier_ones_below(client, practice):
    called(practice, number_of_patients=3)
    as_display(client, practice)
    tree = check_html(client.get("/display/").get_data(as_text=True))
    assert tree.css_first(".app-calls__latest").text(separator=" ", strip=True).split() == ["3", "→", "to", "Room", "4"]
    assert [li.text(strip=True)[:1] for li in tree.css(".app-calls__earlier li")] == ["2", "1"]


def test_display_refreshes_itself_without_javascript_and_polls_with_it(client, practice):
    as_display(client, practice)
    html = client.get("/display/").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    calls = check_html(html).css_first("#calls")
    assert (calls.attributes["hx-get"], calls.attributes["hx-trigger"]) == ("/display/", "every 2s")


def test_polling_gets_only_the_calls_fragment_and_a_new_call_appears_in_it(client, practice):
    display = as_display(client, practice)
    fragment = client.get("/display/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="calls"') and "<html" not in fragment
    assert "Nobody has been called yet today" in fragment
    called(display.practice)
    fragment = client.get("/display/", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'data-number="1"' in fragment and 'data-room="Room 4"' in fragment


def test_display_never_shows_a_name_date_of_birth_or_nhs_number_over_a_day_of_calls(client, practice):
    patients = called(practice, number_of_patients=40)
    as_display(client, practice)
    bodies = [
        client.get("/display/").get_data(as_text=True),
        client.get("/display/", headers={"HX-Request": "true"}).get_data(as_text=True),
    ]
    for body in bodies:
        for patient in patients:
            for value in (patient.given_name, patient.family_name, patient.nhs_number):
                assert value not in body
            assert patient.date_of_birth.isoformat() not in body
            assert patient.date_of_birth.strftime("%d/%m/%Y") not in body
        assert not re.search(r"\b\d{3} ?\d{3} ?\d{4}\b", body)  # nothing shaped like an NHS number


def test_display_shows_only_its_own_practices_calls(client, practice):
    other = make_practice(name="Other Surgery", ods_code="Y99999")
    called(other, room="Elsewhere room")
    as_display(client, practice)
    body = client.get("/display/").get_data(as_text=True)
    assert "Elsewhere room" not in body and "Nobody has been called yet today" in body


@pytest.mark.parametrize("device", ["none", "kiosk", "revoked display"])
def test_only_an_enrolled_display_shows_the_calls(client, practice, device):
    called(practice)
    if device == "kiosk":
        make_kiosk(practice, token="kiosk-token")
        client.set_cookie(KIOSK_COOKIE, "kiosk-token")
    elif device == "revoked display":
        display = as_display(client, practice)
        Kiosk.update(revoked_at=display.enrolled_at).where(Kiosk.id == display.id).execute()
    response = client.get("/display/")
    assert response.status_code == 404
    assert "not set up as a calling display" in response.get_data(as_text=True)
    assert "Room 4" not in response.get_data(as_text=True)


def test_a_display_cannot_check_anyone_in(client, practice):
    as_display(client, practice)
    assert "not set up for check-in" in client.get("/kiosk/").get_data(as_text=True)
    assert client.post("/kiosk/letter", data={"letter": "S"}).status_code in (302, 303, 400)


def enrol_display(client, name="Waiting room TV", with_token=True):
    page = client.get("/staff/").get_data(as_text=True)  # every staff page carries the token; a clinician's too
    data = {"display_name": name}
    if with_token:
        data["csrf_token"] = csrf_token(page)
    return client.post("/staff/kiosks/display", data=data)


@pytest.mark.parametrize("role", ["reception", "manager"])
def test_desk_staff_enrol_this_device_as_a_display_and_it_is_audited(client, practice, role):
    make_staff_session(client, make_staff(practice, role))
    response = enrol_display(client)
    assert response.status_code == 303
    display = Kiosk.get(Kiosk.name == "Waiting room TV")
    assert display.kind == "display"
    assert AuditEvent.get(AuditEvent.action == "kiosk.enrol").detail == "Waiting room TV (calling display)"
    listing = check_html(client.get("/staff/kiosks/").get_data(as_text=True))
    assert "Calling display" in listing.css_first("table").text()
    client.delete_cookie("session")
    assert client.get("/display/").status_code == 200


def test_enrolling_a_display_without_a_name_says_so_next_to_the_field(client, practice):
    make_staff_session(client, make_staff(practice, "reception"))
    response = enrol_display(client, name="  ")
    assert response.status_code == 400
    tree = check_html(response.get_data(as_text=True))
    assert "Enter a name for this display" in tree.css_first("#display_name-error").text()
    assert Kiosk.select().count() == 0


def test_enrolling_a_display_needs_the_csrf_token_and_a_desk_role(client, practice):
    make_staff_session(client, make_staff(practice, "reception"))
    assert enrol_display(client, with_token=False).status_code == 400
    make_staff_session(client, make_staff(practice, "clinician"))
    assert enrol_display(client).status_code == 404
    assert Kiosk.select().count() == 0
