"""GP Connect import in Chromium, JavaScript on and off: a clinician uploads a record and reads the report, the
patient sees their medicines and results and no letter, the clinician clears the imported letter, the patient
reads it. axe on the upload and report pages (JavaScript on only: it hangs without)."""

import pytest
from playwright.sync_api import expect

from kiosk.clock import local_today
from tests import builders
from tests import fhir_bundles as fb
from tests.e2e.axe import assert_accessible, screenshot
from tests.e2e.test_record_letters import decide, heading, mina, sign_in_as_patient

pytestmark = pytest.mark.e2e


def test_a_clinician_imports_a_record_and_the_patient_sees_only_what_is_cleared(
    new_page, staff_screens, practice, js, tmp_path
):
    practice.letters_from = local_today().replace(year=2000)
    practice.save()
    patient = mina(practice)
    account = builders.make_registered_account(practice, patient, record_level="full")
    path = tmp_path / "record.json"
    letter = fb.document(
        "d1", "Outpatient letter", data="Your knee is healing well.", created=local_today().isoformat()
    )
    letter["author"] = [{"display": "Riverside Orthopaedics"}]
    path.write_bytes(
        fb.bundle(
            patient,
            fb.medication(),
            fb.plan(),
            fb.statement(),
            fb.observation("o1", term="Serum sodium", value=140, unit="mmol/L", referenceRange=[{"text": "133-146"}]),
            letter,
        )
    )

    clinician = staff_screens("clinician", js=js).page
    clinician.goto(f"/staff/patients/{patient.id}/record")
    clinician.get_by_role("link", name="Import a GP Connect record").click()
    expect(heading(clinician)).to_have_text(f"Import a GP Connect record for {patient.full_name}")
    if js:
        clinician.get_by_role("button", name="Import the record").click()  # no file: the error state
        expect(clinician.locator("#bundle-error")).to_contain_text("Choose a file to import")
        assert_accessible(clinician)
    clinician.get_by_label("GP Connect record (FHIR STU3 JSON bundle)").set_input_files(str(path))
    clinician.get_by_role("button", name="Import the record").click()
    expect(heading(clinician)).to_have_text(f"GP Connect record imported for {patient.full_name}")
    expect(clinician.get_by_role("row", name="Letter")).to_contain_text("1")
    screenshot(clinician, f"gpconnect-report-js-{js}")
    if js:
        assert_accessible(clinician)

    home = new_page("phone", js=js)
    sign_in_as_patient(home, account)
    home.goto("/record")
    expect(home.locator("main")).to_contain_text("Salbutamol 100micrograms inhaler")
    expect(home.locator("main")).to_contain_text("Serum sodium")
    home.goto("/letters")
    expect(home.locator("main")).not_to_contain_text("Riverside Orthopaedics")

    clinician.goto("/staff/")
    decide(clinician, "Outpatient letter from Riverside Orthopaedics", "Clear for patient to see")

    home.goto("/letters")
    home.get_by_role("link", name="Outpatient letter from Riverside Orthopaedics").click()
    expect(home.locator("main")).to_contain_text("Your knee is healing well.")
