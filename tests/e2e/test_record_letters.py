"""The record and letters in Chromium: a letter is invisible until a clinician clears it, a withheld one stays
invisible even by its address; axe on every new page (and the printed record and letter) at phone and kiosk size.

axe runs only with JavaScript on (it hangs without); the JavaScript-off journey serves the same HTML at the same URLs.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from kiosk.clock import local_today
from kiosk.models import Letter, LetterAttachment
from kiosk.services.audit import append as audit
from tests import builders
from tests.e2e.axe import assert_accessible, screenshot
from tests.e2e.test_prescriptions import _BrowserCookies

pytestmark = pytest.mark.e2e
RECEIVED = local_today() - timedelta(days=3)


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def mina(practice, **overrides):
    return builders.make_patient(practice, given_name="Mina", family_name="Okafor", **overrides)


def sign_in_as_patient(page: Page, account) -> None:
    page.goto("/sign-in")
    page.get_by_label("Account ID").fill(account.account_id)
    page.get_by_label("Password").fill(builders.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text(f"Hello, {account.given_name}")


def file_letter(page: Page, patient, kind: str, author: str, body: str, codes: str = "", attachment=None) -> None:
    """Reception files a letter from the patient's record page, as they would from the post."""
    page.goto(f"/staff/patients/{patient.id}/record")
    page.get_by_role("link", name="File a letter").click()
    expect(heading(page)).to_have_text(f"File a letter for {patient.full_name}")
    page.get_by_label("Kind of letter").select_option(label=kind)
    received = page.get_by_role("group", name="Date received")
    received.get_by_label("Day").fill(str(RECEIVED.day))
    received.get_by_label("Month").fill(str(RECEIVED.month))
    received.get_by_label("Year").fill(str(RECEIVED.year))
    page.get_by_label("From (author and organisation)").fill(author)
    page.get_by_label("Text of the letter").fill(body)
    if codes:
        page.get_by_label("Codes that came with the letter (optional)").fill(codes)
    if attachment:
        page.get_by_label(re.compile("^Attachment")).set_input_files(attachment)
    page.get_by_role("button", name="File letter").click()
    expect(page.locator(".app-flash")).to_contain_text("It stays hidden from the patient until a clinician clears it")


def decide(page: Page, link_name: str, decision: str, reason: str | None = None) -> None:
    """decision is the button's name: "Clear for patient to see" or "Withhold from patient" (with a reason)."""
    page.get_by_role("link", name="Letters", exact=True).click()
    expect(heading(page)).to_have_text("Letters to review")
    page.get_by_role("link", name=link_name).click()
    if reason:
        page.get_by_label("Why withhold it?").select_option(label=reason)
    page.get_by_role("button", name=decision).click()
    expect(heading(page)).to_have_text("Letters to review")


# The journey


def test_a_letter_shows_only_once_cleared_and_a_withheld_one_never(new_page, staff_screens, practice, js):
    patient = mina(practice)
    account = builders.make_registered_account(practice, patient, record_level="full")

    reception = staff_screens("reception", js=js).page
    file_letter(
        reception,
        patient,
        "Discharge summary",
        "Ward 7, City Hospital",
        "Admitted with chest pain. Troponin negative. Home the next day.",
        codes="29857009 Chest pain",
        attachment={"name": "discharge.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 discharge"},
    )
    file_letter(
        reception,
        patient,
        "Referral letter",
        "Community mental health team",
        "Her brother told us about his own diagnosis.",
        codes="35489007 Depressive disorder",
    )

    me = new_page("phone", js=js)
    sign_in_as_patient(me, account)
    me.get_by_role("link", name="letters", exact=True).click()
    expect(heading(me)).to_have_text("Letters")
    expect(me.get_by_text("There are no letters to show.")).to_be_visible()
    me.goto("/record")
    expect(me.get_by_text("Chest pain")).to_have_count(0)

    clinician = staff_screens("clinician", js=js).page
    decide(clinician, "Discharge summary from Ward 7, City Hospital", "Clear for patient to see")
    expect(clinician.locator(".app-flash")).to_contain_text("Letter cleared")
    decide(
        clinician,
        "Referral letter from Community mental health team",
        "Withhold from patient",
        reason="Refers to a third party",
    )
    expect(clinician.locator(".app-flash")).to_contain_text("Letter withheld")
    expect(clinician.get_by_text("No letters are waiting.")).to_be_visible()

    me.goto("/letters")
    expect(me.get_by_role("link", name=re.compile("^Referral letter"))).to_have_count(0)
    me.get_by_role("link", name="Discharge summary from Ward 7, City Hospital").click()
    expect(heading(me)).to_have_text("Discharge summary")
    expect(me.get_by_text("Admitted with chest pain. Troponin negative. Home the next day.")).to_be_visible()
    with me.expect_download() as download:
        me.get_by_role("link", name="Download discharge.pdf").click()
    assert download.value.suggested_filename == "discharge.pdf"
    me.goto("/record")
    expect(me.get_by_text("Chest pain")).to_be_visible()
    expect(me.get_by_text("Depressive disorder")).to_have_count(0)

    withheld = Letter.get(Letter.author == "Community mental health team")
    response = me.goto(f"/letters/{withheld.id}")
    assert response.status == 404
    expect(heading(me)).to_have_text("Page not found")
    expect(me.get_by_text("brother")).to_have_count(0)


