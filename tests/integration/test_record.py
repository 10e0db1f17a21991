"""Patients and proxies reading the record and letters over real routes: levels (R3), enhanced review (R4),
cleared letters only (R5), hidden answers like missing (R6), views audited (R12), pages within budget."""

import re
from datetime import date, timedelta

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from kiosk.clock import local_today
from kiosk.models import ENHANCED_REVIEW, ENHANCED_REVIEW_OVERRIDE, AuditEvent, LetterAttachment
from kiosk.services import record as record_service
from tests.builders import (
    make_coded_entry,
    make_entry,
    make_letter,
    make_medicine,
    make_patient,
    make_patient_session,
    make_practice,
    make_proxy_link,
    make_registered_account,
    make_staff,
    make_staff_session,
)

PHONE = {"User-Agent": "Old phone browser 1.0"}
NEVER = 987654321  # an id no letter or attachment ever has


@pytest.fixture
def patient(practice):
    return make_patient(practice, given_name="Mina", family_name="Okafor")


@pytest.fixture
def reader(client, practice, patient):
    """reader(level): `patient` signed in on `client` with that level of record access."""

    def make(level: str = "full"):
        account = make_registered_account(practice, patient, record_level=level)
        make_patient_session(client, account)
        return account

    return make


@pytest.fixture
def proxy(client, practice, patient):
    """proxy(level): a carer signed in on `client`, acting for `patient` with that record level."""

    def make(level: str = "summary", own_level: str = "full"):
        make_registered_account(practice, patient, record_level=own_level)
        carer = make_registered_account(practice, None, given_name="Carol", family_name="Carer")
        make_proxy_link(carer, patient, record_level=level)
        make_patient_session(client, carer)
        return carer

    return make


def text(response) -> str:
    return re.sub(r"\s+", " ", HTMLParser(response.get_data(as_text=True)).body.text())


def headings(response) -> list[str]:
    return [h.text(strip=True) for h in HTMLParser(response.get_data(as_text=True)).css("main h2")]


def one_of_each(patient) -> dict:
    """An entry of every kind, each plainly visible on its own."""
    return {
        "medication": make_entry(patient, "medication", term="Ramipril 5mg capsules"),
        "allergy": make_entry(patient, "allergy", term="Allergy to penicillin"),
        "problem": make_entry(patient, "problem", term="Hypertension", snomed_code="38341003"),
        "result": make_entry(
            patient, "result", term="Haemoglobin A1c level", value="52", units="mmol/mol", reference_range="20 to 41"
        ),
        "immunisation": make_entry(patient, "immunisation", term="Influenza vaccination"),
        "procedure": make_entry(
            patient,
            "procedure",
            term="Appendicectomy",
            snomed_code="80146002",
            effective_on=date(2021, 2, 3),
            recorded_at_place="City Hospital",
        ),
        "consultation": make_entry(
            patient, "consultation", term="Telephone consultation", text="Blood pressure reviewed; continue ramipril."
        ),
    }


def not_found_page(client) -> tuple[int, bytes]:
    response = client.get(f"/letters/{NEVER}")
    return response.status_code, response.get_data()


def answer(response) -> tuple[int, bytes]:
    return response.status_code, response.get_data()


# R3: each level shows exactly its own kinds

SUMMARY_HEADINGS = ["Current medicines", "Allergies and adverse reactions"]
DETAILED_HEADINGS = [
    *SUMMARY_HEADINGS,
    "Problems and diagnoses",
    "Test results",
    "Immunisations",
    "Procedures",
    "Referrals",
]


def test_summary_record_has_medicines_and_allergies_only(client, reader, patient):
    reader("summary")
    assert headings(client.get("/record")) == SUMMARY_HEADINGS


def test_summary_record_shows_the_allergy(client, reader, patient):
    one_of_each(patient)
    reader("summary")
    assert "Allergy to penicillin" in text(client.get("/record"))


