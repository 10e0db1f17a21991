"""`can(endpoint)`, the templates' question "may this member of staff use that?", answers from the route's own rule:
for every staff page and action it is true exactly when the route would not answer 404 for that role."""

import hashlib
from datetime import timedelta

import pytest
from flask import g
from werkzeug.routing import AnyConverter

from kiosk.access import can
from kiosk.clock import local_today
from kiosk.models import Appointment, PatientImport
from kiosk.services import patient_import, practice_settings
from tests import builders
from tests.integration.test_fuzz import build_world
from tests.pages import csrf_token

STAFF_ROLES = ("reception", "clinician", "manager")
# Whether a role may use an endpoint is decided before any query: one backend is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def can_as(app, staff, endpoint: str) -> bool:
    with app.test_request_context("/staff/"):
        g.staff = staff
        return can(endpoint)


EXPECTED = {
    "staff.record.letter_queue": {"reception": False, "clinician": True, "manager": True},
    "staff.record.review_letter": {"reception": False, "clinician": True, "manager": True},
    "staff.record.decide_letter": {"reception": False, "clinician": True, "manager": False},
    "staff.prescriptions.medicines": {"reception": True, "clinician": True, "manager": True},
    "staff.prescriptions.add_medicine": {"reception": False, "clinician": True, "manager": True},
    "staff.prescriptions.decide": {"reception": False, "clinician": True, "manager": False},
    "staff.prescriptions.fulfil": {"reception": True, "clinician": False, "manager": True},
    "staff.kiosks.index": {"reception": True, "clinician": False, "manager": True},
    "staff.accounts.index": {"reception": False, "clinician": False, "manager": True},
    "staff.arrivals.running_late": {"reception": True, "clinician": True, "manager": True},
}


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("endpoint", sorted(EXPECTED))
def test_can_answers_for_the_signed_in_role(app, practice, role, endpoint):
    assert can_as(app, builders.make_staff(practice, role), endpoint) is EXPECTED[endpoint][role]


def test_can_is_false_when_nobody_is_signed_in(app):
    assert can_as(app, None, "staff.auth.dashboard") is False


def test_can_refuses_an_endpoint_that_does_not_exist(app, practice):
    # A misspelt endpoint would otherwise hide a link for everyone without anyone noticing.
    with pytest.raises(KeyError):
        can_as(app, builders.make_staff(practice, "manager"), "staff.record.no_such_page")


def world_with_everything(practice) -> dict:
    """One of everything a staff URL names, in `practice`, so an allowed role never gets 404 for a missing row."""
    world = build_world(practice)
    clinician = builders.make_clinician(practice)
    template = builders.make_rota_template(clinician)
    content = patient_import.example_csv()
    digest = hashlib.sha256(content.encode()).hexdigest()
    staged = PatientImport.create(practice=practice, filename="list.csv", content=content, digest=digest)
    return {
        **world,
        "template_id": template.id,
        "session_id": builders.make_rota_session(template, 0).id,
        "closure_id": builders.make_closure(practice, local_today() + timedelta(days=30)).id,
        "import_id": staged.id,
        "slug": practice_settings.GROUPS[0].slug,
        # The page listing what was cancelled when a patient left exists only for a patient who has left.
        "staff.patient_list.left": {
            "patient_id": builders.make_patient(practice, left_on=local_today(), left_reason="left").id
        },
    }


def url_with(rule, world: dict) -> str:
    world = {**world, **world.get(rule.endpoint, {})}
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = world[name]
    return rule.build(values, append_unknown=False)[1]


def staff_routes(app) -> list[tuple[str, str, object]]:
    """(method, endpoint, rule) for every GET and POST under a staff access rule."""
    found = []
    for rule in app.url_map.iter_rules():
        if not getattr(app.view_functions[rule.endpoint], "access_rule", "").startswith("staff:"):
            continue
        found += [(method, rule.endpoint, rule) for method in ("GET", "POST") if method in rule.methods]
    return found


def answer(client, staff, method: str, url: str) -> int:
    # A fresh session for every request: an action may sign out, or end the session some other way.
    client._cookies.clear()
    builders.make_staff_session(client, staff)
    if method == "GET":
        return client.get(url).status_code
    token = csrf_token(client.get("/staff/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token}).status_code


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_can_agrees_with_the_route_for_every_staff_page_and_action(app, client, practice, role, monkeypatch):
    # Only who gets past the rule is in question here; a POST with nothing but a token is not a page anyone sees.
    monkeypatch.setattr("tests.conftest.check_html", lambda *args: None)
    world = world_with_everything(practice)
    # A clinician's account is linked to the diary's clinician of the world's appointment, so that their own list's
    # actions (My patients today) find it.
    own = Appointment.get_by_id(world["appointment_id"]).slot.clinician_id if role == "clinician" else None
    staff = builders.make_staff(practice, role, clinician=own)
    routes = staff_routes(app)
    assert len(routes) > 60
    disagree = []
    for method, endpoint, rule in routes:
        allowed = can_as(app, staff, endpoint)
        status = answer(client, staff, method, url_with(rule, world))
        if allowed != (status != 404):
            disagree.append((method, endpoint, allowed, status))
    assert disagree == []
