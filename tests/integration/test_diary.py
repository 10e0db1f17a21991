"""Reception's diary over real routes: a clinician's day, booking for a patient, cancelling, DNA, sessions."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from kiosk.models import Appointment, AuditEvent, Slot
from kiosk.services import booking, checkin
from tests.builders import (
    actor_for,
    make_appointment,
    make_clinician,
    make_kiosk,
    make_online_account,
    make_patient,
    make_patient_session,
    make_practice,
    make_slot,
    make_staff,
    make_staff_session,
)

NOW = datetime(2026, 6, 10, 9, 0)  # Wednesday 10 June 2026, 10:00 in London
AT_11 = datetime(2026, 6, 10, 10, 0)  # 11:00 in London


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW.replace(tzinfo=UTC), tick=False)


@pytest.fixture
def clinician(practice):
    return make_clinician(practice, display_name="Dr A Patel")


@pytest.fixture
def patient(practice):
    return make_patient(practice, given_name="Olivia", family_name="Shaw")


def as_staff(client, practice, role="reception"):
    staff = make_staff(practice, role, name=f"Rosa {role.title()}")
    make_staff_session(client, staff)
    return staff


def page(response) -> HTMLParser:
    return HTMLParser(response.get_data(as_text=True))


def text(response) -> str:
    return re.sub(r"\s+", " ", page(response).body.text())


def row(response, slot) -> str:
    node = page(response).css_first(f"#slot-{slot.id}")
    return re.sub(r"\s+", " ", node.text()) if node else ""


def diary(client, clinician, day="2026-06-10"):
    return client.get(f"/staff/diary/?clinician={clinician.id}&day={day}")


# The day ----------------------------------------------------------------------------------------------------------


def test_diary_shows_each_slot_who_is_booked_and_the_status(client, practice, clinician, patient):
    as_staff(client, practice)
    booked = make_appointment(patient, make_slot(clinician, AT_11)).slot
    free = make_slot(clinician, AT_11 + timedelta(minutes=10))
    response = diary(client, clinician)
    assert (
        "11:00" in row(response, booked),
        "Olivia Shaw" in row(response, booked),
        "Booked" in row(response, booked),
        "Free" in row(response, free),
    ) == (True, True, True, True)


def test_diary_shows_only_the_chosen_clinicians_day(client, practice, clinician, patient):
    as_staff(client, practice)
    other = make_clinician(practice, display_name="Dr B Okafor")
    theirs = make_slot(other, AT_11)
    tomorrow = make_slot(clinician, AT_11 + timedelta(days=1))
    response = diary(client, clinician)
    assert (row(response, theirs), row(response, tomorrow)) == ("", "")


def test_diary_opens_on_today_for_the_first_clinician(client, practice, clinician):
    as_staff(client, practice)
    make_clinician(practice, display_name="Dr Z Young")
    assert page(client.get("/staff/diary/")).css_first("h1").text() == "Dr A Patel: Wednesday 10 June 2026"


def test_diary_links_to_the_previous_and_next_day(client, practice, clinician):
    as_staff(client, practice)
    links = [a.attributes["href"] for a in page(diary(client, clinician)).css(".app-pager a")]
    assert links == [
        f"/staff/diary/?clinician={clinician.id}&day=2026-06-09",
        f"/staff/diary/?clinician={clinician.id}&day=2026-06-11",
    ]


def test_diary_shows_cancellations_with_who_and_why(client, practice, clinician, patient):
    as_staff(client, practice)
    slot = make_slot(clinician, AT_11)
    make_appointment(patient, slot, status="cancelled", cancelled_by="patient", cancel_reason="")
    assert "Cancelled: Olivia Shaw, by patient" in row(diary(client, clinician), slot)


def test_diary_on_an_october_clock_change_day_shows_both_half_past_ones(client, practice, clinician, time_machine):
    time_machine.move_to(datetime(2026, 10, 24, 9, 0, tzinfo=UTC), tick=False)
    as_staff(client, practice)
    first = make_slot(clinician, datetime(2026, 10, 25, 0, 30))
    second = make_slot(clinician, datetime(2026, 10, 25, 1, 30))
    response = diary(client, clinician, "2026-10-25")
    assert ("01:30 BST" in row(response, first), "01:30 GMT" in row(response, second)) == (True, True)


def test_kiosk_check_in_shows_in_the_diary(client, practice, clinician, patient):
    as_staff(client, practice)
    appointment = make_appointment(patient, make_slot(clinician, NOW + timedelta(minutes=20)))
    checkin.confirm(actor_for(make_kiosk(practice)), appointment.id)
    assert "Arrived" in row(diary(client, clinician), appointment.slot)


def test_online_booking_shows_in_the_diary(client, practice, clinician, patient):
    slot = make_slot(clinician, AT_11)
    account = make_online_account(practice, patient, appointments=True)
    make_patient_session(client, account)
    url = f"/appointments/book/{slot.id}"
    check = page(client.get(url))
    client.post(url, data={n.attributes["name"]: n.attributes["value"] for n in check.css("form[method=post] input")})
    as_staff(client, practice)
    assert "Olivia Shaw" in row(diary(client, clinician), slot) and "booked online" in row(
        diary(client, clinician), slot
    )


# Booking for a patient ----------------------------------------------------------------------------------------------


def test_book_page_finds_a_patient_by_name(client, practice, clinician, patient):
    as_staff(client, practice)
    slot = make_slot(clinician, AT_11)
    assert "SHAW, Olivia" in text(client.get(f"/staff/diary/slots/{slot.id}/book?q=shaw"))


def test_book_page_finds_a_patient_by_nhs_number(client, practice, clinician, patient):
    as_staff(client, practice)
    slot = make_slot(clinician, AT_11)
    assert "SHAW, Olivia" in text(client.get(f"/staff/diary/slots/{slot.id}/book?q={patient.formatted_nhs_number}"))


def book_for(client, slot, patient):
    url = f"/staff/diary/slots/{slot.id}/book"
    search = page(client.get(f"{url}?q={patient.nhs_number}"))
    form = search.css_first(f"form[method=post][action='{url}']")
    fields = {n.attributes["name"]: n.attributes["value"] for n in form.css("input")}
    return client.post(url, data=fields)


def test_reception_books_a_slot_for_a_patient(client, practice, clinician, patient):
    as_staff(client, practice)
    slot = make_slot(clinician, AT_11, released_online=False)
    response = book_for(client, slot, patient)
    appointment = Appointment.get()
    assert (response.status_code, appointment.patient_id, appointment.booked_via) == (303, patient.id, "staff")
    assert "Booked Olivia Shaw at 11:00" in text(client.get(response.headers["Location"]))


def test_booking_for_a_patient_is_audited_as_reception(client, practice, clinician, patient):
    staff = as_staff(client, practice)
    book_for(client, make_slot(clinician, AT_11), patient)
    event = AuditEvent.get(AuditEvent.action == "appointment.book")
    assert (event.actor_id, event.role, event.patient_id, event.detail.endswith("via staff")) == (
        staff.id,
        "reception",
        patient.id,
        True,
    )


def test_booking_a_taken_slot_for_a_patient_is_refused(client, practice, clinician, patient):
    as_staff(client, practice)
    slot = make_slot(clinician, AT_11)
    url = f"/staff/diary/slots/{slot.id}/book"
    form = page(client.get(f"{url}?q={patient.nhs_number}")).css_first(f"form[method=post][action='{url}']")
    fields = {n.attributes["name"]: n.attributes["value"] for n in form.css("input")}
    make_appointment(make_patient(practice, family_name="First"), slot)
    response = client.post(url, data=fields)
    assert booking.TAKEN in text(client.get(response.headers["Location"]))
    assert Appointment.select().where(Appointment.patient == patient.id).count() == 0


def test_book_page_for_a_taken_slot_offers_no_search(client, practice, clinician, patient):
    as_staff(client, practice)
    slot = make_slot(clinician, AT_11)
    make_appointment(patient, slot)
    response = client.get(f"/staff/diary/slots/{slot.id}/book")
    assert ("already booked" in text(response), page(response).css_first("#q")) == (True, None)


# Cancelling and did-not-attend ------------------------------------------------------------------------------------


def test_cancel_needs_a_reason(client, practice, clinician, patient):
    as_staff(client, practice)
    appointment = make_appointment(patient, make_slot(clinician, AT_11))
    url = f"/staff/diary/appointments/{appointment.id}/cancel"
    token = page(client.get(url)).css_first("input[name=token]").attributes["value"]
    response = client.form_post(url, {"token": token, "reason": ""})
    assert (title := page(response).css_first("title").text()).startswith("Error: "), title
    assert Appointment.get_by_id(appointment.id).status == "booked"


def test_reception_cancels_with_a_reason_even_after_the_patients_cut_off(client, practice, clinician, patient):
    as_staff(client, practice)
    appointment = make_appointment(patient, make_slot(clinician, NOW + timedelta(minutes=30)))
    url = f"/staff/diary/appointments/{appointment.id}/cancel"
    token = page(client.get(url)).css_first("input[name=token]").attributes["value"]
    response = client.form_post(url, {"token": token, "reason": "Patient phoned: feeling better"})
    cancelled = Appointment.get_by_id(appointment.id)
    assert (response.status_code, cancelled.status, cancelled.cancel_reason, cancelled.cancelled_via) == (
        303,
        "cancelled",
        "Patient phoned: feeling better",
        "staff",
    )


def test_cancelled_slot_can_be_booked_again(client, practice, clinician, patient):
    as_staff(client, practice)
    slot = make_slot(clinician, AT_11)
    make_appointment(make_patient(practice), slot, status="cancelled")
    book_for(client, slot, patient)
    assert "Booked" in row(diary(client, clinician), slot)


def test_reception_marks_did_not_attend_after_the_start(client, practice, clinician, patient):
    as_staff(client, practice)
    appointment = make_appointment(patient, make_slot(clinician, NOW - timedelta(minutes=20)))
    response = client.form_post(
        f"/staff/diary/appointments/{appointment.id}/did-not-attend", token_from="/staff/diary/"
    )
    assert (response.status_code, Appointment.get_by_id(appointment.id).status) == (303, "dna")
    assert "Did not attend" in row(diary(client, clinician), appointment.slot)


def test_did_not_attend_before_the_start_is_refused(client, practice, clinician, patient):
    as_staff(client, practice)
    appointment = make_appointment(patient, make_slot(clinician, AT_11))
    response = client.form_post(
        f"/staff/diary/appointments/{appointment.id}/did-not-attend", token_from="/staff/diary/"
    )
    assert "only after its start time" in text(client.get(response.headers["Location"]))
    assert Appointment.get_by_id(appointment.id).status == "booked"


# Sessions ---------------------------------------------------------------------------------------------------------


def session_form(clinician, **overrides):
    return {
        "clinician": str(clinician.id),
        "day": "2026-06-15",
        "start": "09:00",
        "end": "10:00",
        "length": "15",
        "kind": "nurse",
        "released_online": "y",
        **overrides,
    }


def test_reception_adds_a_session_of_slots(client, practice, clinician):
    as_staff(client, practice)
    response = client.form_post("/staff/diary/sessions/new", session_form(clinician))
    slots = list(Slot.select().where(Slot.clinician == clinician.id).order_by(Slot.starts_at))
    assert response.headers["Location"] == f"/staff/diary/?clinician={clinician.id}&day=2026-06-15"
    assert [(s.starts_at.strftime("%H:%M"), s.kind, s.released_online) for s in slots] == [
        ("08:00", "nurse", True),
        ("08:15", "nurse", True),
        ("08:30", "nurse", True),
        ("08:45", "nurse", True),
    ]


def test_a_session_typed_without_a_date_box_is_understood(client, practice, clinician):
    as_staff(client, practice)
    client.form_post("/staff/diary/sessions/new", session_form(clinician, day="15/6/2026", start="9.00"))
    assert Slot.select().where(Slot.clinician == clinician.id).count() == 4


def test_a_session_kept_off_line_is_not_offered_to_patients(client, practice, clinician):
    as_staff(client, practice)
    fields = session_form(clinician)
    del fields["released_online"]
    client.form_post("/staff/diary/sessions/new", fields)
    assert booking.free_week(practice, kind="nurse", clinician_id=None, start=None).days == []


def test_a_released_session_is_offered_to_patients(client, practice, clinician):
    as_staff(client, practice)
    client.form_post("/staff/diary/sessions/new", session_form(clinician))
    week = booking.free_week(practice, kind="nurse", clinician_id=None, start=None)
    assert sum(len(slots) for _, slots in week.days) == 4


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end": "08:00"}, "The end time must be after the start time"),
        ({"day": "31/02/2026"}, "Enter a real date"),
        ({"start": "nine"}, "Enter the start time as hours and minutes"),
        ({"kind": ""}, "Choose the type of appointment"),
    ],
)
def test_a_wrong_session_is_refused_with_the_reason(client, practice, clinician, overrides, message):
    as_staff(client, practice)
    response = client.form_post("/staff/diary/sessions/new", session_form(clinician, **overrides))
    assert (page(response).css_first("title").text().startswith("Error: "), message in text(response)) == (True, True)
    assert Slot.select().count() == 0


def test_adding_a_session_is_audited(client, practice, clinician):
    staff = as_staff(client, practice)
    client.form_post("/staff/diary/sessions/new", session_form(clinician))
    assert AuditEvent.get(AuditEvent.action == "diary.create_session").actor_id == staff.id


# Who may --------------------------------------------------------------------------------------------------------------


def test_clinician_sees_the_diary(client, practice, clinician, patient):
    as_staff(client, practice, "clinician")
    slot = make_appointment(patient, make_slot(clinician, AT_11)).slot
    assert "Olivia Shaw" in row(diary(client, clinician), slot)


def test_clinician_sees_no_booking_or_cancelling_links(client, practice, clinician, patient):
    as_staff(client, practice, "clinician")
    make_appointment(patient, make_slot(clinician, AT_11))
    make_slot(clinician, AT_11 + timedelta(minutes=10))
    assert page(diary(client, clinician)).css("tbody a[href*='/book'], tbody a[href*='/cancel']") == []


@pytest.mark.parametrize("path", ["slots/{slot}/book", "appointments/{appointment}/cancel", "sessions/new"])
def test_clinician_cannot_open_reception_pages(client, practice, clinician, patient, path):
    as_staff(client, practice, "clinician")
    appointment = make_appointment(patient, make_slot(clinician, AT_11))
    url = "/staff/diary/" + path.format(slot=appointment.slot_id, appointment=appointment.id)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "slots/{slot}/book",
        "appointments/{appointment}/cancel",
        "appointments/{appointment}/did-not-attend",
        "sessions/new",
    ],
)
def test_clinician_cannot_act_and_nothing_changes(client, practice, clinician, patient, path):
    as_staff(client, practice, "clinician")
    appointment = make_appointment(patient, make_slot(clinician, NOW - timedelta(minutes=20)))
    url = "/staff/diary/" + path.format(slot=appointment.slot_id, appointment=appointment.id)
    response = client.form_post(
        url, {"token": "t", "reason": "r", "patient": str(patient.id)}, token_from="/staff/diary/"
    )
    assert (response.status_code, Appointment.get_by_id(appointment.id).status, Slot.select().count()) == (
        404,
        "booked",
        1,
    )


@pytest.mark.parametrize("path", ["slots/{slot}/book", "appointments/{appointment}/cancel"])
def test_another_practices_ids_give_not_found(client, practice, clinician, patient, path):
    appointment = make_appointment(patient, make_slot(clinician, AT_11))
    make_staff_session(client, make_staff(make_practice(), "manager"))
    url = "/staff/diary/" + path.format(slot=appointment.slot_id, appointment=appointment.id)
    response = client.get(url)
    assert (response.status_code, "Olivia" in response.get_data(as_text=True)) == (404, False)


def test_another_practices_diary_shows_nothing_of_this_one(client, practice, clinician, patient):
    make_appointment(patient, make_slot(clinician, AT_11))
    make_staff_session(client, make_staff(make_practice(), "manager"))
    response = client.get(f"/staff/diary/?clinician={clinician.id}")
    assert ("Olivia" in text(response), "Dr A Patel" in text(response)) == (False, False)


@pytest.mark.parametrize("url", ["/staff/diary/", "/staff/diary/sessions/new", "/staff/diary/slots/1/book"])
def test_anonymous_visitor_is_sent_to_staff_sign_in(client, url):
    response = client.get(url)
    assert response.headers["Location"].startswith("/staff/sign-in?next=")


def test_signed_in_patient_is_sent_to_staff_sign_in(client, practice, patient):
    make_patient_session(client, make_online_account(practice, patient, appointments=True))
    assert client.get("/staff/diary/").headers["Location"].startswith("/staff/sign-in")


def test_diary_link_is_in_the_staff_menu(client, practice):
    as_staff(client, practice, "clinician")
    assert page(client.get("/staff/")).css_first("nav a[href='/staff/diary/']") is not None


def test_a_full_day_stays_within_the_page_budget(client, practice, clinician):
    as_staff(client, practice)
    for n in range(60):  # 08:00 to 18:00, every slot booked, each with an earlier cancellation
        slot = make_slot(clinician, NOW - timedelta(hours=1) + timedelta(minutes=10 * n))
        make_appointment(
            make_patient(practice, given_name="Alexandra", family_name=f"Featherstonehaugh{n}"),
            slot,
            status="cancelled",
            cancelled_by="patient",
            cancel_reason="Cannot get time off work",
        )
        make_appointment(make_patient(practice, given_name="Bartholomew", family_name=f"Montgomery{n}"), slot)
    response = diary(client, clinician)  # PageClient fails the test over 14 KB compressed
    assert len(page(response).css("tbody tr")) == 60
