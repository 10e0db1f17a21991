"""Bad input never gives a 500: each reproduction of the "never a 500" issue, with the answer a person reads.

A form that fails validation re-renders with 200, an error summary and a title starting "Error: " (htmx 2 swaps only
2xx answers); a request no page could have sent gets a 4xx page; an id no row can have is a 404.
"""

import io
import json
import re
from datetime import date, timedelta

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from kiosk.clock import local_today
from kiosk.models import Appointment, AuditEvent, LetterAttachment, Medicine, OnlineAccount, StaffUser
from kiosk.services import online_access
from kiosk.services.online_access import ServiceChoice
from tests.builders import (
    PASSWORD,
    actor_for,
    make_clinician,
    make_entry,
    make_identity_check,
    make_letter,
    make_medicine,
    make_patient,
    make_patient_session,
    make_registered_account,
    make_slot,
    make_staff,
    make_staff_session,
)
from tests.cheap_hashing import use_cheap_argon2
from tests.pages import check_html, csrf_token

HUGE = "18446744073709551616"  # 2**64: past every integer column and every C int


@pytest.fixture(autouse=True)
def _cheap_hashing(monkeypatch):
    use_cheap_argon2(monkeypatch)


def text(response) -> str:
    return re.sub(r"\s+", " ", HTMLParser(response.get_data(as_text=True)).body.text())


def field_error(response, field_id: str) -> str:
    """The message shown next to a field, and the page must be an error re-render."""
    tree = check_html(response.get_data(as_text=True))
    assert tree.css_first("title").text().startswith("Error: ")
    node = tree.css_first(f"#{field_id}-error")
    assert node is not None, f"no error next to {field_id}"
    return " ".join(node.text().replace("Error:", "", 1).split())


@pytest.fixture
def as_staff(client, practice):
    def make(role: str = "reception"):
        staff = make_staff(practice, role)
        make_staff_session(client, staff)
        return staff

    return make


# Dates built from huge numbers


@pytest.fixture
def letter(practice):
    reception = actor_for(make_staff(practice))
    patient = make_patient(practice, date_of_birth=date(1990, 11, 5))
    account = online_access.start_for_patient(reception, patient.id)
    make_identity_check(account)
    online_access.set_services(reception, account.id, ServiceChoice(True, True, "none", not_pressured=True))
    return online_access.issue_registration_letter(reception, account.id)


def test_a_huge_year_on_register_is_a_field_error(client, letter):
    data = {"account_id": letter.account.account_id, "linkage_key": letter.key, "day": 5, "month": 11, "year": HUGE}
    response = client.form_post("/register", data)
    assert (response.status_code, field_error(response, "dob")) == (200, "Year must be 4 numbers, like 1985")


def test_a_huge_day_on_the_kiosk_is_a_field_error(kiosk_client):
    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/")
    kiosk_client.form_post("/kiosk/sex", {"sex": "female"})
    response = kiosk_client.form_post("/kiosk/date-of-birth", {"day": HUGE, "month": 3, "year": 1985})
    assert (response.status_code, field_error(response, "dob")) == (200, "Date of birth must be a real date")


def test_a_huge_year_on_a_letter_is_a_field_error(client, as_staff, practice):
    as_staff("reception")
    patient = make_patient(practice)
    data = {"kind": "discharge", "day": 1, "month": 1, "year": HUGE, "author": "Ward 7", "body": "Seen."}
    response = client.form_post(f"/staff/patients/{patient.id}/letters/new", data)
    assert (response.status_code, text(response).count("Year must be between 1900 and 2200")) == (200, 2)


def test_a_huge_proxy_end_year_is_a_field_error(client, as_staff, practice):
    as_staff("reception")
    patient = make_patient(practice)
    proxy = make_registered_account(practice)
    data = {
        "proxy_account_id": proxy.account_id,
        "basis": "consent",
        "end_day": 1,
        "end_month": 1,
        "end_year": HUGE,
        "decision": "grant",
        "reason": "Asked for by the patient",
    }
    response = client.form_post(f"/staff/patients/{patient.id}/proxies/new", data)
    assert response.status_code == 200
    assert "Year must be between 1900 and 2200" in text(response)


def test_a_huge_look_again_year_is_a_field_error(client, as_staff, practice):
    as_staff("clinician")
    letter = make_letter(make_patient(practice))
    data = {"decision": "withhold", "reason": "third_party", "look_day": 1, "look_month": 1, "look_year": HUGE}
    response = client.form_post(f"/staff/letters/{letter.id}", data)
    assert response.status_code == 200
    assert "Year must be between 1900 and 2200" in text(response)


