"""Reception's arrivals list: today's appointments by clinician, marking arrivals by hand, htmx refresh."""

from datetime import UTC, datetime, timedelta

import pytest

from kiosk.models import Appointment, AuditEvent, Clinician
from tests.builders import (
    local_time_today,
    make_appointment,
    make_clinician,
    make_patient,
    make_slot,
    make_staff,
    make_staff_session,
)
from tests.pages import check_html

HTMX = {"HX-Request": "true"}


def booked(practice, hour=9, minute=0, clinician=None, **overrides):
    clinician = clinician or make_clinician(practice)
    patient = make_patient(practice, given_name="Priya", family_name="Shah")
    return make_appointment(patient, make_slot(clinician, local_time_today(hour, minute)), **overrides)


def reception(client, practice, **overrides):
    staff = make_staff(practice, "reception", **overrides)
    make_staff_session(client, staff)
    return staff


def act(client, appointment, change):
    return client.form_post(f"/staff/arrivals/{appointment.id}/{change}", token_from="/staff/arrivals/")


def test_list_has_a_section_per_clinician_with_their_patients(client, practice):
    patel = make_clinician(practice, display_name="Dr A Patel")
    lewis = make_clinician(practice, display_name="Nurse K Lewis")
    make_appointment(make_patient(practice, family_name="Ahmed"), make_slot(patel, local_time_today(9)))
    make_appointment(make_patient(practice, family_name="Baker"), make_slot(lewis, local_time_today(9)))
    make_appointment(make_patient(practice, family_name="Clarke"), make_slot(patel, local_time_today(10)))
    reception(client, practice)
    tree = check_html(client.get("/staff/arrivals/").get_data(as_text=True))
    sections = {
        s.css_first("h2").text(strip=True): [row.css("td")[1].text(deep=False).split()[-1] for row in s.css("tbody tr")]
        for s in tree.css("section.app-clinician")
    }
    assert sections == {"Dr A Patel": ["Ahmed", "Clarke"], "Nurse K Lewis": ["Baker"]}


def test_appointments_on_other_days_are_not_listed(client, practice):
    clinician = make_clinician(practice)
    for day in (-1, 1):
        patient = make_patient(practice, family_name=f"Otherday{day + 1}")
        make_appointment(patient, make_slot(clinician, local_time_today(9) + timedelta(days=day)))
    reception(client, practice)
    assert "Otherday" not in client.get("/staff/arrivals/").get_data(as_text=True)


def test_list_near_the_autumn_clock_change_shows_the_whole_25_hour_day(client, practice, time_machine):
    time_machine.move_to(datetime(2026, 10, 25, 12, 0, tzinfo=UTC), tick=False)
    clinician = make_clinician(practice)
    make_appointment(
        make_patient(practice, family_name="Earlybird"), make_slot(clinician, datetime(2026, 10, 24, 23, 10))
    )
    make_appointment(
        make_patient(practice, family_name="Nightowl"), make_slot(clinician, datetime(2026, 10, 25, 23, 50))
    )
    make_appointment(
        make_patient(practice, family_name="Yesterday"), make_slot(clinician, datetime(2026, 10, 24, 22, 50))
    )
    reception(client, practice)
    page = client.get("/staff/arrivals/").get_data(as_text=True)
    assert ("Earlybird" in page, "Nightowl" in page, "Yesterday" in page) == (True, True, False)


def test_list_shows_london_times(client, practice, time_machine):
    time_machine.move_to(datetime(2026, 7, 1, 7, 0, tzinfo=UTC), tick=False)
    booked(practice, 9, 30)
    reception(client, practice)
    tree = check_html(client.get("/staff/arrivals/").get_data(as_text=True))
    assert tree.css_first("tbody tr td").text() == "09:30"


def test_empty_day_says_there_are_no_appointments(client, practice):
    reception(client, practice)
    assert "There are no appointments today." in client.get("/staff/arrivals/").get_data(as_text=True)


def test_page_has_a_refresh_link_that_works_without_javascript(client, practice):
    reception(client, practice)
    tree = check_html(client.get("/staff/arrivals/").get_data(as_text=True))
    assert [a.text() for a in tree.css('a[href="/staff/arrivals/"]') if "Refresh" in a.text()] == ["Refresh the list"]


def test_mark_arrived_sets_the_status_and_time(client, practice, time_machine):
    time_machine.move_to(datetime(2026, 6, 10, 8, 55, tzinfo=UTC), tick=False)
    appointment = booked(practice, 10)
    reception(client, practice)
    act(client, appointment, "arrive")
    saved = Appointment.get_by_id(appointment.id)
    assert (saved.status, saved.arrived_at) == ("arrived", datetime(2026, 6, 10, 8, 55))


