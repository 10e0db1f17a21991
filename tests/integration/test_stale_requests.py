"""Requests from a page that has gone stale: a lapsed session, an out-of-date form. With JavaScript on (htmx) the
answer takes the whole window somewhere sensible; without, the same pages as ever, the kiosk's pointing at check-in."""

from datetime import date

import pytest

from kiosk.models import Appointment, AuditEvent, WebSession
from tests.builders import (
    make_appointment,
    make_patient,
    make_patient_session,
    make_registered_account,
    make_staff,
    make_staff_session,
)
from tests.pages import check_html

# Routing and headers, not storage: one backend is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

BOOSTED = {"HX-Request": "true", "HX-Boosted": "true"}


def fragment_request(current_url: str) -> dict:
    """Headers of a partial swap (the arrivals list refreshing itself) made from the page at `current_url`."""
    return {"HX-Request": "true", "HX-Current-URL": current_url}


def shaw(practice):
    return make_patient(practice, family_name="Shaw", sex="female", date_of_birth=date(1985, 3, 14))


def walk_to_confirm(client):
    client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/")
    client.form_post("/kiosk/sex", {"sex": "female"})
    client.form_post("/kiosk/date-of-birth", {"day": 14, "month": 3, "year": 1985})


# ---- the kiosk: a stale form starts a fresh check-in ----


def test_stale_kiosk_form_with_javascript_sends_the_screen_to_a_fresh_start(kiosk_client):
    response = kiosk_client.post("/kiosk/letter", data={"csrf_token": "stale", "letter": "S"}, headers=BOOSTED)
    assert (response.status_code, response.headers.get("HX-Redirect"), response.get_data()) == (200, "/kiosk/", b"")


def test_stale_kiosk_form_records_nothing(kiosk_client, practice):
    appointment = make_appointment(shaw(practice))
    walk_to_confirm(kiosk_client)
    before = AuditEvent.select().count()

    response = kiosk_client.post(
        "/kiosk/confirm", data={"csrf_token": "stale", "appointment": appointment.id}, headers=BOOSTED
    )

    assert response.headers.get("HX-Redirect") == "/kiosk/"
    assert (Appointment.get_by_id(appointment.id).status, AuditEvent.select().count()) == ("booked", before)


def test_stale_kiosk_letter_is_not_kept(kiosk_client):
    kiosk_client.post("/kiosk/letter", data={"csrf_token": "stale", "letter": "S"}, headers=BOOSTED)
    assert kiosk_client.get("/kiosk/sex").headers["Location"] == "/kiosk/"


def test_the_fresh_start_issues_a_token_that_works(kiosk_client):
    with kiosk_client.session_transaction() as session:
        session.clear()  # as when the session lapsed while the start screen sat there
    kiosk_client.post("/kiosk/letter", data={"csrf_token": "stale", "letter": "S"}, headers=BOOSTED)

    response = kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/")

    assert (response.status_code, response.headers["Location"]) == (303, "/kiosk/sex")


def test_stale_kiosk_form_without_javascript_shows_the_kiosk_out_of_date_page(kiosk_client, practice):
    practice.kiosk_idle_seconds = 45
    practice.save()

    response = kiosk_client.post("/kiosk/letter", data={"csrf_token": "stale", "letter": "S"})

    tree = check_html(response.get_data(as_text=True))
    main = tree.css_first("main")
    assert (response.status_code, tree.css_first("h1").text()) == (400, "Your page was out of date")
    assert [a.attributes["href"] for a in main.css("a")] == ["/kiosk/"]
    assert (main.attributes.get("data-reset-after"), main.attributes.get("data-reset-url")) == ("45", "/kiosk/")
    assert 'content="45;url=/kiosk/"' in tree.css_first("noscript").html


def test_kiosk_out_of_date_page_answers_any_form_on_an_enrolled_kiosk(kiosk_client):
    response = kiosk_client.post("/staff/sign-in", data={"csrf_token": "stale"})
    tree = check_html(response.get_data(as_text=True))
    assert (response.status_code, tree.css_first("body").attributes["class"]) == (400, "app-kiosk")