@pytest.mark.parametrize("typed", ["1/1/1", "31/12/9999", "01/01/1899"])
def test_a_typed_date_outside_the_years_is_a_field_error(client, as_staff, practice, typed):
    as_staff("clinician")
    patient = make_patient(practice)
    data = {"name": "Amlodipine", "dose": "One daily", "quantity": "28", "kind": "repeat", "interval_days": 28}
    response = client.form_post(
        f"/staff/patients/{patient.id}/medicines", {**data, "issues_left": 6, "review_on": typed}
    )
    assert field_error(response, "review_on") == "Enter a real date like 31/01/2027"


def test_a_coded_entry_dated_year_one_is_a_field_error(client, as_staff, practice):
    as_staff("clinician")
    patient = make_patient(practice)
    data = {"kind": "problem", "snomed_code": "195967001", "term": "Asthma", "effective_on": "1/1/1"}
    response = client.form_post(f"/staff/patients/{patient.id}/record/new", data)
    assert field_error(response, "effective_on") == "Enter a real date like 31/01/2026"


def test_a_session_in_year_one_is_a_field_error(client, as_staff, practice):
    as_staff("reception")
    clinician = make_clinician(practice)
    data = {"clinician": clinician.id, "day": "1/1/1", "start": "09:00", "end": "10:00", "length": 10, "kind": "gp"}
    response = client.form_post("/staff/diary/sessions/new", data)
    assert field_error(response, "day") == "Enter a real date, like 1/12/2026"


# Dates in addresses: a day that cannot be shown falls back to today


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", HUGE, "1/1/1"])
def test_the_diary_shows_today_for_a_day_it_cannot_show(client, as_staff, practice, day):
    as_staff("reception")
    make_clinician(practice)
    response = client.get(f"/staff/diary/?day={day}")
    heading = HTMLParser(response.get_data(as_text=True)).css_first("h1").text()
    assert (response.status_code, f"{local_today():%-d %B %Y}" in heading) == (200, True)


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31", HUGE])
def test_the_slot_finder_shows_a_week_it_can_for_one_it_cannot(client, practice, start):
    account = make_registered_account(practice, make_patient(practice), appointments=True)
    make_patient_session(client, account)
    response = client.get(f"/appointments/book?start={start}&clinician={HUGE}")
    assert (response.status_code, "GP appointment: free times" in text(response)) == (200, True)


# Integers beyond 64 bits


@pytest.mark.parametrize(
    "path", [f"/staff/patients/{HUGE}", f"/staff/medicines/{HUGE}", "/staff/patients/0", f"/staff/letters/{HUGE}"]
)
def test_an_id_no_row_can_have_is_not_found(client, as_staff, path):
    as_staff("clinician")
    response = client.get(path)
    assert (response.status_code, "Page not found" in text(response)) == (404, True)


@pytest.mark.parametrize("page", [HUGE, "-1", "0", "many"])
def test_a_record_page_number_that_cannot_be_shown_gives_the_first_page(client, practice, page):
    patient = make_patient(practice)
    make_entry(patient, "problem", term="Asthma")
    make_patient_session(client, make_registered_account(practice, patient, record_level="detailed"))
    response = client.get(f"/record/problem?page={page}")
    assert (response.status_code, "Asthma" in text(response)) == (200, True)


@pytest.mark.parametrize("patient", [HUGE, "0", "-1"])
def test_booking_a_patient_id_no_row_can_have_is_not_found(client, as_staff, practice, patient):
    as_staff("reception")
    slot = make_slot(make_clinician(practice))
    response = client.form_post(
        f"/staff/diary/slots/{slot.id}/book", {"patient": patient, "token": "t" * 32}, token_from="/staff/diary/"
    )
    assert (response.status_code, "Page not found" in text(response), Appointment.select().count()) == (404, True, 0)


# Bodies that are not a form


def test_a_json_body_is_refused_before_any_form_reads_it(client):
    page = client.get("/staff/sign-in")
    response = client.post(
        "/staff/sign-in",
        data=json.dumps({"email": [1, 2], "password": 3}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(page.get_data(as_text=True))},
    )
    assert response.status_code == 415
    assert "This page takes only what its form sends" in text(response)


