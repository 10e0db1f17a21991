"""Calling patients in by ticket number (issue 13): arrived → called → in consultation → seen, audited."""

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


def arrived(practice, room="Room 4", status="arrived"):
    clinician = make_clinician(practice, room=room)
    patient = make_patient(practice, given_name="Priya", family_name="Shah")
    return make_appointment(patient, make_slot(clinician, local_time_today(9)), status=status)


def signed_in(client, practice, role):
    staff = make_staff(practice, role)
    make_staff_session(client, staff)
    return staff


def call(client, appointment, **data):
    return client.form_post(f"/staff/arrivals/{appointment.id}/call", data, token_from="/staff/arrivals/")


def arrive_at_desk(client, appointment):
    client.form_post(f"/staff/arrivals/{appointment.id}/arrive", token_from="/staff/arrivals/")


@pytest.mark.parametrize("role", ["clinician", "reception"])
def test_arrivals_has_a_call_in_button_beside_an_arrived_patient(client, practice, role):
    appointment = arrived(practice)
    signed_in(client, practice, role)
    row = check_html(client.get("/staff/arrivals/").get_data(as_text=True)).css_first(f"#appointment-{appointment.id}")
    assert row.css_first(f"form[action='/staff/arrivals/{appointment.id}/call'] button").text().startswith("Call in")


def test_booked_patient_has_no_call_in_button(client, practice):
    appointment = arrived(practice, status="booked")
    signed_in(client, practice, "clinician")
    row = check_html(client.get("/staff/arrivals/").get_data(as_text=True)).css_first(f"#appointment-{appointment.id}")
    assert row.css_first("form[action$='/call']") is None


@pytest.mark.parametrize("role", ["clinician", "reception"])
def test_calling_stores_ticket_room_and_time_and_marks_the_patient_called(client, practice, role):
    appointment = arrived(practice, status="booked")
    signed_in(client, practice, "reception")
    arrive_at_desk(client, appointment)
    staff = signed_in(client, practice, role)
    response = call(client, appointment)
    assert response.status_code == 303
    stored = Call.get()
    assert (stored.number, stored.room, stored.called_by_id, stored.called_at is not None) == (
        1,
        "Room 4",
        staff.id,
        True,
    )
    assert Appointment.get_by_id(appointment.id).status == "called"


def test_calling_is_audited_with_the_ticket_and_room(client, practice):
    appointment = arrived(practice)
    staff = signed_in(client, practice, "clinician")
    call(client, appointment)
    event = AuditEvent.get(AuditEvent.action == "appointment.call")
    assert (event.actor_id, event.patient_id, event.outcome, event.detail) == (
        staff.id,
        appointment.patient_id,
        "ok",
        "ticket 1, Room 4",
    )


def test_arrivals_shows_called_then_in_consultation_then_seen(client, practice):
    appointment = arrived(practice)
    signed_in(client, practice, "clinician")

    def status():
        page = check_html(client.get("/staff/arrivals/").get_data(as_text=True))
        return page.css_first(f"#appointment-{appointment.id} .nhsuk-tag").text()

    call(client, appointment)
    seen = [status()]
    client.form_post(f"/staff/arrivals/{appointment.id}/start", token_from="/staff/arrivals/")
    seen.append(status())
    client.form_post(f"/staff/arrivals/{appointment.id}/seen", token_from="/staff/arrivals/")
    seen.append(status())
    assert seen == ["Called", "In consultation", "Seen"]


def test_clinician_without_a_room_is_asked_for_one_next_to_the_field(client, practice):
    appointment = arrived(practice, room="")
    signed_in(client, practice, "clinician")
    response = call(client, appointment)
    tree = check_html(response.get_data(as_text=True))
    assert (response.status_code, tree.css_first("#room-error").text().strip()) == (
        400,
        "Error: Enter the room to call the patient to",
    )
    assert Call.select().count() == 0


def test_room_typed_on_the_call_page_is_used(client, practice):
    appointment = arrived(practice, room="")
    signed_in(client, practice, "clinician")
    client.form_post(f"/staff/arrivals/{appointment.id}/call", {"room": "Treatment room"})
    assert Call.get().room == "Treatment room"


def test_room_too_long_is_refused_next_to_the_field(client, practice):
    appointment = arrived(practice)
    signed_in(client, practice, "clinician")
    response = client.form_post(f"/staff/arrivals/{appointment.id}/call", {"room": "x" * 81})
    assert (response.status_code, check_html(response.get_data(as_text=True)).css_first("#room-error") is not None) == (
        400,
        True,
    )


def test_a_booked_patient_cannot_be_called(client, practice):
    appointment = arrived(practice, status="booked")
    signed_in(client, practice, "clinician")
    call(client, appointment)
    assert (Call.select().count(), Appointment.get_by_id(appointment.id).status) == (0, "booked")
    assert AuditEvent.get(AuditEvent.action == "appointment.call").outcome == "refused"


def test_another_practices_appointment_is_not_found(client, practice):
    appointment = arrived(make_practice(ods_code="B22222", name="Elsewhere"))
    signed_in(client, practice, "clinician")
    assert call(client, appointment).status_code == 404


def test_calling_needs_a_csrf_token(client, practice):
    appointment = arrived(practice)
    signed_in(client, practice, "clinician")
    assert client.post(f"/staff/arrivals/{appointment.id}/call").status_code == 400
    assert Call.select().count() == 0


def test_call_page_needs_sign_in(client, practice):
    appointment = arrived(practice)
    response = client.get(f"/staff/arrivals/{appointment.id}/call")
    assert response.headers["Location"].startswith("/staff/sign-in")


def test_call_page_names_the_patient_for_staff_and_audits_the_read(client, practice):
    appointment = arrived(practice)
    signed_in(client, practice, "clinician")
    tree = check_html(client.get(f"/staff/arrivals/{appointment.id}/call").get_data(as_text=True))
    assert (tree.css_first("h1").text(), tree.css_first("#room").attributes["value"]) == (
        "Call Priya Shah in",
        "Room 4",
    )
    assert AuditEvent.get(AuditEvent.action == "appointment.view_call").patient_id == appointment.patient_id