def test_out_of_date_form_elsewhere_still_says_so(client):
    response = client.post("/staff/sign-in", data={"csrf_token": "stale", "email": "a@example.org"})
    tree = check_html(response.get_data(as_text=True))
    assert (response.status_code, tree.css_first("h1").text()) == (400, "Your page was out of date")
    assert "/kiosk/" not in response.get_data(as_text=True)


def test_out_of_date_form_elsewhere_with_javascript_is_a_page_htmx_swaps_in(client):
    response = client.post("/staff/sign-in", data={"csrf_token": "stale"}, headers=BOOSTED)
    assert (response.status_code, "HX-Redirect" in response.headers) == (400, False)
    check_html(response.get_data(as_text=True))


# ---- a lapsed session: the whole window goes to sign in, never a page inside a fragment ----


def test_arrivals_refresh_after_the_staff_session_ended_redirects_the_whole_page(client, practice):
    make_staff_session(client, make_staff(practice, "reception"))
    WebSession.delete().execute()  # the session ran out on the server

    response = client.get("/staff/arrivals/?auto=1", headers=fragment_request("http://localhost/staff/arrivals/"))

    assert (response.status_code, response.headers.get("HX-Redirect")) == (200, "/staff/sign-in?next=/staff/arrivals/")
    assert "Staff sign in" not in response.get_data(as_text=True)


def test_redirect_for_htmx_varies_on_the_htmx_header(client):
    response = client.get("/staff/arrivals/?auto=1", headers=fragment_request("http://localhost/staff/arrivals/"))
    assert "HX-Request" in response.headers["Vary"]


def test_patient_fragment_request_after_the_session_ended_redirects_the_whole_page(client, practice):
    make_patient_session(client, make_registered_account(practice, make_patient(practice)))
    WebSession.delete().execute()

    response = client.get(
        "/appointments/book?kind=gp", headers=fragment_request("http://localhost/appointments/book?kind=nurse")
    )

    assert (response.status_code, response.headers.get("HX-Redirect")) == (
        200,
        "/sign-in?next=/appointments/book?kind%3Dnurse",
    )


def test_boosted_link_after_the_session_ended_goes_to_sign_in_then_to_the_link(client):
    response = client.get("/staff/arrivals/", headers={**BOOSTED, "HX-Current-URL": "http://localhost/staff/"})
    assert response.headers.get("HX-Redirect") == "/staff/sign-in?next=/staff/arrivals/"


def test_another_sites_address_is_never_where_sign_in_returns_to(client):
    response = client.get("/staff/arrivals/?auto=1", headers=fragment_request("http://evil.example/staff/arrivals/"))
    assert response.headers.get("HX-Redirect") == "/staff/sign-in?next=/staff/arrivals/?auto%3D1"


def test_without_javascript_a_lapsed_session_is_still_a_plain_redirect(client):
    response = client.get("/staff/arrivals/")
    assert (response.status_code, response.headers["Location"], "HX-Redirect" in response.headers) == (
        302,
        "/staff/sign-in?next=/staff/arrivals/",
        False,
    )


# ---- other refusals are whole pages too ----


def test_bad_request_is_a_page_of_ours(client, practice):
    make_staff_session(client, make_staff(practice, "reception"))
    clinician_id = make_appointment(make_patient(practice)).slot.clinician_id
    response = client.form_post(
        f"/staff/arrivals/clinicians/{clinician_id}/running-late", {"minutes": "7"}, token_from="/staff/arrivals/"
    )
    tree = check_html(response.get_data(as_text=True))
    assert (response.status_code, tree.css_first("h1").text()) == (400, "Sorry, we could not do that")


def test_a_row_not_found_in_a_view_is_the_not_found_page(app, client):
    """A DoesNotExist that reaches Flask is the same 404 page as any unknown address, never a 500."""
    from kiosk.models import Patient

    @app.get("/raises-does-not-exist")
    def raises():
        return Patient.get_by_id(10**9)

    raises.access_rule = "public"
    response = client.get("/raises-does-not-exist")
    assert (response.status_code, "Page not found" in response.get_data(as_text=True)) == (404, True)