def test_a_file_where_text_is_expected_is_refused(client):
    token = csrf_token(client.get("/staff/sign-in").get_data(as_text=True))
    data = {"csrf_token": token, "email": (io.BytesIO(b"a@b.c"), "email.txt"), "password": "x"}
    response = client.post("/staff/sign-in", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "A file was sent where this form asks for text" in text(response)


def test_a_file_in_a_field_that_is_not_the_attachment_is_refused(client, as_staff, practice):
    as_staff("reception")
    patient = make_patient(practice)
    url = f"/staff/patients/{patient.id}/letters/new"
    token = csrf_token(client.get(url).get_data(as_text=True))
    data = {"csrf_token": token, "kind": "other", "body": (io.BytesIO(b"%PDF-1.4"), "body.pdf")}
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert (response.status_code, LetterAttachment.select().count()) == (400, 0)


# NUL bytes and bytes that are not UTF-8


def test_a_nul_in_the_sign_in_email_is_a_field_error(client):
    response = client.form_post("/staff/sign-in", {"email": "rosa\x00@example.test", "password": PASSWORD})
    assert field_error(response, "email") == (
        "Email address contains a character that is not allowed. Remove it and try again"
    )


def test_a_nul_in_a_reason_is_a_field_error_and_nothing_is_written(client, as_staff, practice):
    as_staff("reception")
    account = make_registered_account(practice, make_patient(practice))
    before = AuditEvent.select().count()
    response = client.form_post(f"/staff/online-accounts/{account.id}/suspend", {"reason": "Asked\x00 to"})
    assert field_error(response, "reason").startswith("Reason (kept in the record")
    assert (OnlineAccount.get_by_id(account.id).suspended_at, AuditEvent.select().count() - before) == (None, 0)


def test_a_form_part_that_is_not_utf8_is_a_field_error(client):
    token = csrf_token(client.get("/staff/sign-in").get_data(as_text=True)).encode()
    body = b"".join(
        b'--XX\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % pair
        for pair in ((b"csrf_token", token), (b"email", b"rosa\xff@example.test"), (b"password", b"x"))
    )
    response = client.post("/staff/sign-in", data=body + b"--XX--\r\n", content_type="multipart/form-data; boundary=XX")
    assert field_error(response, "email") == "Email address contains a character that could not be read. Type it again"


def test_a_form_body_that_is_not_utf8_is_refused(client):
    token = csrf_token(client.get("/staff/sign-in").get_data(as_text=True))
    body = f"csrf_token={token}&email=rosa".encode() + b"\xff\xfe@example.test&password=x"
    response = client.post("/staff/sign-in", data=body, content_type="application/x-www-form-urlencoded")
    assert (response.status_code, "characters that could not be read" in text(response)) == (400, True)


def test_a_nul_in_the_address_is_refused(client, as_staff):
    as_staff("reception")
    response = client.get("/staff/patients/?q=Sh%00aw")
    assert (response.status_code, "characters in it that it cannot have" in text(response)) == (400, True)


# Column limits


def test_a_form_token_longer_than_its_column_is_refused(client, practice):
    account = make_registered_account(practice, make_patient(practice), appointments=True)
    make_patient_session(client, account)
    slot = make_slot(make_clinician(practice), starts_at=None)
    response = client.form_post(f"/appointments/book/{slot.id}", {"token": "x" * 65})
    assert (response.status_code, "Nothing was changed" in text(response)) == (400, True)


@pytest.mark.parametrize(("days", "message"), [(str(2**31), "between 1 and 366"), ("367", "between 1 and 366")])
def test_days_one_issue_lasts_is_bounded(client, as_staff, practice, days, message):
    as_staff("clinician")
    patient = make_patient(practice)
    data = {"name": "Amlodipine", "dose": "One daily", "quantity": "28", "kind": "repeat", "issues_left": 6}
    response = client.form_post(f"/staff/patients/{patient.id}/medicines", {**data, "interval_days": days})
    assert field_error(response, "interval_days") == f"Days one issue lasts must be {message}"
    assert Medicine.select().count() == 0


def test_issues_left_is_bounded(client, as_staff, practice):
    as_staff("clinician")
    patient = make_patient(practice)
    data = {"name": "Amlodipine", "dose": "One daily", "quantity": "28", "kind": "repeat", "interval_days": 28}
    response = client.form_post(f"/staff/patients/{patient.id}/medicines", {**data, "issues_left": "101"})
    assert field_error(response, "issues_left") == "Issues left must be between 0 and 100"


def test_a_person_with_names_at_the_form_limits_can_use_their_account(client, practice):
    patient = make_patient(practice, given_name="G" * 80, family_name="F" * 80)
    make_patient_session(client, make_registered_account(practice, patient, appointments=True))
    response = client.get("/appointments/")
    assert response.status_code == 200
    assert AuditEvent.select().order_by(AuditEvent.id.desc()).first().actor_name == "G" * 80 + " " + "F" * 80


def test_a_long_user_agent_fits_the_audit_device(client, as_staff, practice):
    as_staff("reception")
    patient = make_patient(practice)
    response = client.get(f"/staff/patients/{patient.id}", headers={"User-Agent": "A\x00" + "b" * 300})
    assert response.status_code == 200
    assert len(AuditEvent.select().order_by(AuditEvent.id.desc()).first().device) <= 120


# The patient search


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (" ".join(["ab"] * 7), "Search for 6 words or fewer, for example a first and last name"),
        (" ".join(["ab"] * 100), "Search for 100 characters or fewer"),
        (" ".join(["ab"] * 800), "Search for 100 characters or fewer"),
    ],
)
def test_a_search_too_long_to_run_says_so(client, as_staff, query, message):
    as_staff("reception")
    response = client.get("/staff/patients/", query_string={"q": query})
    assert field_error(response, "q") == message


