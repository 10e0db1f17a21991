"""The patient home page says what is waiting, and nothing the person acting may not see (R5, R6, R7)."""

import gzip
from datetime import timedelta

import pytest

from kiosk.clock import utcnow
from kiosk.models import OnlineAccount
from kiosk.services import patient_auth
from kiosk.services.lockout import DEFAULT_LIMITS
from tests.builders import (
    PASSWORD,
    make_appointment,
    make_clinician,
    make_entry,
    make_letter,
    make_medicine,
    make_patient,
    make_patient_session,
    make_prescription_request,
    make_proxy_link,
    make_registered_account,
    make_slot,
)
from tests.pages import BUDGET_BYTES


@pytest.fixture
def patient(practice):
    return make_patient(practice, given_name="Sophie")


@pytest.fixture
def account(practice, patient):
    return make_registered_account(
        practice,
        patient,
        appointments=True,
        prescriptions=True,
        record_level="full",
        previous_visit_at=utcnow() - timedelta(days=2),
    )


def _home(client, account):
    make_patient_session(client, account)
    return client.get("/home").get_data(as_text=True)


def test_the_next_appointment_is_shown_and_a_cancelled_one_is_not(client, practice, patient, account):
    clinician = make_clinician(practice, display_name="Dr B Okafor")
    make_appointment(patient, make_slot(clinician, utcnow() + timedelta(days=1)), status="cancelled")
    html = _home(client, account)
    assert "Next appointment" not in html
    make_appointment(patient, make_slot(clinician, utcnow() + timedelta(days=5)))
    assert "Next appointment" in _home(client, account) and "Dr B Okafor" in _home(client, account)


def test_prescriptions_ready_and_decided_since_the_last_visit_are_counted(client, practice, patient, account):
    medicine = make_medicine(patient)
    make_prescription_request(patient, [medicine], status="ready")
    make_prescription_request(patient, [medicine], status="approved", decided_at=utcnow() - timedelta(hours=1))
    make_prescription_request(patient, [medicine], status="rejected", decided_at=utcnow() - timedelta(days=9))
    html = _home(client, account)
    assert "1 prescription is ready to collect" in html
    assert "1 prescription request decided since your last visit" in html


def test_only_cleared_letters_and_reviewed_results_since_the_last_visit_are_news(client, practice, patient, account):
    make_letter(patient)  # awaiting review: invisible (R5)
    make_letter(patient, status="withheld", withhold_reason="third_party", decided_at=utcnow())
    make_letter(patient, status="cleared", decided_at=utcnow() - timedelta(days=10))  # read before
    make_entry(patient, "result", abnormal=True)  # not reviewed yet
    assert "Waiting for you" not in _home(client, account)
    make_letter(patient, status="cleared", decided_at=utcnow() - timedelta(hours=1))
    make_entry(patient, "result", abnormal=True, reviewed_at=utcnow())
    html = _home(client, account)
    assert "1 new letter to read" in html and "1 new test result" in html


def test_a_proxy_sees_only_what_their_scope_allows(client, practice, patient, account):
    parent = make_registered_account(practice, None, previous_visit_at=utcnow() - timedelta(days=2))
    make_proxy_link(parent, patient, appointments=True, prescriptions=False, record_level="none")
    make_prescription_request(patient, [make_medicine(patient)], status="ready")
    make_letter(patient, status="cleared", decided_at=utcnow())
    make_appointment(patient, make_slot(make_clinician(practice), utcnow() + timedelta(days=2)))
    make_patient_session(client, parent)
    client.form_post("/acting-for", {"patient": patient.id}, token_from="/home")
    html = client.get("/home").get_data(as_text=True)
    assert "Next appointment" in html
    assert "ready to collect" not in html and "letter" not in html


def test_signing_in_moves_the_last_visit_on(practice, patient, account):
    before = OnlineAccount.get_by_id(account.id)
    first = patient_auth.authenticate(_anonymous(), account.account_id, PASSWORD, DEFAULT_LIMITS)
    first = OnlineAccount.get_by_id(first.id)
    assert first.previous_visit_at == before.last_visit_at and first.last_visit_at is not None
    patient_auth.authenticate(_anonymous(), account.account_id, PASSWORD, DEFAULT_LIMITS)
    second = OnlineAccount.get_by_id(account.id)
    assert second.previous_visit_at == first.last_visit_at


def _anonymous():
    from kiosk.actor import Actor

    return Actor.anonymous("phone", "127.0.0.9")


def test_a_busy_home_page_stays_within_the_budget(client, practice, patient, account):
    make_appointment(patient, make_slot(make_clinician(practice), utcnow() + timedelta(days=2)))
    medicine = make_medicine(patient)
    for status in ("ready", "approved", "partly_approved"):
        make_prescription_request(patient, [medicine], status=status, decided_at=utcnow())
    for _ in range(3):
        make_letter(patient, status="cleared", decided_at=utcnow())
        make_entry(patient, "result", reviewed_at=utcnow(), abnormal=True)
    make_patient_session(client, account)
    response = client.get("/home")
    assert "Waiting for you" in response.get_data(as_text=True)
    assert len(gzip.compress(response.get_data())) <= BUDGET_BYTES
