"""Who may reach each staff page and action; foreign ids look missing; kiosk steps need an enrolled device."""

from datetime import date

import pytest

from kiosk.access import KIOSK_COOKIE
from kiosk.models import Appointment, AuditEvent, Clinician, Kiosk, StaffUser
from tests.builders import (
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

ROLES = ("reception", "clinician", "manager")
# Refusals decided before any query (no session, wrong role, no kiosk) do not depend on the database: one backend is
# enough. Anything scoped by a query runs on both.
BEFORE_ANY_QUERY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def targets(practice) -> dict:
    """One of each thing the staff URLs act on, all in `practice`."""
    clinician = make_clinician(practice, display_name="Dr Target Clinician")
    patient = make_patient(practice, given_name="Tabitha", family_name="Targetson")
    return {
        "appointment": make_appointment(patient, make_slot(clinician, local_time_today(9, 0)), status="booked"),
        "arrived": make_appointment(patient, make_slot(clinician, local_time_today(9, 10)), status="arrived"),
        "clinician": clinician,
        "kiosk": make_kiosk(practice, token="target-kiosk", name="Target kiosk"),
        "staff": make_staff(practice, "reception", name="Target Receptionist"),
        "disabled": make_staff(practice, "reception", name="Target Receptionist Gone", disabled_at=date(2026, 1, 1)),
    }


# (method, url template, roles allowed, form data)
ACTIONS = {
    "dashboard": ("GET", "/staff/", ROLES, None),
    "arrivals": ("GET", "/staff/arrivals/", ROLES, None),
    "mark arrived": ("POST", "/staff/arrivals/{appointment}/arrive", ("reception", "manager"), {}),
    "undo arrival": ("POST", "/staff/arrivals/{arrived}/undo", ("reception", "manager"), {}),
    "running late": ("POST", "/staff/arrivals/clinicians/{clinician}/running-late", ROLES, {"minutes": "20"}),
    "kiosks": ("GET", "/staff/kiosks/", ("reception", "manager"), None),
    "enrol kiosk": ("POST", "/staff/kiosks/", ("reception", "manager"), {"name": "Side room"}),
    "revoke kiosk": ("POST", "/staff/kiosks/{kiosk}/revoke", ("reception", "manager"), {}),
    "accounts": ("GET", "/staff/accounts/", ("manager",), None),
    "new account page": ("GET", "/staff/accounts/new", ("manager",), None),
    "add account": (
        "POST",
        "/staff/accounts/new",
        ("manager",),
        {
            "name": "New Person",
            "email": "new.person@example.test",
            "role": "reception",
            "password": "Lantern meadow copper 58",
        },
    ),
    "disable account": ("POST", "/staff/accounts/{staff}/disable", ("manager",), {}),
    "enable account": ("POST", "/staff/accounts/{disabled}/enable", ("manager",), {}),
}
DENIED = [(name, role) for name, (_, _, allowed, _) in ACTIONS.items() for role in ROLES if role not in allowed]
FOREIGN = ["mark arrived", "undo arrival", "running late", "revoke kiosk", "disable account", "enable account"]


def url_for_action(name: str, things: dict) -> str:
    return ACTIONS[name][1].format(**{k: v.id for k, v in things.items()})


def perform(client, name: str, things: dict, form_page="/staff/"):
    """GET the page, or POST the action with a CSRF token from `form_page`, so only the access rule can refuse."""
    method, _, _, data = ACTIONS[name]
    url = url_for_action(name, things)
    return client.get(url) if method == "GET" else client.form_post(url, data, token_from=form_page)


def state() -> tuple:
    """What any of the actions could change."""
    return (
        [(a.id, a.status) for a in Appointment.select().order_by(Appointment.id)],
        [(c.id, c.running_late_minutes) for c in Clinician.select().order_by(Clinician.id)],
        [(k.id, k.revoked_at) for k in Kiosk.select().order_by(Kiosk.id)],
        [(s.id, s.disabled_at) for s in StaffUser.select().order_by(StaffUser.id)],
    )


@BEFORE_ANY_QUERY
@pytest.mark.parametrize("name", list(ACTIONS))
def test_anonymous_visitor_is_sent_to_sign_in(client, practice, name):
    response = perform(client, name, targets(practice), form_page="/staff/sign-in")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/sign-in?next=")


@BEFORE_ANY_QUERY
@pytest.mark.parametrize("name", [n for n in ACTIONS if ACTIONS[n][0] == "POST"])
def test_anonymous_post_changes_nothing(client, practice, name):
    things = targets(practice)
    before = state()
    perform(client, name, things, form_page="/staff/sign-in")
    assert state() == before


ALLOWED = [(name, role) for name, (_, _, allowed, _) in ACTIONS.items() for role in allowed]


@pytest.mark.parametrize(("name", "role"), [a for a in ALLOWED if ACTIONS[a[0]][0] == "GET"])
def test_allowed_role_gets_the_page(client, practice, name, role):
    things = targets(practice)
    make_staff_session(client, make_staff(practice, role))
    response = perform(client, name, things)
    assert (response.status_code, "Page not found" in response.get_data(as_text=True)) == (200, False)


@pytest.mark.parametrize(("name", "role"), [a for a in ALLOWED if ACTIONS[a[0]][0] == "POST"])
def test_allowed_role_can_act(client, practice, name, role):
    things = targets(practice)
    make_staff_session(client, make_staff(practice, role))
    before = (state(), StaffUser.select().count(), Kiosk.select().count())
    response = perform(client, name, things)
    assert response.status_code == 303
    assert (state(), StaffUser.select().count(), Kiosk.select().count()) != before


@BEFORE_ANY_QUERY
@pytest.mark.parametrize(("name", "role"), DENIED)
def test_role_not_allowed_gets_not_found(client, practice, name, role):
    things = targets(practice)
    make_staff_session(client, make_staff(practice, role))
    assert perform(client, name, things).status_code == 404


@BEFORE_ANY_QUERY
@pytest.mark.parametrize(("name", "role"), [d for d in DENIED if ACTIONS[d[0]][0] == "POST"])
def test_role_not_allowed_changes_nothing(client, practice, name, role):
    things = targets(practice)
    make_staff_session(client, make_staff(practice, role))
    before = state()
    perform(client, name, things)
    assert state() == before


@pytest.mark.parametrize("name", FOREIGN)
def test_manager_of_another_practice_gets_not_found_for_this_practices_ids(client, practice, name):
    things = targets(practice)
    make_staff_session(client, make_staff(make_practice(), "manager"))
    response = perform(client, name, things)
    assert response.status_code == 404


@pytest.mark.parametrize("name", FOREIGN)
def test_manager_of_another_practice_changes_nothing_here(client, practice, name):
    things = targets(practice)
    make_staff_session(client, make_staff(make_practice(), "manager"))
    before = state()
    perform(client, name, things)
    assert state() == before


@pytest.mark.parametrize("name", FOREIGN)
def test_not_found_for_a_foreign_id_shows_none_of_its_data(client, practice, name):
    things = targets(practice)
    make_staff_session(client, make_staff(make_practice(), "manager"))
    page = perform(client, name, things).get_data(as_text=True)
    assert not any(s in page for s in ("Targetson", "Tabitha", "Dr Target Clinician", "Target kiosk", "Target Recep"))


@pytest.mark.parametrize("url", ["/staff/arrivals/", "/staff/kiosks/", "/staff/accounts/"])
def test_lists_show_nothing_from_another_practice(client, practice, url):
    targets(practice)
    make_staff_session(client, make_staff(make_practice(), "manager"))
    page = client.get(url).get_data(as_text=True)
    assert not any(s in page for s in ("Targetson", "Dr Target Clinician", "Target kiosk", "Target Recep"))


@pytest.mark.parametrize("role", ROLES)
def test_staff_see_their_own_practices_arrivals(client, practice, role):
    targets(practice)
    make_staff_session(client, make_staff(practice, role))
    assert "Targetson" in client.get("/staff/arrivals/").get_data(as_text=True)


# Kiosk steps on a device that is not an enrolled kiosk.
KIOSK_GETS = ["/kiosk/sex", "/kiosk/date-of-birth", "/kiosk/confirm", "/kiosk/done", "/kiosk/see-reception"]
KIOSK_POSTS = {
    "/kiosk/letter": {"letter": "S"},
    "/kiosk/sex": {"sex": "female"},
    "/kiosk/date-of-birth": {"day": "14", "month": "3", "year": "1985"},
    "/kiosk/confirm": {"appointment": "1"},
}


def booked_shaw(practice):
    patient = make_patient(practice, family_name="Shaw", sex="female", date_of_birth=date(1985, 3, 14))
    return make_appointment(patient)


@BEFORE_ANY_QUERY
@pytest.mark.parametrize("url", KIOSK_GETS)
def test_kiosk_step_on_a_device_that_is_not_enrolled_goes_back_to_the_start(client, url):
    response = client.get(url)
    assert (response.status_code, response.headers["Location"]) == (302, "/kiosk/")


@BEFORE_ANY_QUERY
@pytest.mark.parametrize("url", list(KIOSK_POSTS))
def test_kiosk_answer_on_a_device_that_is_not_enrolled_goes_back_to_the_start(client, url):
    response = client.form_post(url, KIOSK_POSTS[url], token_from="/staff/sign-in")
    assert (response.status_code, response.headers["Location"]) == (302, "/kiosk/")


def test_kiosk_start_on_a_device_that_is_not_enrolled_says_it_is_not_set_up(client):
    response = client.get("/kiosk/")
    assert (response.status_code, "This screen is not set up for check-in" in response.get_data(as_text=True)) == (
        403,
        True,
    )


@BEFORE_ANY_QUERY
def test_kiosk_start_on_a_device_that_is_not_enrolled_offers_no_check_in_form(client):
    assert 'action="/kiosk/letter"' not in client.get("/kiosk/").get_data(as_text=True)


def test_walking_the_kiosk_steps_on_a_device_that_is_not_enrolled_records_nothing(client, practice):
    appointment = booked_shaw(practice)
    for url, data in KIOSK_POSTS.items():
        client.form_post(url, {**data, "appointment": str(appointment.id)}, token_from="/staff/sign-in")
    assert (AuditEvent.select().count(), Appointment.get_by_id(appointment.id).status) == (0, "booked")


def test_revoked_kiosk_is_treated_as_not_enrolled(client, practice):
    make_kiosk(practice, token="old-kiosk", revoked_at=date(2026, 1, 1))
    client.set_cookie(KIOSK_COOKIE, "old-kiosk")
    assert client.get("/kiosk/").status_code == 403


def test_unknown_kiosk_token_is_treated_as_not_enrolled(client, practice):
    make_kiosk(practice, token="real-kiosk")
    client.set_cookie(KIOSK_COOKIE, "guessed-kiosk")
    assert client.get("/kiosk/").status_code == 403
