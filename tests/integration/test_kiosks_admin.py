"""Enrolling this device as a waiting-room kiosk, and revoking a kiosk."""

from kiosk.access import KIOSK_COOKIE, token_digest
from kiosk.models import AuditEvent, Kiosk
from tests.builders import make_kiosk, make_staff, make_staff_session
from tests.pages import check_html


def reception(client, practice):
    staff = make_staff(practice, "reception")
    make_staff_session(client, staff)
    return staff


def enrol(client, name="Waiting room 1"):
    return client.form_post("/staff/kiosks/", {"name": name})


def test_enrolling_gives_the_device_a_long_lived_http_only_cookie(client, practice):
    reception(client, practice)
    cookie = next(c for c in enrol(client).headers.getlist("Set-Cookie") if c.startswith(KIOSK_COOKIE))
    assert ("HttpOnly" in cookie, "SameSite=Lax" in cookie, "Max-Age=31536000" in cookie) == (True, True, True)


def test_enrolled_kiosk_stores_only_a_digest_of_the_device_token(client, practice):
    reception(client, practice)
    enrol(client)
    token = client.get_cookie(KIOSK_COOKIE).value
    assert Kiosk.get(Kiosk.name == "Waiting room 1").token_hash == token_digest(token) != token


def test_enrolled_device_shows_the_check_in_screen_once_staff_sign_out(client, practice):
    reception(client, practice)
    enrol(client)
    client.delete_cookie("session")
    assert 'action="/kiosk/letter"' in client.get("/kiosk/").get_data(as_text=True)


def test_enrolment_is_audited(client, practice):
    staff = reception(client, practice)
    enrol(client)
    event = AuditEvent.get(AuditEvent.action == "kiosk.enrol")
    assert (event.actor_id, event.detail) == (staff.id, "Waiting room 1")


def test_enrolling_without_a_name_shows_the_error_next_to_the_field(client, practice):
    reception(client, practice)
    tree = check_html(enrol(client, name="").get_data(as_text=True))
    assert (tree.css_first("#name-error") is not None, Kiosk.select().count()) == (True, 0)


def test_revoked_kiosk_can_no_longer_check_anyone_in(client, practice, app):
    reception(client, practice)
    kiosk = make_kiosk(practice, token="front-desk")
    client.form_post(f"/staff/kiosks/{kiosk.id}/revoke", token_from="/staff/kiosks/")
    device = app.test_client()
    device.set_cookie(KIOSK_COOKIE, "front-desk")
    assert device.get("/kiosk/").status_code == 403


def test_revoked_kiosk_leaves_the_list(client, practice):
    reception(client, practice)
    kiosk = make_kiosk(practice, token="front-desk", name="Front desk screen")
    client.form_post(f"/staff/kiosks/{kiosk.id}/revoke", token_from="/staff/kiosks/")
    assert "Front desk screen</td>" not in client.get("/staff/kiosks/").get_data(as_text=True)


def test_revoking_is_audited(client, practice):
    staff = reception(client, practice)
    kiosk = make_kiosk(practice, token="front-desk")
    client.form_post(f"/staff/kiosks/{kiosk.id}/revoke", token_from="/staff/kiosks/")
    event = AuditEvent.get(AuditEvent.action == "kiosk.revoke")
    assert (event.actor_id, event.object_id) == (staff.id, kiosk.id)