def test_summary_record_shows_current_medicines_from_the_repeat_list(client, reader, patient):
    make_medicine(patient, name="Amlodipine", strength="5mg")
    reader("summary")
    assert "Amlodipine 5mg" in text(client.get("/record"))


def test_summary_record_shows_no_detailed_entry(client, reader, patient):
    one_of_each(patient)
    reader("summary")
    page = text(client.get("/record"))
    assert not any(t in page for t in ("Hypertension", "Haemoglobin", "Influenza", "Appendicectomy", "Telephone"))


@pytest.mark.parametrize("kind", ["problem", "result", "immunisation", "procedure", "consultation", "admin"])
def test_summary_reader_gets_not_found_for_a_section_beyond_their_level(client, reader, patient, kind):
    reader("summary")
    assert client.get(f"/record/{kind}").status_code == 404


def test_detailed_record_adds_problems_results_immunisations_and_procedures(client, reader):
    reader("detailed")
    assert headings(client.get("/record")) == DETAILED_HEADINGS


def test_detailed_record_shows_a_result_with_value_units_and_range(client, reader, patient):
    one_of_each(patient)
    reader("detailed")
    assert "Haemoglobin A1c level: 52 mmol/mol (normal range 20 to 41)" in text(client.get("/record"))


def test_detailed_record_shows_a_procedure_with_date_place_term_and_code(client, reader, patient):
    one_of_each(patient)
    reader("detailed")
    page = text(client.get("/record"))
    assert "Appendicectomy 3 Feb 2021, City Hospital. SNOMED CT 80146002" in page


def test_detailed_record_has_no_consultation_notes(client, reader, patient):
    one_of_each(patient)
    reader("detailed")
    page = text(client.get("/record"))
    assert "Telephone consultation" not in page and "continue ramipril" not in page


def test_detailed_reader_gets_not_found_for_consultation_notes(client, reader):
    reader("detailed")
    assert client.get("/record/consultation").status_code == 404


def test_detailed_reader_gets_not_found_for_letters(client, reader, patient):
    make_letter(patient, status="cleared")
    reader("detailed")
    assert client.get("/letters").status_code == 404


def test_detailed_reader_gets_not_found_for_a_cleared_letter(client, reader, patient):
    letter = make_letter(patient, status="cleared")
    reader("detailed")
    assert answer(client.get(f"/letters/{letter.id}")) == not_found_page(client)


def test_full_record_adds_consultation_notes(client, reader):
    reader("full")
    assert headings(client.get("/record")) == [*DETAILED_HEADINGS, "Consultation notes"]


def test_full_record_shows_the_consultation_text(client, reader, patient):
    one_of_each(patient)
    reader("full")
    assert "Blood pressure reviewed; continue ramipril." in text(client.get("/record"))


def test_full_record_links_to_letters(client, reader):
    reader("full")
    links = HTMLParser(client.get("/record").get_data(as_text=True)).css("main a")
    assert "/letters" in [a.attributes["href"] for a in links]


def test_full_reader_reads_a_cleared_letter(client, reader, patient):
    letter = make_letter(patient, status="cleared", body="Blood pressure well controlled.")
    reader("full")
    assert "Blood pressure well controlled." in text(client.get(f"/letters/{letter.id}"))


def test_medication_entries_are_on_their_own_section_page(client, reader, patient):
    one_of_each(patient)
    reader("summary")
    assert "Ramipril 5mg capsules" in text(client.get("/record/medication"))


def test_no_record_access_gives_not_found(client, reader):
    reader("none")
    assert client.get("/record").status_code == 404


def test_an_unknown_section_gives_not_found(client, reader):
    reader("full")
    assert client.get("/record/everything").status_code == 404


# Proxies see only their scope


def test_proxy_with_summary_access_sees_the_summary_headings(client, proxy):
    proxy("summary", own_level="full")
    assert headings(client.get("/record")) == SUMMARY_HEADINGS


