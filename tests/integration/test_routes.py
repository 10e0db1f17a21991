"""Walks app.url_map: every view declares an access rule, and every POST refuses a missing or wrong CSRF token."""

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from kiosk.access import KIOSK_COOKIE
from kiosk.models import ALL_MODELS, WebSession
from tests.builders import make_kiosk, make_staff
from tests.conftest import sign_in

# CSRF is checked before any view runs, so the database behind it does not matter: one backend is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def sample_url(rule) -> str:
    """A URL for the rule with made-up arguments: CSRF is checked before the view looks at them."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x"
    return rule.build(values)[1]


def post_rules(app):
    return [r for r in app.url_map.iter_rules() if "POST" in r.methods]


def snapshot():
    """Every row of every table but the sessions (which a request may touch to note activity)."""
    return {
        m.__name__: list(m.select().order_by(*m._meta.get_primary_keys()).tuples())
        for m in ALL_MODELS
        if m is not WebSession
    }


def test_every_view_declares_an_access_rule(app):
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if not getattr(app.view_functions[rule.endpoint], "access_rule", None)
    ]
    assert missing == []


def test_there_are_post_routes_to_walk(app):
    assert len(post_rules(app)) >= 9


@pytest.fixture
def signed_in_manager_on_a_kiosk(client, practice):
    """The most privileged client there is: a manager, on an enrolled kiosk device."""
    make_kiosk(practice, token="walker-kiosk")
    client.set_cookie(KIOSK_COOKIE, "walker-kiosk")
    sign_in(client, make_staff(practice, "manager"))
    client.get("/staff/")  # as a browser would after signing in: the session now holds a CSRF token
    return client


def test_every_post_without_a_csrf_token_is_refused(app, signed_in_manager_on_a_kiosk):
    statuses = {sample_url(r): signed_in_manager_on_a_kiosk.post(sample_url(r)).status_code for r in post_rules(app)}
    assert statuses == dict.fromkeys(statuses, 400)


def test_every_post_with_a_wrong_csrf_token_is_refused(app, signed_in_manager_on_a_kiosk):
    statuses = {
        sample_url(r): signed_in_manager_on_a_kiosk.post(sample_url(r), data={"csrf_token": "forged"}).status_code
        for r in post_rules(app)
    }
    assert statuses == dict.fromkeys(statuses, 400)


def test_posts_refused_for_csrf_change_nothing(app, signed_in_manager_on_a_kiosk):
    before = snapshot()
    for rule in post_rules(app):
        signed_in_manager_on_a_kiosk.post(sample_url(rule), data={"csrf_token": "forged"})
    assert snapshot() == before


def test_csrf_refusal_says_nothing_was_changed(app, signed_in_manager_on_a_kiosk):
    page = signed_in_manager_on_a_kiosk.post("/staff/sign-out").get_data(as_text=True)
    assert "Nothing was changed" in page


def test_post_refused_for_csrf_leaves_the_member_of_staff_signed_in(app, signed_in_manager_on_a_kiosk):
    signed_in_manager_on_a_kiosk.post("/staff/sign-out")
    assert signed_in_manager_on_a_kiosk.get("/staff/").status_code == 200
