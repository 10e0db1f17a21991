"""Clinical decisions in lynx, the browser that chooses the first radio button of a group by itself (HTML 2.0).

A clinician who presses the buttons without choosing decides nothing: the letter stays hidden and no medicine is
approved. Outcomes are read from the database and from the patient's own pages.
"""

import pytest

from kiosk.models import AuditEvent, Letter, RequestItem
from tests import builders
from tests.e2e.lynx import Lynx, sign_in_patient, sign_in_staff

pytestmark = pytest.mark.e2e


@pytest.fixture
def lynx(live_server, tmp_path):
    with Lynx(live_server.url, tmp_path / "lynx") as session:
        yield session


def test_letter_review_in_lynx_never_clears_by_default(lynx, live_server, tmp_path, practice):
    patient = builders.make_patient(practice, given_name="Mina", family_name="Okafor")
    account = builders.make_registered_account(practice, patient, record_level="full")
    letter = builders.make_letter(patient, author="Community mental health team", body="Her brother told us")
    clinician = builders.make_staff(practice, "clinician")

    sign_in_staff(lynx, clinician)
    page = lynx.go(f"/staff/letters/{letter.id}")
    assert "Clear for patient to see" in page and "Withhold from patient" in page

    # Withhold without a reason: the select lynx shows starts on "Choose", and the server refuses it.
    page = lynx.press("Withhold from patient")
    assert "Choose why the letter is withheld" in page
    assert Letter.get_by_id(letter.id).status == "awaiting_review"

    decided = AuditEvent.action.in_(["letter.clear", "letter.withhold"]) & (AuditEvent.patient == patient.id)
    assert AuditEvent.select().where(decided).count() == 0

    # Now withhold with a reason chosen from the list (the first real choice below "Choose").
    lynx.go(f"/staff/letters/{letter.id}")
    lynx.move_to("Why withhold it?")
    lynx.send("key ^J", "key Down Arrow", "key ^J")
    page = lynx.press("Withhold from patient")
    assert "Letter withheld" in page
    saved = Letter.get_by_id(letter.id)
    assert (saved.status, saved.withhold_reason) == ("withheld", "third_party")

    with Lynx(live_server.url, tmp_path / "patient") as patient_lynx:
        sign_in_patient(patient_lynx, account)
        assert "brother" not in patient_lynx.go("/letters")
        assert "Page not found" in patient_lynx.go(f"/letters/{letter.id}")


def test_prescription_review_in_lynx_never_approves_by_default(lynx, practice):
    patient = builders.make_patient(practice, given_name="Rosa", family_name="Patel")
    first = builders.make_medicine(patient, name="Amlodipine", strength="5mg")
    second = builders.make_medicine(patient, name="Ramipril", strength="2.5mg")
    request = builders.make_prescription_request(patient, [first, second])
    clinician = builders.make_staff(practice, "clinician")

    sign_in_staff(lynx, clinician)
    lynx.go(f"/staff/prescriptions/{request.id}")
    page = lynx.press("Save decisions")
    assert "Choose approve or reject for Amlodipine" in page
    assert "Choose approve or reject for Ramipril" in page
    items = RequestItem.select().where(RequestItem.request == request.id)
    assert {i.status for i in items} == {"requested"}
    approved = (AuditEvent.action == "prescription.approve") & (AuditEvent.patient == patient.id)
    assert AuditEvent.select().where(approved).count() == 0