def test_proxy_with_summary_access_sees_no_problem_though_the_patient_may(client, proxy, patient):
    one_of_each(patient)
    proxy("summary", own_level="full")
    assert "Hypertension" not in text(client.get("/record"))


def test_proxy_with_detailed_access_gets_not_found_for_letters(client, proxy, patient):
    make_letter(patient, status="cleared")
    proxy("detailed", own_level="full")
    assert client.get("/letters").status_code == 404


def test_proxy_with_full_access_reads_a_cleared_letter(client, proxy, patient):
    letter = make_letter(patient, status="cleared", body="Discharged home.")
    proxy("full", own_level="none")
    assert "Discharged home." in text(client.get(f"/letters/{letter.id}"))


def test_proxy_without_record_access_gets_not_found(client, proxy):
    proxy("none", own_level="full")
    assert client.get("/record").status_code == 404


def test_proxy_page_names_the_person_acted_for(client, proxy):
    proxy("summary")
    assert "Mina’s GP record" in text(client.get("/record"))


def test_proxy_does_not_see_a_letter_awaiting_review(client, proxy, patient):
    letter = make_letter(patient)
    proxy("full")
    assert answer(client.get(f"/letters/{letter.id}")) == not_found_page(client)


def test_patients_own_record_is_not_shown_to_their_proxy_beyond_scope_in_sections(client, proxy, patient):
    make_entry(patient, "problem", term="Hypertension")
    proxy("summary", own_level="full")
    assert client.get("/record/problem").status_code == 404


# R4: enhanced review


def test_enhanced_review_code_without_override_shows_no_record(client, reader, patient):
    one_of_each(patient)
    make_medicine(patient, name="Amlodipine")
    make_coded_entry(patient, ENHANCED_REVIEW)
    reader("full")
    page = text(client.get("/record"))
    assert "not available" in page and not any(t in page for t in ("penicillin", "Hypertension", "Amlodipine"))


def test_enhanced_review_code_hides_cleared_letters(client, reader, patient):
    letter = make_letter(patient, status="cleared")
    make_coded_entry(patient, ENHANCED_REVIEW)
    reader("full")
    assert answer(client.get(f"/letters/{letter.id}")) == not_found_page(client)


def test_enhanced_review_code_with_a_later_override_shows_the_record(client, reader, patient):
    one_of_each(patient)
    make_coded_entry(patient, ENHANCED_REVIEW, effective_on=date(2025, 1, 1))
    make_coded_entry(patient, ENHANCED_REVIEW_OVERRIDE, effective_on=date(2025, 3, 1))
    reader("full")
    assert "Allergy to penicillin" in text(client.get("/record"))


def test_enhanced_review_code_blocks_the_proxy_too(client, proxy, patient):
    make_entry(patient, "allergy", term="Allergy to penicillin")
    make_coded_entry(patient, ENHANCED_REVIEW)
    proxy("summary")
    assert "penicillin" not in text(client.get("/record"))


def test_enhanced_review_codes_themselves_never_show(client, reader, patient):
    make_coded_entry(patient, ENHANCED_REVIEW, effective_on=date(2025, 1, 1))
    make_coded_entry(patient, ENHANCED_REVIEW_OVERRIDE, effective_on=date(2025, 3, 1))
    reader("full")
    page = client.get("/record").get_data(as_text=True)
    assert ENHANCED_REVIEW not in page and ENHANCED_REVIEW_OVERRIDE not in page


# R5 and R6 over the routes: letters


def test_letters_list_shows_cleared_letters_newest_first(client, reader, patient):
    make_letter(patient, status="cleared", author="Older clinic", received_on=date(2024, 1, 5))
    make_letter(patient, status="cleared", author="Newer clinic", received_on=date(2025, 1, 5))
    reader("full")
    items = HTMLParser(client.get("/letters").get_data(as_text=True)).css("main li a")
    assert [a.text() for a in items] == ["Outpatient letter from Newer clinic", "Outpatient letter from Older clinic"]