def test_leaving_the_review_without_a_decision_keeps_the_letter_hidden(new_page, staff_screens, practice, js):
    patient = mina(practice)
    account = builders.make_registered_account(practice, patient, record_level="full")
    letter = builders.make_letter(patient, author="Ward 7, City Hospital")

    clinician = staff_screens("clinician", js=js).page
    clinician.get_by_role("link", name="Letters", exact=True).click()
    clinician.get_by_role("link", name="Outpatient letter from Ward 7, City Hospital").click()
    clinician.get_by_label("Why withhold it?").select_option(label="Could cause serious harm")
    clinician.get_by_role("link", name="Back to letters (no decision: it stays hidden)").click()
    expect(clinician.get_by_role("link", name="Outpatient letter from Ward 7, City Hospital")).to_be_visible()

    me = new_page("phone", js=js)
    sign_in_as_patient(me, account)
    assert me.goto(f"/letters/{letter.id}").status == 404


def test_clinician_downloads_the_attachment_while_reviewing(staff_screens, practice, js):
    letter = a_cleared_letter(mina(practice))
    clinician = staff_screens("clinician", js=js).page
    clinician.goto(f"/staff/letters/{letter.id}")
    with clinician.expect_download() as download:
        clinician.get_by_role("link", name="Download discharge.pdf").click()
    assert download.value.suggested_filename == "discharge.pdf"
    expect(heading(clinician)).to_have_text("Discharge summary for Mina Okafor")


# axe on every new page, normal and error states


def patient_page(page: Page, patient, level: str = "full") -> Page:
    account = builders.make_registered_account(patient.practice, patient, record_level=level)
    builders.make_patient_session(_BrowserCookies(page), account)
    return page


def staff_page(page: Page, practice, role: str):
    staff = builders.make_staff(practice, role, name=f"{role.title()} Ames")
    builders.make_staff_session(_BrowserCookies(page), staff)
    return staff


def a_record(patient):
    """A little of everything, as the demo practice has it."""
    builders.make_medicine(patient, name="Ramipril", strength="2.5mg")
    builders.make_entry(patient, "allergy", term="Allergy to penicillin", snomed_code="91936005")
    builders.make_entry(
        patient, "problem", term="Hypertension", snomed_code="38341003", recorded_at_place="Riverside Medical Practice"
    )
    for n in range(12):
        builders.make_entry(
            patient,
            "result",
            term="Serum cholesterol level",
            value=f"4.{n}",
            units="mmol/L",
            reference_range="up to 5.0",
            effective_on=local_today() - timedelta(days=40 * n),
        )
    builders.make_entry(
        patient,
        "result",
        term="Haemoglobin A1c level",
        value="52",
        units="mmol/mol",
        reference_range="20 to 41",
        abnormal=True,
    )
    builders.make_entry(patient, "immunisation", term="Influenza vaccination", snomed_code="1037351000000105")
    builders.make_entry(
        patient, "procedure", term="Appendicectomy", snomed_code="80146002", effective_on=date(2011, 4, 2)
    )
    builders.make_entry(
        patient,
        "consultation",
        term="Telephone consultation",
        snomed_code="185317003",
        text="Blood pressure reviewed; continue ramipril.",
    )
    builders.make_entry(
        patient, "problem", term="Safeguarding concern", hidden_at=date(2025, 1, 1), hidden_reason="serious_harm"
    )


def a_cleared_letter(patient):
    letter = builders.make_letter(
        patient,
        status="cleared",
        kind="discharge",
        author="Ward 7, City Hospital",
        body="Admitted with chest pain. Troponin negative. Home the next day.",
    )
    LetterAttachment.create(
        practice=patient.practice_id,
        letter=letter,
        filename="discharge.pdf",
        content_type="application/pdf",
        data=b"%PDF-1.4",
    )
    return letter


def record_overview(page, practice):
    patient = mina(practice)
    a_record(patient)
    patient_page(page, patient).goto("/record")


def record_overview_printed(page, practice):
    record_overview(page, practice)
    page.emulate_media(media="print")