def test_a_search_of_a_few_words_still_finds(client, as_staff, practice):
    as_staff("reception")
    make_patient(practice, given_name="Olivia", family_name="Shaw")
    assert "SHAW, Olivia" in text(client.get("/staff/patients/?q=olivia shaw"))


# Where signing in goes next


@pytest.mark.parametrize(
    ("target", "goes_to"),
    [
        ("/staff/patients/\n", "/staff/"),
        ("/\t/evil.example/", "/staff/"),
        ("//evil.example/", "/staff/"),
        ("/\\evil.example/", "/staff/"),
        ("https://evil.example/", "/staff/"),
        ("/no/such/page", "/staff/"),
        ("/staff/patients/?q=shaw", "/staff/patients/?q=shaw"),
    ],
)
def test_staff_sign_in_goes_only_to_a_page_of_this_site(client, practice, target, goes_to):
    staff = make_staff(practice, "reception")
    page = client.get("/staff/sign-in")
    response = client.post(
        "/staff/sign-in",
        query_string={"next": target},
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "email": staff.email, "password": PASSWORD},
    )
    assert (response.status_code, response.headers["Location"]) == (303, goes_to)


@pytest.mark.parametrize(("target", "goes_to"), [("/\t/evil.example/", "/home"), ("/record\r\nX: y", "/home")])
def test_patient_sign_in_goes_only_to_a_page_of_this_site(client, practice, target, goes_to):
    account = make_registered_account(practice, make_patient(practice))
    page = client.get("/sign-in")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "account_id": account.account_id}
    response = client.post("/sign-in", query_string={"next": target}, data={**data, "password": PASSWORD})
    assert (response.status_code, response.headers["Location"]) == (303, goes_to)


# Stored data that can no longer be worked with


def test_a_stored_interval_past_the_calendar_does_not_break_the_order_page(client, practice):
    patient = make_patient(practice)
    make_medicine(patient, interval_days=10_000_000, last_issued_on=local_today() - timedelta(days=3))
    make_patient_session(client, make_registered_account(practice, patient, prescriptions=True))
    response = client.get("/prescriptions/")
    assert (response.status_code, "Contact the practice to order this medicine." in text(response)) == (200, True)


# Uploads


def test_an_upload_that_is_not_a_pdf_or_image_is_a_field_error(client, as_staff, practice):
    as_staff("reception")
    patient = make_patient(practice)
    received = local_today()
    data = {"kind": "other", "day": received.day, "month": received.month, "year": received.year}
    data |= {"author": "Ward 7", "body": "Seen.", "attachment": (io.BytesIO(b"MZ\x90\x00 program"), "letter.pdf")}
    response = client.form_post(f"/staff/patients/{patient.id}/letters/new", data, content_type="multipart/form-data")
    assert field_error(response, "attachment") == "The attachment must be a PDF, PNG or JPEG file"
    assert LetterAttachment.select().count() == 0


def test_an_upload_keeps_the_type_its_content_shows_and_a_short_name(client, as_staff, practice):
    as_staff("reception")
    patient = make_patient(practice)
    received = local_today()
    data = {"kind": "other", "day": received.day, "month": received.month, "year": received.year}
    upload = (io.BytesIO(b"\x89PNG\r\n\x1a\nimage"), "x" * 300 + ".png", "text/html")
    response = client.form_post(
        f"/staff/patients/{patient.id}/letters/new",
        {**data, "author": "Ward 7", "body": "Seen.", "attachment": upload},
        content_type="multipart/form-data",
    )
    stored = LetterAttachment.get()
    assert (response.status_code, stored.content_type, len(stored.filename), stored.filename[-4:]) == (
        303,
        "image/png",
        200,
        ".png",
    )


def test_nothing_half_written_when_a_staff_account_form_is_refused(client, as_staff):
    as_staff("manager")
    before = StaffUser.select().count()
    data = {"name": "N" * 121, "email": "x@example.test", "role": "reception", "password": "Long enough password 1"}
    response = client.form_post("/staff/accounts/new", data)
    assert (response.status_code, StaffUser.select().count()) == (200, before)
