"""Clinicians, rota, closures and generating the diary over real routes: who may do what, forms, foreign ids."""

import re
from datetime import UTC, date, datetime, time

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from kiosk.models import Clinician, Closure, RotaSession, RotaTemplate, Slot
from tests.builders import (
    make_appointment,
    make_clinician,
    make_closure,
    make_patient,
    make_practice,
    make_rota_session,
    make_rota_template,
    make_slot,
    make_staff,
    make_staff_session,
)

NOW = datetime(2026, 6, 10, 9, 0)  # Wednesday 10 June 2026, 10:00 in London
MONDAY_09 = datetime(2026, 6, 15, 8, 0)  # Monday 15 June, 09:00 in London


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW.replace(tzinfo=UTC), tick=False)


@pytest.fixture
def clinician(practice):
    return make_clinician(practice, display_name="Dr A Patel", staff_name="Anita Patel")


@pytest.fixture
def monday_rota(clinician):
    template = make_rota_template(clinician, starts_on=date(2026, 6, 1))
    make_rota_session(template, 0)
    return template


def as_staff(client, practice, role="manager"):
    staff = make_staff(practice, role)
    make_staff_session(client, staff)
    return staff


def text(response) -> str:
    return re.sub(r"\s+", " ", HTMLParser(response.get_data(as_text=True)).body.text())


def title(response) -> str:
    return HTMLParser(response.get_data(as_text=True)).css_first("title").text()


# Clinicians -----------------------------------------------------------------------------------------------------

NEW_CLINICIAN = {"display_name": "Dr B Khan", "staff_name": "Bilal Khan", "profession": "physio", "room": "Room 4"}


def test_manager_adds_a_clinician(client, practice):
    as_staff(client, practice)
    response = client.form_post("/staff/clinicians/new", NEW_CLINICIAN)
    made = Clinician.get(Clinician.display_name == "Dr B Khan")
    assert (response.status_code, made.staff_name, made.profession, made.room) == (
        303,
        "Bilal Khan",
        "physio",
        "Room 4",
    )


def test_the_clinicians_list_shows_both_names_and_the_role(client, practice):
    as_staff(client, practice)
    client.form_post("/staff/clinicians/new", NEW_CLINICIAN)
    page = text(client.get("/staff/clinicians/"))
    assert ("Dr B Khan" in page, "Bilal Khan" in page, "Physiotherapist" in page) == (True, True, True)


def test_a_clinician_without_a_role_is_refused_with_an_error_page(client, practice):
    as_staff(client, practice)
    response = client.form_post("/staff/clinicians/new", {**NEW_CLINICIAN, "profession": ""})
    assert (title(response).startswith("Error: "), "Choose the role" in text(response)) == (True, True)


def test_manager_edits_a_clinicians_room(client, practice, clinician):
    as_staff(client, practice)
    values = {"display_name": "Dr A Patel", "staff_name": "Anita Patel", "profession": "gp", "room": "Room 9"}
    client.form_post(f"/staff/clinicians/{clinician.id}/edit", values)
    assert Clinician.get_by_id(clinician.id).room == "Room 9"


def test_the_deactivate_page_lists_future_bookings_before_anything_changes(client, practice, clinician):
    as_staff(client, practice)
    make_appointment(make_patient(practice, given_name="Olivia", family_name="Shaw"), make_slot(clinician, MONDAY_09))
    page = text(client.get(f"/staff/clinicians/{clinician.id}/deactivate"))
    assert ("Olivia Shaw" in page, Clinician.get_by_id(clinician.id).active) == (True, True)


def test_deactivating_removes_free_slots_and_keeps_listing_the_booked_ones(client, practice, clinician):
    as_staff(client, practice)
    booked = make_appointment(
        make_patient(practice, given_name="Olivia", family_name="Shaw"), make_slot(clinician, MONDAY_09)
    )
    make_slot(clinician, datetime(2026, 6, 15, 9, 0))
    response = client.form_post(f"/staff/clinicians/{clinician.id}/deactivate")
    after = client.get(response.headers["Location"])
    assert (
        Clinician.get_by_id(clinician.id).active,
        [s.id for s in Slot.select()],
        "Olivia Shaw" in text(after),
    ) == (False, [booked.slot_id], True)


def test_a_deactivated_clinicians_day_is_still_in_the_diary_for_moving_bookings(client, practice, clinician):
    as_staff(client, practice, "reception")
    make_appointment(make_patient(practice, given_name="Olivia", family_name="Shaw"), make_slot(clinician, MONDAY_09))
    Clinician.update(active=False).where(Clinician.id == clinician.id).execute()
    page = text(client.get(f"/staff/diary/?clinician={clinician.id}&day=2026-06-15"))
    assert "Olivia Shaw" in page