@pytest.mark.parametrize("status", ["awaiting_review", "withheld"])
def test_letters_list_leaves_out_letters_not_cleared(client, reader, patient, status):
    make_letter(patient, status=status, author="Secret clinic", withhold_reason="third_party")
    reader("full")
    assert "Secret clinic" not in client.get("/letters").get_data(as_text=True)


@pytest.mark.parametrize("status", ["awaiting_review", "withheld"])
def test_a_letter_not_cleared_answers_like_one_that_never_existed(client, reader, patient, status):
    letter = make_letter(patient, status=status, withhold_reason="serious_harm")
    reader("full")
    assert answer(client.get(f"/letters/{letter.id}")) == not_found_page(client)


def test_a_cleared_letter_from_before_the_letters_from_date_answers_like_a_missing_one(client, reader, patient):
    letter = make_letter(patient, status="cleared", received_on=date(2016, 12, 1))
    reader("full")
    assert answer(client.get(f"/letters/{letter.id}")) == not_found_page(client)


def test_a_cleared_letter_from_before_the_letters_from_date_is_not_listed(client, reader, patient):
    make_letter(patient, status="cleared", received_on=date(2016, 12, 1), author="Old clinic")
    reader("full")
    assert "Old clinic" not in text(client.get("/letters"))


def test_the_practices_own_letters_from_date_is_used(client, reader, practice, patient):
    practice.letters_from = date(2024, 1, 1)
    practice.save()
    letter = make_letter(patient, status="cleared", received_on=date(2023, 12, 31))
    reader("full")
    assert answer(client.get(f"/letters/{letter.id}")) == not_found_page(client)


def test_another_patients_cleared_letter_answers_like_a_missing_one(client, reader, practice):
    letter = make_letter(make_patient(practice), status="cleared")
    reader("full")
    assert answer(client.get(f"/letters/{letter.id}")) == not_found_page(client)


def test_another_practices_cleared_letter_answers_like_a_missing_one(client, reader):
    letter = make_letter(make_patient(make_practice()), status="cleared")
    reader("full")
    assert answer(client.get(f"/letters/{letter.id}")) == not_found_page(client)


def test_an_abnormal_result_is_not_shown_before_review(client, reader, patient):
    make_entry(patient, "result", term="Prostate specific antigen level", value="19", abnormal=True)
    reader("detailed")
    assert "Prostate specific antigen" not in client.get("/record/result").get_data(as_text=True)


def test_a_reviewed_abnormal_result_is_shown(client, reader, patient):
    make_entry(
        patient,
        "result",
        term="Prostate specific antigen level",
        value="19",
        abnormal=True,
        reviewed_at=date(2025, 1, 1),
    )
    reader("detailed")
    assert "Prostate specific antigen" in client.get("/record/result").get_data(as_text=True)


def test_a_hidden_entry_is_not_shown(client, reader, patient):
    make_entry(
        patient, "problem", term="Safeguarding concern", hidden_at=date(2025, 1, 1), hidden_reason="serious_harm"
    )
    reader("detailed")
    assert "Safeguarding" not in client.get("/record/problem").get_data(as_text=True)


def test_codes_of_a_withheld_letter_are_not_shown(client, reader, patient):
    letter = make_letter(patient, status="withheld", withhold_reason="third_party")
    make_entry(patient, "problem", term="Domestic abuse", letter=letter)
    reader("full")
    assert "Domestic abuse" not in client.get("/record").get_data(as_text=True)


# Attachments


def with_attachment(patient, **letter_overrides):
    letter = make_letter(patient, **letter_overrides)
    return letter, LetterAttachment.create(
        practice=patient.practice_id,
        letter=letter,
        filename="scan.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4 scan",
    )


