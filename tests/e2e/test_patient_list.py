"""The patient list in Chromium, JavaScript on and off: reception imports a 50-patient CSV (preview, then commit),
finds one of them and corrects their details; axe on every new page, normal and error states, phone and desktop."""

import re

import pytest
from playwright.sync_api import Page, expect

from kiosk.models import AuditEvent, Patient
from tests import builders
from tests.e2e.axe import assert_accessible, screenshot

pytestmark = pytest.mark.e2e

HEADER = "nhs_number,title,given_name,family_name,date_of_birth,sex,address,postcode,mobile,email,nominated_pharmacy"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def row(page: Page, key: str):
    """The value of a summary list row."""
    return page.locator(".nhsuk-summary-list__row", has=page.get_by_text(key, exact=True)).locator("dd")


def practice_list(tmp_path, practice, count: int = 50, bad: bool = False):
    # Numbers from a range per practice, so that two tests' lists never share one.
    start = 980_000_000 + practice.id * 1000
    rows = [HEADER]
    for i, number in enumerate(builders.valid_nhs_numbers(count, start)):
        family = "Okonkwo" if i == 17 else f"Family{i:02d}"
        rows.append(f'{number},,Given{i:02d},{family},14/03/1985,female,"{i} Mill Lane, Leeds",LS1 4AP,,,')
    if bad:
        rows.append("9434765918,,Tom,Nowak,31/02/1962,male,,,,,")
    path = tmp_path / ("bad.csv" if bad else "list.csv")
    path.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode())
    return path


def upload(page: Page, path) -> None:
    page.goto("/staff/patients/")
    page.get_by_role("link", name="Import a list").click()
    expect(heading(page)).to_have_text("Import a practice list")
    page.get_by_label("CSV file of the practice list").set_input_files(str(path))
    page.get_by_role("button", name="Upload and preview").click()


def test_reception_imports_a_list_finds_a_patient_and_corrects_them(staff_screens, practice, js, tmp_path):
    page = staff_screens("reception", js=js).page
    upload(page, practice_list(tmp_path, practice))
    expect(heading(page)).to_have_text("Check the practice list before importing")
    expect(row(page, "New patients")).to_have_text("50")
    assert Patient.for_practice(practice.id).count() == 0  # the preview wrote nothing

    page.get_by_role("button", name="Import 50 patients").click()
    expect(heading(page)).to_have_text("Practice list imported")
    expect(row(page, "Patients added")).to_have_text("50")
    assert Patient.for_practice(practice.id).count() == 50

    page.goto("/staff/patients/")
    page.get_by_label("Name, date of birth or NHS number").fill("okonkwo")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="OKONKWO, Given17").click()
    expect(heading(page)).to_have_text("Given17 Okonkwo")

    page.get_by_role("link", name="Change details").click()
    page.get_by_label("Mobile phone number (optional)").fill("07700 900456")
    page.get_by_role("button", name="Save changes").click()
    expect(heading(page)).to_have_text("Given17 Okonkwo")
    expect(page.get_by_text("07700 900456")).to_be_visible()
    patient = Patient.get((Patient.practice == practice.id) & (Patient.family_name == "Okonkwo"))
    assert patient.mobile == "07700 900456"
    event = AuditEvent.get((AuditEvent.action == "patient.update") & (AuditEvent.patient == patient.id))
    assert "mobile:  -> 07700 900456" in event.detail


def test_a_list_with_a_bad_row_is_not_imported(staff_screens, practice, js, tmp_path):
    page = staff_screens("reception", js=js).page
    upload(page, practice_list(tmp_path, practice, count=3, bad=True))
    expect(page.get_by_text("Nothing can be imported yet")).to_be_visible()
    expect(page.locator("table")).to_contain_text("9434765918 is not valid")
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    assert Patient.for_practice(practice.id).count() == 0


# axe on each new page: JavaScript on only (axe never settles without it)


def _patient(practice):
    return builders.make_patient(practice, given_name="Grace", family_name="Shaw")


def add_page(page, practice, tmp_path):
    page.goto("/staff/patients/new")


def add_page_error(page, practice, tmp_path):
    page.goto("/staff/patients/new")
    page.get_by_label("NHS number").fill("123")
    page.get_by_role("button", name="Add patient").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def edit_page(page, practice, tmp_path):
    page.goto(f"/staff/patients/{_patient(practice).id}/edit")


def edit_page_error(page, practice, tmp_path):
    page.goto(f"/staff/patients/{_patient(practice).id}/edit")
    page.get_by_label("Last name").fill("")
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def leave_page(page, practice, tmp_path):
    page.goto(f"/staff/patients/{_patient(practice).id}/leave")


def leave_page_error(page, practice, tmp_path):
    page.goto(f"/staff/patients/{_patient(practice).id}/leave")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def left_page(page, practice, tmp_path):
    patient = _patient(practice)
    builders.make_appointment(patient)
    page.goto(f"/staff/patients/{patient.id}/leave")
    page.get_by_label("What happened?").select_option(label="Left the practice")
    group = page.get_by_role("group", name="Date")
    group.get_by_label("Day").fill("1")
    group.get_by_label("Month").fill("1")
    group.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Save").click()
    expect(heading(page)).to_contain_text("left the practice")


def search_many(page, practice, tmp_path):
    for i in range(30):
        builders.make_patient(practice, given_name=f"Given{i}", family_name="Shaw")
    page.goto("/staff/patients/?q=shaw")
    expect(page.get_by_role("link", name="Next")).to_be_visible()


def import_page(page, practice, tmp_path):
    page.goto("/staff/patients/import")


def import_page_error(page, practice, tmp_path):
    page.goto("/staff/patients/import")
    page.get_by_role("button", name="Upload and preview").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def import_preview(page, practice, tmp_path):
    upload(page, practice_list(tmp_path, practice, count=5))
    expect(heading(page)).to_have_text("Check the practice list before importing")


def import_preview_rejected(page, practice, tmp_path):
    upload(page, practice_list(tmp_path, practice, count=2, bad=True))
    expect(page.get_by_text("Nothing can be imported yet")).to_be_visible()


def import_done(page, practice, tmp_path):
    import_preview(page, practice, tmp_path)
    page.get_by_role("button", name="Import 5 patients").click()
    expect(heading(page)).to_have_text("Practice list imported")


STATES = [
    add_page,
    add_page_error,
    edit_page,
    edit_page_error,
    leave_page,
    leave_page_error,
    left_page,
    search_many,
    import_page,
    import_page_error,
    import_preview,
    import_preview_rejected,
    import_done,
]


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("state", STATES, ids=[s.__name__ for s in STATES])
def test_patient_list_pages_are_accessible(staff_screens, practice, state, size, tmp_path):
    page = staff_screens("reception", js=True, size=size).page
    state(page, practice, tmp_path)
    screenshot(page, f"patient-list-{state.__name__}-{size}")
    assert_accessible(page)