def test_manager_reactivates_a_clinician(client, practice, clinician):
    as_staff(client, practice)
    Clinician.update(active=False).where(Clinician.id == clinician.id).execute()
    client.form_post(f"/staff/clinicians/{clinician.id}/reactivate", token_from="/staff/clinicians/")
    assert Clinician.get_by_id(clinician.id).active


# Templates and sessions --------------------------------------------------------------------------------------------


def test_manager_adds_a_rota_and_a_weekly_session(client, practice, clinician):
    as_staff(client, practice)
    made = client.form_post(
        "/staff/rota/new", {"clinician": clinician.id, "room": "Room 1", "starts_on": "2026-06-01", "ends_on": ""}
    )
    template = RotaTemplate.get(RotaTemplate.clinician == clinician.id)
    session = {"weekday": "0", "starts": "09:00", "ends": "12:00", "length": "15", "kind": "gp", "release": "online"}
    client.form_post(f"/staff/rota/{template.id}/sessions/new", session)
    (added,) = RotaSession.select().where(RotaSession.template == template.id)
    assert (made.status_code, added.weekday, added.length_minutes, added.released_online) == (303, 0, 15, True)


def test_the_rota_page_shows_each_session_and_its_slot_count(client, practice, clinician, monday_rota):
    as_staff(client, practice, "clinician")
    page = text(client.get(f"/staff/rota/{monday_rota.id}"))
    assert ("Monday" in page, "09:00 to 10:00" in page, "6 × 10 minutes" in page) == (True, True, True)


def test_a_session_ending_before_it_starts_is_an_error_page(client, practice, monday_rota):
    as_staff(client, practice)
    session = {"weekday": "1", "starts": "12:00", "ends": "09:00", "length": "10", "kind": "gp", "release": "online"}
    response = client.form_post(f"/staff/rota/{monday_rota.id}/sessions/new", session)
    assert (title(response).startswith("Error: "), "must be after the start time" in text(response)) == (True, True)


def test_a_session_without_who_can_book_is_refused(client, practice, monday_rota):
    as_staff(client, practice)
    session = {"weekday": "1", "starts": "09:00", "ends": "12:00", "length": "10", "kind": "gp", "release": ""}
    response = client.form_post(f"/staff/rota/{monday_rota.id}/sessions/new", session)
    assert ("Choose who can book these slots" in text(response), RotaSession.select().count()) == (True, 1)


def test_a_rota_whose_last_date_is_before_its_first_is_an_error_page(client, practice, clinician):
    as_staff(client, practice)
    response = client.form_post(
        "/staff/rota/new", {"clinician": clinician.id, "starts_on": "2026-06-10", "ends_on": "2026-06-01"}
    )
    assert (title(response).startswith("Error: "), RotaTemplate.select().count()) == (True, 0)


def test_a_second_rota_on_the_same_dates_is_an_error_page(client, practice, clinician, monday_rota):
    as_staff(client, practice)
    response = client.form_post("/staff/rota/new", {"clinician": clinician.id, "starts_on": "2026-07-01"})
    assert ("already has a rota" in text(response), RotaTemplate.select().count()) == (True, 1)


def test_manager_changes_a_rotas_last_date(client, practice, monday_rota):
    as_staff(client, practice)
    client.form_post(
        f"/staff/rota/{monday_rota.id}/edit", {"room": "", "starts_on": "2026-06-01", "ends_on": "2026-06-30"}
    )
    assert RotaTemplate.get_by_id(monday_rota.id).ends_on == date(2026, 6, 30)


def test_manager_removes_a_session(client, practice, monday_rota):
    as_staff(client, practice)
    (session,) = RotaSession.select()
    client.form_post(
        f"/staff/rota/{monday_rota.id}/sessions/{session.id}/remove", token_from=f"/staff/rota/{monday_rota.id}"
    )
    assert RotaSession.select().count() == 0


# Generating ------------------------------------------------------------------------------------------------------


def test_reception_generates_two_weeks_and_sees_the_slots_in_the_diary(client, practice, clinician, monday_rota):
    as_staff(client, practice, "reception")
    response = client.form_post("/staff/rota/generate", {"weeks": "2"})
    diary = text(client.get(f"/staff/diary/?clinician={clinician.id}&day=2026-06-22"))
    assert (response.status_code, Slot.select().count(), "09:50" in diary) == (303, 12, True)


