"""No decision is ever made by default, in any browser (R5): every form whose answer changes what a patient sees or
gets refuses a POST whose decision is missing, unknown, or meant for another item, and records nothing."""

import importlib
import inspect
import pkgutil
import re
from datetime import date, timedelta

import pytest
from flask_wtf import FlaskForm
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from wtforms import RadioField
from wtforms.fields.core import UnboundField

import kiosk.forms
from kiosk.clock import utcnow
from kiosk.forms.fields import ExplicitChoiceField
from kiosk.models import (
    Appointment,
    AuditEvent,
    CodedEntry,
    IdentityCheck,
    Letter,
    OnlineAccount,
    PrescriptionRequest,
    ProxyLink,
    RequestItem,
)
from tests.builders import (
    make_appointment,
    make_clinician,
    make_entry,
    make_letter,
    make_medicine,
    make_online_account,
    make_patient,
    make_prescription_request,
    make_registered_account,
    make_slot,
    make_staff,
    make_staff_session,
)

MISSING, UNKNOWN = None, "yes please"


@pytest.fixture
def patient(practice):
    return make_patient(practice, given_name="Mina", family_name="Okafor")


@pytest.fixture
def as_staff(client, practice):
    def make(role: str = "clinician"):
        staff = make_staff(practice, role)
        make_staff_session(client, staff)
        return staff

    return make


def main_text(response) -> str:
    return re.sub(r"\s+", " ", HTMLParser(response.get_data(as_text=True)).css_first("main").text())


def decisions_recorded(*actions: str) -> int:
    return AuditEvent.select().where(AuditEvent.action.in_(actions)).count()


def post(client, url: str, fields: dict, token_from: str | None = None):
    return client.form_post(url, {k: v for k, v in fields.items() if v is not None}, token_from=token_from)


# Letters: two buttons, each in its own form


@pytest.mark.parametrize("decision", [MISSING, UNKNOWN, "approve", "Clear", "clear "])
def test_letter_decision_missing_is_refused(client, as_staff, patient, decision):
    letter = make_letter(patient)
    as_staff("clinician")
    response = post(client, f"/staff/letters/{letter.id}", {"decision": decision, "reason": "third_party"})
    assert response.status_code == 200 and "Clear for patient to see" in main_text(response)
    assert "The letter is still hidden" in main_text(response)
    assert Letter.get_by_id(letter.id).status == "awaiting_review"
    assert decisions_recorded("letter.clear", "letter.withhold") == 0


@pytest.mark.parametrize("reason", [MISSING, "", "gossip"])
def test_withholding_without_a_known_reason_is_refused(client, as_staff, patient, reason):
    letter = make_letter(patient)
    as_staff("clinician")
    response = post(client, f"/staff/letters/{letter.id}", {"decision": "withhold", "reason": reason})
    assert "Choose why the letter is withheld" in main_text(response)
    assert (Letter.get_by_id(letter.id).status, decisions_recorded("letter.withhold")) == ("awaiting_review", 0)


def test_the_clear_button_is_alone_in_its_form(client, as_staff, patient):
    """Pressing Enter in a field of the withhold form can only ever withhold: the clear button is not in it."""
    letter = make_letter(patient)
    as_staff("clinician")
    tree = HTMLParser(client.get(f"/staff/letters/{letter.id}").get_data(as_text=True))
    forms = tree.css(f"form[action='/staff/letters/{letter.id}']")
    buttons = [[(b.attributes.get("name"), b.attributes.get("value")) for b in f.css("button")] for f in forms]
    assert buttons == [[("decision", "clear")], [("decision", "withhold")]]
    assert [f.css("input:not([type=hidden]), select, textarea") == [] for f in forms] == [True, False]


def test_the_withhold_reason_starts_unchosen(client, as_staff, patient):
    letter = make_letter(patient)
    as_staff("clinician")
    tree = HTMLParser(client.get(f"/staff/letters/{letter.id}").get_data(as_text=True))
    options = tree.css("select[name=reason] option")
    assert (options[0].attributes["value"], [o for o in options if "selected" in o.attributes]) == ("", [])


# Prescriptions: a select per item, starting on "Choose"