def test_attachment_of_a_cleared_letter_downloads(client, reader, patient):
    letter, item = with_attachment(patient, status="cleared")
    reader("full")
    response = client.get(f"/letters/{letter.id}/attachments/{item.id}")
    assert (response.status_code, response.get_data()) == (200, b"%PDF-1.4 scan")


def test_attachment_is_served_as_a_download(client, reader, patient):
    letter, item = with_attachment(patient, status="cleared")
    reader("full")
    disposition = client.get(f"/letters/{letter.id}/attachments/{item.id}").headers["Content-Disposition"]
    assert disposition.startswith("attachment") and "scan.pdf" in disposition


def test_attachment_is_served_in_a_sandbox(client, reader, patient):
    letter, item = with_attachment(patient, status="cleared")
    reader("full")
    policy = client.get(f"/letters/{letter.id}/attachments/{item.id}").headers["Content-Security-Policy"]
    assert policy.split(";")[0].strip() == "sandbox" and "default-src 'none'" in policy


def test_attachment_is_not_cached(client, reader, patient):
    letter, item = with_attachment(patient, status="cleared")
    reader("full")
    assert client.get(f"/letters/{letter.id}/attachments/{item.id}").headers["Cache-Control"] == "no-store"


def test_cleared_letter_page_links_its_attachment(client, reader, patient):
    letter, item = with_attachment(patient, status="cleared")
    reader("full")
    page = client.get(f"/letters/{letter.id}").get_data(as_text=True)
    assert f"/letters/{letter.id}/attachments/{item.id}" in page


@pytest.mark.parametrize("status", ["awaiting_review", "withheld"])
def test_attachment_of_a_letter_not_cleared_answers_like_a_missing_one(client, reader, patient, status):
    letter, item = with_attachment(patient, status=status, withhold_reason="third_party")
    reader("full")
    assert answer(client.get(f"/letters/{letter.id}/attachments/{item.id}")) == not_found_page(client)


def test_attachment_asked_for_through_another_letter_answers_like_a_missing_one(client, reader, patient):
    _, item = with_attachment(patient)
    cleared = make_letter(patient, status="cleared")
    reader("full")
    assert answer(client.get(f"/letters/{cleared.id}/attachments/{item.id}")) == not_found_page(client)


# Signing in first

PATIENT_URLS = ["/record", "/record/problem", "/record/viewers", "/letters", "/letters/1", "/letters/1/attachments/1"]


@pytest.mark.parametrize("url", PATIENT_URLS)
def test_anonymous_visitor_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert (response.status_code, response.headers["Location"]) == (302, f"/sign-in?next={url}")


@pytest.mark.parametrize("url", PATIENT_URLS)
def test_staff_member_is_sent_to_patient_sign_in(client, practice, url):
    make_staff_session(client, make_staff(practice, "clinician"))
    assert client.get(url).headers["Location"].startswith("/sign-in?next=")


# R12: every view is audited; "who viewed my record"