def test_generating_says_what_it_did(client, practice, clinician, monday_rota):
    as_staff(client, practice, "reception")
    page = client.form_post("/staff/rota/generate", {"weeks": "1"}, follow_redirects=True)
    assert "6 slots added, 0 changed, 0 removed" in text(page)


def test_thirteen_weeks_is_an_error_page(client, practice, monday_rota):
    as_staff(client, practice, "reception")
    response = client.form_post("/staff/rota/generate", {"weeks": "13"})
    assert (title(response).startswith("Error: "), Slot.select().count()) == (True, 0)


def test_the_generate_page_lists_booked_appointments_that_no_longer_fit(client, practice, clinician, monday_rota):
    as_staff(client, practice, "reception")
    client.form_post("/staff/rota/generate", {"weeks": "1"})
    slot = Slot.select().order_by(Slot.starts_at).first()
    make_appointment(make_patient(practice, given_name="Olivia", family_name="Shaw"), slot)
    RotaSession.delete().execute()
    page = client.form_post("/staff/rota/generate", {"weeks": "1"}, follow_redirects=True)
    assert "Olivia Shaw" in text(page)


# Closures ---------------------------------------------------------------------------------------------------------


def test_manager_closes_the_practice_and_sees_the_bookings_to_move(client, practice, clinician):
    as_staff(client, practice)
    make_appointment(make_patient(practice, given_name="Olivia", family_name="Shaw"), make_slot(clinician, MONDAY_09))
    free = make_slot(clinician, datetime(2026, 6, 15, 9, 0))
    response = client.form_post(
        "/staff/rota/closures/new", {"who": "all", "day": "2026-06-15", "reason": "Bank holiday"}
    )
    page = client.get(response.headers["Location"])
    assert ("Olivia Shaw" in text(page), Slot.get_or_none(Slot.id == free.id)) == (True, None)


def test_a_closure_with_a_start_but_no_end_is_an_error_page(client, practice):
    as_staff(client, practice)
    form = {"who": "all", "day": "2026-06-15", "starts": "13:00", "reason": "Training"}
    response = client.form_post("/staff/rota/closures/new", form)
    assert (title(response).startswith("Error: "), Closure.select().count()) == (True, 0)


def test_manager_removes_a_closure(client, practice):
    as_staff(client, practice)
    closure = make_closure(practice, date(2026, 6, 15))
    client.form_post(f"/staff/rota/closures/{closure.id}/remove", token_from=f"/staff/rota/closures/{closure.id}")
    assert Closure.select().count() == 0


def test_the_closures_list_shows_upcoming_closures(client, practice, clinician):
    as_staff(client, practice, "clinician")
    make_closure(practice, date(2026, 6, 15), clinician=clinician, starts=time(13), ends=time(17), reason="Training")
    page = text(client.get("/staff/rota/closures/"))
    assert ("Training" in page, "13:00 to 17:00" in page, "Anita Patel" in page) == (True, True, True)


# Links ----------------------------------------------------------------------------------------------------------


def test_the_diary_links_to_the_rota(client, practice, clinician):
    as_staff(client, practice, "clinician")
    assert 'href="/staff/rota/"' in client.get("/staff/diary/").get_data(as_text=True)


def test_the_practice_page_links_to_clinicians_and_rota(client, practice):
    as_staff(client, practice)
    assert "Clinicians and rota" in text(client.get("/staff/practice/"))


# Access ---------------------------------------------------------------------------------------------------------

MANAGER_ONLY_PAGES = [
    "/staff/clinicians/",
    "/staff/clinicians/new",
    "/staff/clinicians/{clinician}/edit",
    "/staff/clinicians/{clinician}/deactivate",
    "/staff/rota/new",
    "/staff/rota/{template}/edit",
    "/staff/rota/{template}/sessions/new",
    "/staff/rota/closures/new",
]
ANY_STAFF_PAGES = ["/staff/rota/", "/staff/rota/{template}", "/staff/rota/closures/", "/staff/rota/closures/{closure}"]


def _urls(urls, clinician, template, closure):
    return [u.format(clinician=clinician.id, template=template.id, closure=closure.id) for u in urls]


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_only_managers_open_the_pages_that_change_clinicians_rota_and_closures(
    client, practice, clinician, monday_rota, role
):
    as_staff(client, practice, role)
    urls = _urls(MANAGER_ONLY_PAGES, clinician, monday_rota, make_closure(practice, date(2026, 6, 15)))
    assert {u: client.get(u).status_code for u in urls} == dict.fromkeys(urls, 404)