@pytest.fixture
def two_item_request(patient):
    first, second = make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril")
    request = make_prescription_request(patient, [first, second])
    return request, {i.medicine.name: i.id for i in request.items}


def item_statuses(request) -> set[str]:
    return {i.status for i in RequestItem.select().where(RequestItem.request == request.id)}


@pytest.mark.parametrize("value", [MISSING, "", UNKNOWN, "Approve", "approved"])
def test_an_item_without_a_known_decision_is_refused(client, as_staff, two_item_request, value):
    request, items = two_item_request
    as_staff("clinician")
    fields = {f"decision-{items['Amlodipine']}": value, f"decision-{items['Ramipril']}": "approve"}
    response = post(client, f"/staff/prescriptions/{request.id}", fields)
    assert "Choose approve or reject for Amlodipine" in main_text(response)
    assert item_statuses(request) == {"requested"}
    assert decisions_recorded("prescription.approve", "prescription.reject") == 0


def test_prescription_approve_needs_the_items_own_control(client, as_staff, patient, two_item_request):
    """An "approve" sent under another item's name (one of this request's, or another request's) decides nothing."""
    request, items = two_item_request
    other = make_prescription_request(patient, [make_medicine(patient, name="Atorvastatin")])
    other_item = other.items[0].id
    as_staff("clinician")
    fields = {f"decision-{items['Ramipril']}": "approve", f"decision-{other_item}": "approve", "decision": "approve"}
    response = post(client, f"/staff/prescriptions/{request.id}", fields)
    assert "Choose approve or reject for Amlodipine" in main_text(response)
    assert (item_statuses(request), item_statuses(other)) == ({"requested"}, {"requested"})
    assert decisions_recorded("prescription.approve", "prescription.reject") == 0


def test_every_item_starts_on_choose(client, as_staff, two_item_request):
    request, items = two_item_request
    as_staff("clinician")
    tree = HTMLParser(client.get(f"/staff/prescriptions/{request.id}").get_data(as_text=True))
    for item_id in items.values():
        options = tree.css(f"select[name=decision-{item_id}] option")
        assert [o.attributes["value"] for o in options] == ["", "approve", "reject"]
        assert not [o for o in options if "selected" in o.attributes]


def test_both_items_decided_explicitly_are_saved(client, as_staff, two_item_request):
    request, items = two_item_request
    as_staff("clinician")
    fields = {
        f"decision-{items['Amlodipine']}": "approve",
        f"decision-{items['Ramipril']}": "reject",
        f"reason-{items['Ramipril']}": "Please book a blood test first",
    }
    assert post(client, f"/staff/prescriptions/{request.id}", fields).status_code == 303
    assert PrescriptionRequest.get_by_id(request.id).status == "partly_approved"


@pytest.mark.parametrize("how", [MISSING, UNKNOWN, "Ready"])
def test_ready_or_sent_must_be_pressed(client, as_staff, patient, how):
    medicine = make_medicine(patient)
    request = make_prescription_request(patient, [medicine], status="approved", decided_at=utcnow())
    as_staff("reception")
    response = post(
        client,
        f"/staff/prescriptions/{request.id}/fulfil",
        {"how": how},
        token_from=f"/staff/prescriptions/{request.id}",
    )
    assert response.status_code == 303
    assert (PrescriptionRequest.get_by_id(request.id).status, decisions_recorded("prescription.ready")) == (
        "approved",
        0,
    )
    assert "Choose “Ready to collect” or “Sent to the pharmacy”" in main_text(client.get(response.headers["Location"]))


# The coded record: hiding needs a chosen reason


@pytest.mark.parametrize("reason", [MISSING, "", "gossip"])
def test_hiding_without_a_known_reason_is_refused(client, as_staff, patient, reason):
    entry = make_entry(patient)
    as_staff("clinician")
    post(
        client, f"/staff/entries/{entry.id}/hide", {"reason": reason}, token_from=f"/staff/patients/{patient.id}/record"
    )
    assert CodedEntry.get_by_id(entry.id).hidden_at is None
    assert decisions_recorded("record.hide_entry") == 0


# Online access: identity, proxies and services


