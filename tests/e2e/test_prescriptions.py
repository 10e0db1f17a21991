"""Repeat prescriptions in Chromium: a patient orders, a clinician decides, reception marks it ready; axe on every page.

axe runs only with JavaScript on (it hangs without); the JavaScript-off journey serves the same HTML at the same URLs.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from kiosk.clock import local_today, utcnow
from kiosk.models import PrescriptionRequest
from tests import builders
from tests.e2e.axe import assert_accessible, screenshot

pytestmark = pytest.mark.e2e
TODAY = local_today()
REASON = "Please book a blood pressure check before we issue more"


class _BrowserCookies:
    """Lets the builders' make_*_session helpers put their session cookie into a browser context."""

    application = SimpleNamespace(config={})

    def __init__(self, page: Page):
        self.page = page

    def set_cookie(self, name: str, value: str) -> None:
        self.page.context.add_cookies([{"name": name, "value": value, "domain": "127.0.0.1", "path": "/"}])


def rosa(practice, **overrides):
    return builders.make_patient(practice, given_name="Rosa", family_name="Patel", **overrides)


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def sign_in_as_patient(page: Page, account) -> None:
    page.goto("/sign-in")
    page.get_by_label("Account ID").fill(account.account_id)
    page.get_by_label("Password").fill(builders.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(heading(page)).to_have_text(f"Hello, {account.given_name}")


def staff_page(page: Page, practice, role: str) -> Page:
    builders.make_staff_session(_BrowserCookies(page), builders.make_staff(practice, role))
    return page


def patient_page(page: Page, patient) -> Page:
    account = builders.make_online_account(patient.practice, patient, prescriptions=True)
    builders.make_patient_session(_BrowserCookies(page), account)
    return page


def decided_request(patient, first, second):
    """A request for two medicines: the first approved, the second rejected with REASON."""
    request = builders.make_prescription_request(
        patient, [first, second], status="partly_approved", decided_at=utcnow()
    )
    for item in request.items:
        approved = item.medicine_id == first.id
        item.status, item.reason = ("approved", "") if approved else ("rejected", REASON)
        item.save()
    return request


# The journey


def test_a_patient_orders_two_medicines_and_follows_the_decisions(new_page, staff_screens, practice, js):
    patient = rosa(practice)
    account = builders.make_registered_account(practice, patient, prescriptions=True)
    builders.make_medicine(patient, name="Amlodipine", strength="5mg")
    builders.make_medicine(patient, name="Ramipril", strength="2.5mg")

    me = new_page("phone", js=js)
    sign_in_as_patient(me, account)
    me.get_by_role("link", name="Order repeat medicines").click()
    expect(heading(me)).to_have_text("Repeat medicines")
    me.get_by_label("Amlodipine 5mg").check()
    me.get_by_label("Ramipril 2.5mg").check()
    me.get_by_label("Anything the practice should know (optional)").fill("Away from Friday")
    me.get_by_role("button", name="Continue").click()

    expect(heading(me)).to_have_text("Check your order")
    expect(me.get_by_text(f"To collect from {practice.name}.")).to_be_visible()
    expect(me.get_by_text("Your note: Away from Friday")).to_be_visible()
    me.get_by_role("button", name="Order these medicines").click()

    expect(heading(me)).to_have_text("Prescription request sent")
    expect(me.get_by_text("Amlodipine 5mg: Waiting for a clinician")).to_be_visible()
    expect(me.get_by_text("Ramipril 2.5mg: Waiting for a clinician")).to_be_visible()

    clinician = staff_screens("clinician", js=js).page
    clinician.get_by_role("link", name="Prescriptions").click()
    clinician.get_by_role("link", name="Rosa Patel").click()
    expect(heading(clinician)).to_have_text("Request from Rosa Patel")
    clinician.get_by_label("Decision for Amlodipine").select_option("approve")
    ramipril = clinician.get_by_role("group", name=re.compile("^Ramipril"))
    ramipril.get_by_label("Decision for Ramipril").select_option("reject")
    ramipril.get_by_label("Reason or message for the patient").fill(REASON)
    clinician.get_by_role("button", name="Save decisions").click()
    expect(clinician.locator(".app-flash")).to_contain_text("Decision saved")

    me.get_by_role("link", name="See all your requests").click()
    expect(heading(me)).to_have_text("Your prescription requests")
    expect(me.get_by_text("Amlodipine 5mg: Approved")).to_be_visible()
    expect(me.get_by_text(f"Ramipril 2.5mg: Rejected. “{REASON}”")).to_be_visible()

    reception = staff_screens("reception", js=js).page
    reception.get_by_role("link", name="Prescriptions").click()
    reception.get_by_role("link", name="Rosa Patel").click()
    reception.get_by_role("button", name="Ready to collect").click()
    expect(reception.locator(".app-flash")).to_contain_text("Request updated")

    me.reload()
    expect(me.get_by_role("heading", name=re.compile(": Ready to collect$"))).to_be_visible()


def test_items_that_cannot_be_ordered_are_disabled_with_the_reason_shown(new_page, practice):
    patient = rosa(practice)
    builders.make_medicine(patient, name="Amlodipine", last_issued_on=TODAY - timedelta(days=7))
    builders.make_medicine(patient, name="Ramipril", review_on=TODAY - timedelta(days=2))
    page = patient_page(new_page("phone"), patient)
    page.goto("/prescriptions/")
    for name, reason in [("Amlodipine 5mg", "Not due yet."), ("Ramipril 5mg", "Your medication review is overdue.")]:
        box = page.get_by_label(name)
        expect(box).to_be_disabled()
        expect(box).to_have_accessible_description(re.compile(re.escape(reason)))


def test_a_double_click_on_order_makes_one_request(new_page, practice, js):
    patient = rosa(practice)
    medicine = builders.make_medicine(patient)
    page = patient_page(new_page("phone", js=js), patient)
    page.goto(f"/prescriptions/check?medicine={medicine.id}")
    page.get_by_role("button", name="Order these medicines").dblclick()
    expect(heading(page)).to_have_text("Prescription request sent")
    assert PrescriptionRequest.select().where(PrescriptionRequest.patient == patient.id).count() == 1


# axe on every new page, normal and error states


def _list(page, practice):
    patient = rosa(practice)
    builders.make_medicine(patient, name="Amlodipine")
    builders.make_medicine(patient, name="Ramipril", last_issued_on=TODAY - timedelta(days=3))
    builders.make_medicine(patient, name="Atorvastatin", review_on=TODAY - timedelta(days=3))
    builders.make_medicine(patient, name="Amoxicillin", kind="acute")
    patient_page(page, patient).goto("/prescriptions/")
    return patient


def patient_list(page, practice):
    _list(page, practice)


def patient_list_error(page, practice):
    _list(page, practice)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def patient_check(page, practice):
    _list(page, practice)
    page.get_by_label("Amlodipine 5mg").check()
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Check your order")


def patient_receipt(page, practice):
    patient_check(page, practice)
    page.get_by_role("button", name="Order these medicines").click()
    expect(heading(page)).to_have_text("Prescription request sent")


def patient_requests(page, practice):
    patient = rosa(practice, nominated_pharmacy="Bridge Street Pharmacy")
    first, second = builders.make_medicine(patient, name="Amlodipine"), builders.make_medicine(patient, name="Ramipril")
    decided_request(patient, first, second)
    builders.make_prescription_request(patient, [builders.make_medicine(patient, name="Metformin")])
    patient_page(page, patient).goto("/prescriptions/requests")


def staff_queue(page, practice):
    patient = rosa(practice)
    builders.make_prescription_request(
        patient, [builders.make_medicine(patient)], created_at=utcnow() - timedelta(days=2)
    )
    decided_request(
        patient, builders.make_medicine(patient, name="Ramipril"), builders.make_medicine(patient, name="Metformin")
    )
    staff_page(page, practice, "clinician").goto("/staff/prescriptions/")


def _review(page, practice):
    patient = rosa(practice)
    builders.make_medicine(patient, name="Levothyroxine", kind="acute")
    request = builders.make_prescription_request(
        patient,
        [builders.make_medicine(patient, name="Amlodipine"), builders.make_medicine(patient, name="Ramipril")],
        note="Away from Friday",
    )
    staff_page(page, practice, "clinician").goto(f"/staff/prescriptions/{request.id}")


def staff_review(page, practice):
    _review(page, practice)


def staff_review_error(page, practice):
    _review(page, practice)
    page.get_by_label("Decision for Ramipril").select_option("reject")
    page.get_by_role("button", name="Save decisions").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def staff_review_to_mark_ready(page, practice):
    patient = rosa(practice)
    request = decided_request(
        patient, builders.make_medicine(patient, name="Amlodipine"), builders.make_medicine(patient, name="Ramipril")
    )
    staff_page(page, practice, "reception").goto(f"/staff/prescriptions/{request.id}")


def _medicines(page, practice):
    patient = rosa(practice)
    builders.make_medicine(patient, name="Amlodipine")
    builders.make_medicine(patient, name="Amoxicillin", kind="acute", review_on=None)
    staff_page(page, practice, "clinician").goto(f"/staff/patients/{patient.id}/medicines")


def staff_medicines(page, practice):
    _medicines(page, practice)


def staff_medicines_error(page, practice):
    _medicines(page, practice)
    page.get_by_label("Medicine", exact=True).fill("Metformin")
    page.get_by_label("Dose instructions").fill("One tablet twice a day")
    page.get_by_label("Quantity").fill("56 tablets")
    page.get_by_label("Days one issue lasts").fill("four weeks")
    page.get_by_label("Medication review due").fill("31/02/2030")
    page.get_by_role("button", name="Add medicine").click()
    expect(page).to_have_title(re.compile(r"^Error: "))


def staff_medicine_edit(page, practice):
    medicine = builders.make_medicine(rosa(practice))
    staff_page(page, practice, "clinician").goto(f"/staff/medicines/{medicine.id}")


STATES = [
    patient_list,
    patient_list_error,
    patient_check,
    patient_receipt,
    patient_requests,
    staff_queue,
    staff_review,
    staff_review_error,
    staff_review_to_mark_ready,
    staff_medicines,
    staff_medicines_error,
    staff_medicine_edit,
]


@pytest.mark.parametrize("size", ["phone", "kiosk"])
@pytest.mark.parametrize("reach", STATES, ids=lambda f: f.__name__.replace("_", "-"))
def test_prescription_page_has_no_accessibility_problems(new_page, practice, reach, size):
    page = new_page(size)
    reach(page, practice)
    expect(heading(page)).to_be_visible()
    screenshot(page, f"prescriptions-{reach.__name__}-{size}")
    assert_accessible(page)