def test_managers_open_every_rota_page(client, practice, clinician, monday_rota):
    as_staff(client, practice)
    urls = _urls(
        MANAGER_ONLY_PAGES + ANY_STAFF_PAGES, clinician, monday_rota, make_closure(practice, date(2026, 6, 15))
    )
    assert {u: client.get(u).status_code for u in urls} == dict.fromkeys(urls, 200)


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_every_member_of_staff_can_see_the_rota_and_closures(client, practice, clinician, monday_rota, role):
    as_staff(client, practice, role)
    urls = _urls(ANY_STAFF_PAGES, clinician, monday_rota, make_closure(practice, date(2026, 6, 15)))
    assert {u: client.get(u).status_code for u in urls} == dict.fromkeys(urls, 200)


@pytest.mark.parametrize(("role", "status"), [("reception", 200), ("manager", 200), ("clinician", 404)])
def test_reception_and_managers_generate_the_diary_and_clinicians_do_not(client, practice, role, status):
    as_staff(client, practice, role)
    assert client.get("/staff/rota/generate").status_code == status


def test_a_clinician_cannot_generate_the_diary(client, practice, monday_rota):
    as_staff(client, practice, "clinician")
    client.form_post("/staff/rota/generate", {"weeks": "2"}, token_from="/staff/rota/")
    assert Slot.select().count() == 0


def test_reception_cannot_add_a_closure(client, practice):
    as_staff(client, practice, "reception")
    form = {"who": "all", "day": "2026-06-15", "reason": "x"}
    response = client.form_post("/staff/rota/closures/new", form, token_from="/staff/rota/")
    assert (response.status_code, Closure.select().count()) == (404, 0)


def test_the_rota_asks_signed_out_visitors_to_sign_in(client):
    assert "/staff/sign-in" in client.get("/staff/rota/").headers["Location"]


# Foreign ids ----------------------------------------------------------------------------------------------------


@pytest.fixture
def foreign():
    other = make_practice()
    clinician = make_clinician(other, display_name="Dr Z Elsewhere")
    template = make_rota_template(clinician)
    session = make_rota_session(template, 0)
    return {
        "clinician": clinician,
        "template": template,
        "session": session,
        "closure": make_closure(other, date(2026, 6, 15)),
    }


def test_another_practices_ids_give_404_on_every_page(client, practice, foreign):
    as_staff(client, practice)
    with_ids = [u for u in MANAGER_ONLY_PAGES + ANY_STAFF_PAGES if "{" in u]
    urls = _urls(with_ids, foreign["clinician"], foreign["template"], foreign["closure"])
    assert {u: client.get(u).status_code for u in urls} == dict.fromkeys(urls, 404)


def test_another_practices_ids_give_404_and_change_nothing_when_posted(client, practice, foreign):
    as_staff(client, practice)
    t, s, c, k = foreign["template"], foreign["session"], foreign["clinician"], foreign["closure"]
    posts = [
        f"/staff/clinicians/{c.id}/deactivate",
        f"/staff/clinicians/{c.id}/reactivate",
        f"/staff/rota/{t.id}/sessions/{s.id}/remove",
        f"/staff/rota/closures/{k.id}/remove",
    ]
    statuses = {u: client.form_post(u, token_from="/staff/rota/").status_code for u in posts}
    assert (statuses, Clinician.get_by_id(c.id).active, RotaSession.select().count(), Closure.select().count()) == (
        dict.fromkeys(posts, 404),
        True,
        1,
        1,
    )


def test_a_session_of_another_template_cannot_be_removed_through_this_one(client, practice, monday_rota, foreign):
    as_staff(client, practice)
    url = f"/staff/rota/{monday_rota.id}/sessions/{foreign['session'].id}/remove"
    assert client.form_post(url, token_from="/staff/rota/").status_code == 404


def test_another_practices_clinician_cannot_get_a_rota_here(client, practice, foreign):
    as_staff(client, practice)
    response = client.form_post("/staff/rota/new", {"clinician": foreign["clinician"].id, "starts_on": "2026-06-01"})
    assert (
        RotaTemplate.select().where(RotaTemplate.practice == practice.id).count() == 0 and response.status_code == 200
    )


def test_another_practices_clinician_cannot_be_closed_here(client, practice, foreign):
    as_staff(client, practice)
    form = {"who": str(foreign["clinician"].id), "day": "2026-06-15", "reason": "x"}
    client.form_post("/staff/rota/closures/new", form)
    assert Closure.select().where(Closure.practice == practice.id).count() == 0