@pytest.fixture
def account(practice, patient):
    return make_online_account(practice, patient)


@pytest.mark.parametrize("method", [MISSING, "", "trust me"])
def test_identity_needs_a_chosen_method(client, as_staff, account, method):
    as_staff("reception")
    url = f"/staff/online-accounts/{account.id}/identity"
    response = post(client, url, {"method": method, "evidence": "Passport"})
    assert "Choose how you verified their identity" in main_text(response)
    assert IdentityCheck.select().where(IdentityCheck.account == account.id).count() == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"decision": MISSING}, "Choose whether to grant or refuse"),
        ({"decision": "GRANT"}, "Choose whether to grant or refuse"),
        ({"basis": MISSING}, "Choose the basis for access"),
        ({"basis": "friend"}, "Choose the basis for access"),
        ({"record_level": "everything"}, "Not a valid choice"),
    ],
)
def test_a_proxy_grant_needs_each_choice_made(client, as_staff, practice, patient, fields, message):
    proxy = make_registered_account(practice, make_patient(practice, given_name="Hannah", family_name="Green"))
    as_staff("reception")
    values = {
        "proxy_account_id": proxy.account_id,
        "basis": "consent",
        "record_level": "none",
        "decision": "grant",
        "reason": "Asked for by the patient",
        **fields,
    }
    response = post(client, f"/staff/patients/{patient.id}/proxies/new", values)
    assert message in main_text(response)
    assert ProxyLink.select().count() == 0


def test_services_with_an_unknown_record_level_change_nothing(client, as_staff, practice, patient):
    account = make_registered_account(practice, patient, record_level="summary")
    as_staff("reception")
    url = f"/staff/online-accounts/{account.id}/services"
    post(client, url, {"record_level": "everything", "not_pressured": "y"})
    assert OnlineAccount.get_by_id(account.id).record_level == "summary"


# The kiosk: each appointment is its own button


def test_the_kiosk_refuses_an_appointment_it_did_not_offer(kiosk_client, practice):
    clinician = make_clinician(practice)
    shaw = make_patient(practice, family_name="Shaw", sex="female", date_of_birth=date(1985, 3, 14))
    someone_else = make_patient(practice, family_name="Shaw", sex="female", date_of_birth=date(1990, 1, 1))
    soon = utcnow() + timedelta(minutes=5)
    make_appointment(shaw, make_slot(clinician, soon))
    make_appointment(shaw, make_slot(clinician, soon + timedelta(minutes=40)))
    theirs = make_appointment(someone_else, make_slot(clinician, soon + timedelta(minutes=10)))
    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/")
    kiosk_client.form_post("/kiosk/sex", {"sex": "female"})
    kiosk_client.form_post("/kiosk/date-of-birth", {"day": 14, "month": 3, "year": 1985})
    for value in (MISSING, str(theirs.id), "first"):
        post(kiosk_client, "/kiosk/confirm", {"appointment": value})
    assert Appointment.select().where(Appointment.status == "arrived").count() == 0


# Every form, whichever page shows it


def _form_classes():
    for module_info in pkgutil.iter_modules(kiosk.forms.__path__):
        module = importlib.import_module(f"kiosk.forms.{module_info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, FlaskForm) and cls.__module__ == module.__name__:
                yield cls


def test_no_post_form_has_an_unchosen_radio_group():
    """A radio group in a form that is posted must start on a safe answer every browser shows; a choice without
    one is an ExplicitChoiceField, which starts on an empty "Choose". (tests/pages.py checks every rendered page.)"""
    unchosen, explicit = [], 0
    for cls in _form_classes():
        if not getattr(cls.Meta, "csrf", True):
            continue  # a GET form that changes nothing
        for name, unbound in inspect.getmembers(cls, lambda m: isinstance(m, UnboundField)):
            if issubclass(unbound.field_class, RadioField) and unbound.kwargs.get("default") is None:
                unchosen.append(f"{cls.__name__}.{name}")
            explicit += issubclass(unbound.field_class, ExplicitChoiceField)
    assert unchosen == []
    assert explicit >= 10  # the decisions above, the staff role and the kinds of entry, letter, slot and medicine