def test_mark_arrived_returns_to_the_appointment_in_the_list(client, practice):
    appointment = booked(practice)
    reception(client, practice)
    response = act(client, appointment, "arrive")
    assert (response.status_code, response.headers["Location"]) == (
        303,
        f"/staff/arrivals/#appointment-{appointment.id}",
    )


def test_mark_arrived_confirms_who_arrived(client, practice):
    appointment = booked(practice)
    reception(client, practice)
    act(client, appointment, "arrive")
    assert "Priya Shah marked as arrived" in client.get("/staff/arrivals/").get_data(as_text=True)


def test_mark_arrived_is_audited_with_who_role_patient_and_device(client, practice):
    appointment = booked(practice)
    staff = reception(client, practice, name="Rosa Reid")
    act(client, appointment, "arrive")
    event = AuditEvent.get(AuditEvent.action == "appointment.arrive")
    assert (event.actor_kind, event.actor_id, event.actor_name, event.role, event.patient_id, event.object_id) == (
        "staff",
        staff.id,
        "Rosa Reid",
        "reception",
        appointment.patient_id,
        appointment.id,
    )
    assert event.device.startswith("127.0.0.1")


def test_undo_arrival_puts_the_appointment_back_to_booked(client, practice):
    appointment = booked(practice, status="arrived", arrived_at=datetime(2026, 1, 1, 9, 0))
    reception(client, practice)
    act(client, appointment, "undo")
    saved = Appointment.get_by_id(appointment.id)
    assert (saved.status, saved.arrived_at) == ("booked", None)


def test_undo_arrival_is_audited_with_who_role_patient_and_device(client, practice):
    appointment = booked(practice, status="arrived")
    staff = make_staff(practice, "manager")
    make_staff_session(client, staff)
    act(client, appointment, "undo")
    event = AuditEvent.get(AuditEvent.action == "appointment.undo")
    assert (event.actor_id, event.role, event.patient_id, event.outcome, event.device[:9]) == (
        staff.id,
        "manager",
        appointment.patient_id,
        "ok",
        "127.0.0.1",
    )


def test_repeated_mark_arrived_records_one_event(client, practice):
    appointment = booked(practice)
    reception(client, practice)
    act(client, appointment, "arrive")
    act(client, appointment, "arrive")
    assert AuditEvent.select().where(AuditEvent.action == "appointment.arrive").count() == 1


def test_marking_a_seen_appointment_arrived_is_refused(client, practice):
    appointment = booked(practice, status="seen")
    reception(client, practice)
    act(client, appointment, "arrive")
    assert Appointment.get_by_id(appointment.id).status == "seen"


def test_refused_change_tells_reception_why(client, practice):
    appointment = booked(practice, status="seen")
    reception(client, practice)
    act(client, appointment, "arrive")
    assert "This appointment is now seen" in client.get("/staff/arrivals/").get_data(as_text=True)


def test_refused_change_is_audited_as_refused(client, practice):
    appointment = booked(practice, status="dna")
    reception(client, practice)
    act(client, appointment, "arrive")
    event = AuditEvent.get(AuditEvent.action == "appointment.arrive")
    assert (event.outcome, event.patient_id) == ("refused", appointment.patient_id)


def test_unknown_appointment_is_not_found(client, practice):
    reception(client, practice)
    assert client.form_post("/staff/arrivals/999999/arrive", token_from="/staff/arrivals/").status_code == 404


def test_running_late_is_shown_for_that_clinician(client, practice):
    clinician = make_clinician(practice, display_name="Dr J Okafor")
    booked(practice, clinician=clinician)
    reception(client, practice)
    client.form_post(
        f"/staff/arrivals/clinicians/{clinician.id}/running-late", {"minutes": "20"}, token_from="/staff/arrivals/"
    )
    tree = check_html(client.get("/staff/arrivals/").get_data(as_text=True))
    assert tree.css_first(f"#clinician-{clinician.id}").text(strip=True) == "Dr J OkaforRunning 20 min late"


def test_running_late_is_forgotten_the_next_day(client, practice, time_machine):
    time_machine.move_to(datetime(2026, 6, 10, 9, 0, tzinfo=UTC), tick=False)
    clinician = make_clinician(practice)
    reception(client, practice)
    client.form_post(
        f"/staff/arrivals/clinicians/{clinician.id}/running-late", {"minutes": "20"}, token_from="/staff/arrivals/"
    )
    time_machine.move_to(datetime(2026, 6, 11, 8, 0, tzinfo=UTC), tick=False)
    booked(practice, clinician=clinician)
    reception(client, practice)
    assert "min late" not in client.get("/staff/arrivals/").get_data(as_text=True)