def record_section_page_2(page, practice):
    patient = mina(practice)
    for n in range(30):
        builders.make_entry(
            patient,
            "result",
            term="Serum creatinine level",
            value=str(70 + n),
            units="umol/L",
            reference_range="59 to 104",
            effective_on=local_today() - timedelta(days=20 * n),
        )
    patient_page(page, patient, "detailed").goto("/record/result")
    page.get_by_role("link", name="Older").click()
    expect(page).to_have_title(re.compile(r"\(page 2\)"))


def record_viewers(page, practice):
    patient = mina(practice)
    for role in ("clinician", "reception"):
        staff = builders.make_staff(practice, role, name=f"{role.title()} Ames")
        audit(builders.actor_for(staff), "record.view", patient_id=patient.id, detail="staff view")
    patient_page(page, patient, "summary").goto("/record/viewers")


def letters_list(page, practice):
    patient = mina(practice)
    a_cleared_letter(patient)
    builders.make_letter(
        patient,
        status="cleared",
        author="Cardiology clinic, City Hospital",
        received_on=local_today() - timedelta(days=90),
    )
    patient_page(page, patient).goto("/letters")


def letter(page, practice):
    patient = mina(practice)
    patient_page(page, patient).goto(f"/letters/{a_cleared_letter(patient).id}")


def letter_printed(page, practice):
    letter(page, practice)
    page.emulate_media(media="print")


def staff_record(page, practice):
    patient = mina(practice)
    a_record(patient)
    a_cleared_letter(patient)
    builders.make_letter(patient, author="Community mental health team")
    staff_page(page, practice, "clinician")
    page.goto(f"/staff/patients/{patient.id}/record")


def _entry_form(page, practice):
    patient = mina(practice)
    staff_page(page, practice, "clinician")
    page.goto(f"/staff/patients/{patient.id}/record/new")


def staff_entry_form(page, practice):
    _entry_form(page, practice)


def staff_entry_form_error(page, practice):
    _entry_form(page, practice)
    page.get_by_label("SNOMED CT code").fill("12ab")
    page.get_by_label("Date (DD/MM/YYYY)").fill("31/02/2025")
    page.get_by_role("button", name="Add entry").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def _letter_form(page, practice):
    patient = mina(practice)
    staff_page(page, practice, "reception")
    page.goto(f"/staff/patients/{patient.id}/letters/new")


def staff_letter_form(page, practice):
    _letter_form(page, practice)


def staff_letter_form_error(page, practice):
    _letter_form(page, practice)
    page.get_by_label("Codes that came with the letter (optional)").fill("chest pain")
    page.get_by_role("button", name="File letter").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def staff_queue(page, practice):
    patient = mina(practice)
    builders.make_letter(patient, author="Ward 7, City Hospital")
    builders.make_letter(
        patient,
        status="withheld",
        withhold_reason="third_party",
        look_again_on=local_today(),
        author="Community mental health team",
    )
    staff_page(page, practice, "clinician")
    page.goto("/staff/letters/")


def _review(page, practice):
    patient = mina(practice)
    letter = builders.make_letter(patient, author="Ward 7, City Hospital", received_on=date(2016, 11, 2))
    builders.make_entry(patient, "problem", term="Chest pain", snomed_code="29857009", letter=letter)
    staff_page(page, practice, "clinician")
    page.goto(f"/staff/letters/{letter.id}")


def staff_letter_review(page, practice):
    _review(page, practice)


def staff_letter_review_error(page, practice):
    _review(page, practice)
    page.get_by_label("Why withhold it?").select_option(label="Refers to a third party")
    look_again = page.get_by_role("group", name=re.compile("^A date to look again"))
    look_again.get_by_label("Day").fill("1")
    look_again.get_by_label("Month").fill("1")
    look_again.get_by_label("Year").fill("2020")
    page.get_by_role("button", name="Withhold from patient").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


STATES = [
    record_overview,
    record_overview_printed,
    record_section_page_2,
    record_viewers,
    letters_list,
    letter,
    letter_printed,
    staff_record,
    staff_entry_form,
    staff_entry_form_error,
    staff_letter_form,
    staff_letter_form_error,
    staff_queue,
    staff_letter_review,
    staff_letter_review_error,
]


@pytest.mark.parametrize("size", ["phone", "kiosk"])
@pytest.mark.parametrize("reach", STATES, ids=lambda f: f.__name__.replace("_", "-"))
def test_record_page_has_no_accessibility_problems(new_page, practice, reach, size):
    page = new_page(size)
    reach(page, practice)
    expect(heading(page)).to_be_visible()
    screenshot(page, f"record-{reach.__name__}-{size}")
    assert_accessible(page)