def views(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def test_patient_viewing_the_record_is_audited_with_who_role_patient_and_device(client, reader, patient):
    account = reader("full")
    client.get("/record", headers=PHONE)
    [event] = views("record.view")
    assert (event.actor_kind, event.actor_id, event.role, event.patient_id, event.device) == (
        "patient",
        account.id,
        "patient",
        patient.id,
        "127.0.0.1 Old phone browser 1.0",
    )


def test_patient_viewing_a_section_page_is_audited_with_the_section(client, reader, patient):
    reader("detailed")
    client.get("/record/result?page=1")
    assert [e.detail for e in views("record.view")] == ["result page 1"]


def test_proxy_viewing_the_record_is_audited_as_proxy_against_the_patient(client, proxy, patient):
    carer = proxy("summary")
    client.get("/record", headers=PHONE)
    [event] = views("record.view")
    assert (event.actor_id, event.actor_name, event.role, event.patient_id) == (
        carer.id,
        "Carol Carer",
        "proxy",
        patient.id,
    )


def test_patient_reading_a_letter_is_audited_with_the_letter(client, reader, patient):
    letter = make_letter(patient, status="cleared")
    reader("full")
    client.get(f"/letters/{letter.id}", headers=PHONE)
    [event] = views("letter.view")
    assert (event.role, event.patient_id, event.object_type, event.object_id, event.device) == (
        "patient",
        patient.id,
        "letter",
        letter.id,
        "127.0.0.1 Old phone browser 1.0",
    )


def test_patient_downloading_an_attachment_is_audited(client, reader, patient):
    letter, item = with_attachment(patient, status="cleared")
    reader("full")
    client.get(f"/letters/{letter.id}/attachments/{item.id}")
    assert [(e.object_type, e.object_id) for e in views("letter.view_attachment")] == [("letterattachment", item.id)]


def test_patient_opening_the_letters_list_is_audited(client, reader, patient):
    reader("full")
    client.get("/letters")
    assert [(e.patient_id, e.detail) for e in views("record.view")] == [(patient.id, "letters list")]


def test_a_hidden_letter_asked_for_leaves_no_successful_letter_view(client, reader, patient):
    letter = make_letter(patient)
    reader("full")
    client.get(f"/letters/{letter.id}")
    assert [e.outcome for e in views("letter.view")] == ["refused"]


def test_staff_viewing_the_record_is_audited(client, practice, patient):
    clinician = make_staff(practice, "clinician", name="Dr Ola Ade")
    make_staff_session(client, clinician)
    client.get(f"/staff/patients/{patient.id}/record", headers=PHONE)
    [event] = views("record.view")
    assert (event.actor_kind, event.actor_name, event.role, event.patient_id, event.device) == (
        "staff",
        "Dr Ola Ade",
        "clinician",
        patient.id,
        "127.0.0.1 Old phone browser 1.0",
    )


def test_staff_reading_a_letter_is_audited(client, practice, patient):
    letter = make_letter(patient)
    make_staff_session(client, make_staff(practice, "clinician"))
    client.get(f"/staff/letters/{letter.id}")
    assert [(e.role, e.patient_id, e.object_id) for e in views("letter.view")] == [("clinician", patient.id, letter.id)]


def viewer_rows(response) -> list[list[str]]:
    rows = HTMLParser(response.get_data(as_text=True)).css("main tbody tr")
    return [[td.text(strip=True) for td in row.css("td")][1:] for row in rows]


def test_viewers_page_lists_staff_names_and_roles(client, practice, patient, reader):
    make_staff_session(client, make_staff(practice, "clinician", name="Dr Ola Ade"))
    client.get(f"/staff/patients/{patient.id}/record")
    make_staff_session(client, make_staff(practice, "reception", name="Ruth Desk"))
    client.get(f"/staff/patients/{patient.id}/record")
    reader("summary")
    assert viewer_rows(client.get("/record/viewers")) == [["Ruth Desk", "Reception"], ["Dr Ola Ade", "Clinician"]]


def test_viewers_page_does_not_list_another_patients_viewers(client, practice, reader):
    other = make_patient(practice)
    make_staff_session(client, make_staff(practice, "clinician", name="Dr Ola Ade"))
    client.get(f"/staff/patients/{other.id}/record")
    reader("summary")
    assert "Dr Ola Ade" not in text(client.get("/record/viewers"))


def test_viewers_page_does_not_list_the_patients_own_views(client, reader):
    reader("full")
    client.get("/record")
    assert viewer_rows(client.get("/record/viewers")) == []


def test_viewers_page_shows_the_proxy_the_staff_views_of_the_patient(client, practice, patient, proxy):
    make_staff_session(client, make_staff(practice, "clinician", name="Dr Ola Ade"))
    client.get(f"/staff/patients/{patient.id}/record")
    proxy("summary")
    assert viewer_rows(client.get("/record/viewers")) == [["Dr Ola Ade", "Clinician"]]


# Page weight and pagination on a realistic record

KINDS_IN_A_LONG_RECORD = {"problem": 30, "result": 60, "immunisation": 20, "procedure": 10, "consultation": 30}


def long_record(patient):
    """About 150 entries as a practice would hold them after years of care."""
    today = local_today()
    for kind, count in KINDS_IN_A_LONG_RECORD.items():
        for n in range(count):
            extra = (
                {"value": f"{4 + n % 5}.{n % 10}", "units": "mmol/L", "reference_range": "3.0 to 5.5"}
                if kind == "result"
                else {}
            )
            if kind == "consultation":
                extra["text"] = (
                    "Seen with a cough for two weeks. Chest clear, no fever. Advised fluids and rest; "
                    "return if short of breath or not better in a week."
                )
            make_entry(
                patient,
                kind,
                term=f"{kind.title()} entry number {n}",
                effective_on=today - timedelta(days=20 * n),
                recorded_at_place="Riverside Medical Practice",
                **extra,
            )


def test_a_long_record_overview_stays_within_budget(client, reader, patient):
    long_record(patient)
    reader("full")
    assert client.get("/record").status_code == 200  # PageClient checks the 14 KB compressed budget


def test_a_long_record_overview_shows_ten_of_each_with_a_link_to_all(client, reader, patient):
    long_record(patient)
    reader("full")
    page = text(client.get("/record"))
    assert "See all 60 test results" in page and "Result entry number 10" not in page


def test_a_long_section_is_split_into_pages_within_budget(client, reader, patient):
    long_record(patient)
    reader("full")
    size = record_service.PAGE_SIZE
    shown = []
    for page in range(1, -(-60 // size) + 1):
        tree = HTMLParser(client.get(f"/record/result?page={page}").get_data(as_text=True))
        shown += [li.css_first("strong").text() for li in tree.css("main li.app-entry")]
    assert shown == [f"Result entry number {n}" for n in range(60)]


def test_the_page_after_the_last_answers_not_found(client, reader, patient):
    long_record(patient)
    reader("full")
    last = -(-60 // record_service.PAGE_SIZE)
    assert client.get(f"/record/result?page={last + 1}").status_code == 404


def test_the_first_page_links_to_older_entries(client, reader, patient):
    long_record(patient)
    reader("full")
    tree = HTMLParser(client.get("/record/result").get_data(as_text=True))
    assert [a.text() for a in tree.css("nav.app-pager a")] == ["Older"]


def test_a_long_list_of_letters_stays_within_budget(client, reader, patient):
    for n in range(40):
        make_letter(
            patient,
            status="cleared",
            author=f"Outpatient clinic {n}, City Hospital",
            received_on=local_today() - timedelta(days=30 * n),
        )
    reader("full")
    assert client.get("/letters").status_code == 200


# htmx: the same URL, varying on HX-Request


@pytest.mark.parametrize("url", ["/record", "/record/problem", "/letters", "/record/viewers"])
def test_record_pages_vary_on_hx_request(client, reader, url):
    reader("full")
    assert "HX-Request" in client.get(url).headers["Vary"]


def test_htmx_request_shows_the_same_entries(client, reader, patient):
    make_entry(patient, "problem", term="Hypertension")
    reader("detailed")
    assert "Hypertension" in client.get("/record/problem", headers={"HX-Request": "true"}).get_data(as_text=True)


def test_a_refused_look_at_a_letter_awaiting_review_is_audited(client, reader, patient):
    letter = make_letter(patient, status="awaiting_review")
    reader("full")

    assert client.get(f"/letters/{letter.id}").status_code == 404

    refused = AuditEvent.select().where((AuditEvent.action == "letter.view") & (AuditEvent.outcome == "refused"))
    assert [(e.patient_id, e.detail) for e in refused] == [(patient.id, f"letter {letter.id} not visible")]