def test_running_late_outside_the_choices_is_refused(client, practice):
    clinician = make_clinician(practice)
    reception(client, practice)
    response = client.form_post(
        f"/staff/arrivals/clinicians/{clinician.id}/running-late", {"minutes": "999"}, token_from="/staff/arrivals/"
    )
    assert (response.status_code, Clinician.get_by_id(clinician.id).running_late_minutes) == (400, 0)


def test_running_late_is_audited(client, practice):
    clinician = make_clinician(practice)
    staff = reception(client, practice)
    client.form_post(
        f"/staff/arrivals/clinicians/{clinician.id}/running-late", {"minutes": "30"}, token_from="/staff/arrivals/"
    )
    event = AuditEvent.get(AuditEvent.action == "clinician.running_late")
    assert (event.actor_id, event.object_id, event.detail) == (staff.id, clinician.id, "30 minutes")


def test_clinician_sees_the_list_without_arrival_buttons(client, practice):
    appointment = booked(practice)
    make_staff_session(client, make_staff(practice, "clinician"))
    page = client.get("/staff/arrivals/").get_data(as_text=True)
    assert ("Priya Shah" in page, f"/staff/arrivals/{appointment.id}/arrive" in page) == (True, False)


def test_htmx_request_gets_only_the_arrivals_block(client, practice):
    booked(practice)
    reception(client, practice)
    body = client.get("/staff/arrivals/?auto=1", headers=HTMX).get_data(as_text=True)
    assert ("<title>" in body, "<h1>" in body, "Priya Shah" in body) == (False, False, True)


def test_htmx_fragment_is_small(client, practice):
    booked(practice)
    reception(client, practice)
    full = client.get("/staff/arrivals/").get_data()
    fragment = client.get("/staff/arrivals/?auto=1", headers=HTMX).get_data()
    assert len(fragment) < len(full) / 2


def test_boosted_htmx_navigation_gets_the_whole_page(client, practice):
    reception(client, practice)
    body = client.get("/staff/arrivals/", headers={**HTMX, "HX-Boosted": "true"}).get_data(as_text=True)
    assert "<title>" in body


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_arrivals_responses_vary_on_hx_request(client, practice, headers):
    reception(client, practice)
    assert "HX-Request" in client.get("/staff/arrivals/", headers=headers).headers["Vary"]


def test_automatic_refresh_keeps_polling_after_its_first_swap(client, practice):
    """The element that polls must survive the swap its own response makes, or the list refreshes once only."""
    reception(client, practice)
    tree = check_html(client.get("/staff/arrivals/").get_data(as_text=True))
    poller = tree.css_first("[hx-trigger^=every]")
    fragment = client.get(poller.attributes["hx-get"], headers=HTMX).get_data(as_text=True)
    swap = poller.attributes.get("hx-swap", "innerHTML")
    survives = swap == "innerHTML" or f'id="{poller.attributes["id"]}"' in fragment
    assert survives


def test_automatic_refresh_does_not_keep_staff_signed_in(client, practice, time_machine):
    time_machine.move_to(datetime(2026, 6, 10, 9, 0, tzinfo=UTC), tick=False)
    reception(client, practice)
    client.get("/staff/arrivals/")
    for _ in range(7):
        time_machine.shift(timedelta(minutes=5))
        client.get("/staff/arrivals/?auto=1", headers=HTMX)
    time_machine.shift(timedelta(minutes=1))
    assert client.get("/staff/").status_code == 302


def test_automatic_refresh_still_answers_while_the_session_lasts(client, practice, time_machine):
    time_machine.move_to(datetime(2026, 6, 10, 9, 0, tzinfo=UTC), tick=False)
    booked(practice)
    reception(client, practice)
    client.get("/staff/arrivals/")
    time_machine.shift(timedelta(minutes=25))
    assert "Priya Shah" in client.get("/staff/arrivals/?auto=1", headers=HTMX).get_data(as_text=True)


def test_full_day_list_stays_within_the_page_budget(client, practice):
    # A busy surgery: four clinicians, a booked slot every ten minutes from 08:30 to 18:00.
    for c in range(4):
        clinician = make_clinician(practice, display_name=f"Dr {'ABCD'[c]} Clinician")
        for n in range(57):
            start = local_time_today(8, 30) + timedelta(minutes=10 * n)
            make_appointment(
                make_patient(practice, given_name="Alexandra", family_name="Featherstonehaugh"),
                make_slot(clinician, start),
            )
    reception(client, practice)
    assert client.get("/staff/arrivals/").status_code == 200  # PageClient fails the test above the 14 KB budget
