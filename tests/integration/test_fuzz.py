"""Property-based fuzzing of every route in app.url_map, as each kind of user: bad input never gives a 5xx, and a
refused request writes nothing.

Bodies start from plausible values for every field any form has (so validation gets past "required"), then some
fields are dropped, duplicated or replaced with oversize text, NUL and other control characters, RTL and emoji,
malformed or huge dates and numbers; or the whole body is JSON, undecodable bytes, or a multipart file part.
Deterministic (derandomize) and bounded to fit the suite: a few hundred requests per backend.
"""

import io
import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import AnyConverter, IntegerConverter
from wtforms.fields.core import UnboundField

import kiosk.forms.appointments
import kiosk.forms.kiosk
import kiosk.forms.online
import kiosk.forms.prescriptions
import kiosk.forms.record
import kiosk.forms.staff
from kiosk.access import KIOSK_COOKIE
from kiosk.clock import local_today, utcnow
from kiosk.forms.base import KioskForm
from kiosk.models import (
    Appointment,
    AuditEvent,
    Clinician,
    CodedEntry,
    IdentityCheck,
    Kiosk,
    Letter,
    LetterAttachment,
    LinkageKey,
    Medicine,
    OnlineAccount,
    Patient,
    PrescriptionRequest,
    ProxyLink,
    RequestItem,
    Slot,
    StaffUser,
)
from kiosk.services import gpconnect_import
from tests import builders, fhir_bundles
from tests.cheap_hashing import use_cheap_argon2
from tests.pages import csrf_token

ROLES = ("anonymous", "kiosk", "patient", "reception", "clinician", "manager")
EXAMPLES_PER_RULE = 16
GET_EXAMPLES_PER_RULE = 4
FUZZ = settings(
    max_examples=EXAMPLES_PER_RULE,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
# What a refused request must leave as it was. The audit log may gain refusals (R12 audits refused attempts too).
MAIN_TABLES = (
    Patient,
    Clinician,
    StaffUser,
    Slot,
    Appointment,
    Kiosk,
    OnlineAccount,
    IdentityCheck,
    LinkageKey,
    ProxyLink,
    CodedEntry,
    Medicine,
    PrescriptionRequest,
    RequestItem,
    Letter,
    LetterAttachment,
)
FORM_MODULES = (
    kiosk.forms,
    kiosk.forms.appointments,
    kiosk.forms.kiosk,
    kiosk.forms.online,
    kiosk.forms.prescriptions,
    kiosk.forms.record,
    kiosk.forms.staff,
)


def form_field_names() -> list[str]:
    names = set()
    for module in FORM_MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, KioskForm):
                names |= {n for n in dir(value) if isinstance(getattr(value, n), UnboundField)}
    return sorted(names - {"csrf_token", "attachment"})


# A plausible value per field name: enough for many forms to pass, so the junk reaches past "required".
PLAUSIBLE = {
    "day": "1",
    "month": "6",
    "year": "2020",
    "end_day": "1",
    "end_month": "1",
    "end_year": "2030",
    "look_day": "1",
    "look_month": "1",
    "look_year": "2030",
    "letter": "S",
    "sex": "female",
    "kind": "gp",
    "reason": "Asked for by the patient",
    "evidence": "Passport",
    "method": "documents",
    "basis": "consent",
    "decision": "grant",
    "record_level": "none",
    "given_name": "Ada",
    "family_name": "Lovelace",
    "name": "Amlodipine",
    "dose": "One daily",
    "quantity": "28",
    "interval_days": "28",
    "issues_left": "6",
    "review_on": "01/01/2030",
    "last_issued_on": "01/01/2026",
    "effective_on": "01/01/2026",
    "snomed_code": "195967001",
    "term": "Asthma",
    "author": "Ward 7",
    "body": "Seen in clinic.",
    "email": "someone@example.test",
    "password": builders.PASSWORD,
    "confirm": builders.PASSWORD,
    "role": "reception",
    "start": "09:00",
    "end": "10:00",
    "length": "10",
    "minutes": "10",
    "how": "ready",
}
HUGE_NUMBERS = ["18446744073709551616", str(2**63), str(2**31), "-1", "0", "9" * 40, "1e9", "٣"]
BAD_DATES = ["31/02/2026", "0/0/0", "1/1/1", "31/12/9999", "9999-12-31", "0001-01-01", "2026-13-01", "//"]
text = st.one_of(
    st.sampled_from(["", " ", "\x00", "a\x00b", "\u202eevil\u202c", "👩🏽‍⚕️🦠", "שלום", "\ufffd", "\r\n", "x\x1by"]),
    st.builds(
        lambda n, c: c * n, st.sampled_from([33, 65, 81, 101, 121, 161, 201, 256, 501, 1001, 2001]), st.just("x")
    ),
    st.sampled_from(HUGE_NUMBERS + BAD_DATES),
    st.text(max_size=40),
)


def ids(world: dict, name: str):
    return st.sampled_from([world.get(name, 1)] * 4 + [2**63 - 1, 2**63])


def url_for_rule(rule, world: dict):
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = st.sampled_from(sorted(converter.items))
        elif isinstance(converter, IntegerConverter):
            values[name] = ids(world, name)
        else:
            values[name] = st.sampled_from(["problem", "medication", "x"])
    return st.fixed_dictionaries(values).map(lambda v: rule.build(v, append_unknown=False)[1])


@st.composite
def bodies(draw, names: list[str], token: str, world: dict):
    """(data, content_type) for client.post: mostly forms, some JSON, raw bytes and multipart files."""
    extra = [f"decision-{world['item_id']}", f"reason-{world['item_id']}", "patient", "appointment", "medicine"]
    fields = {n: PLAUSIBLE.get(n, "1") for n in names + extra}
    fields["patient"] = str(world["patient_id"])
    fields["token"] = draw(st.sampled_from(["t" * 32, "u" * 40]))
    kind = draw(st.sampled_from(["form"] * 6 + ["json", "bytes", "file"]))
    if kind == "json":
        value = draw(st.one_of(st.just([1, 2]), st.just(7), st.just({"email": [1], "password": {"a": None}})))
        return json.dumps(value), "application/json", {"X-CSRFToken": token}
    if kind == "bytes":
        return f"csrf_token={token}&reason=a".encode() + b"\xff\xfe\x00", "application/x-www-form-urlencoded", {}
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=6)):
        fields[name] = draw(text)
    for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=3)):
        fields.pop(name, None)
    data = list(fields.items())
    data += [(name, draw(text)) for name in draw(st.lists(st.sampled_from(sorted(PLAUSIBLE)), max_size=2))]
    data.append(("csrf_token", token))
    if kind == "file":
        name = draw(st.sampled_from(["attachment", "email", "reason", "body"]))
        content = draw(st.sampled_from([b"%PDF-1.4 x", b"MZ\x90\x00", b"\x89PNG\r\n\x1a\n", b""]))
        filename = draw(st.sampled_from(["a.pdf", "", "x" * 300 + ".pdf", "..\\..\\a\x00.png"]))
        multi = {}
        for k, v in data:
            multi.setdefault(k, []).append(v)
        multi[name] = (io.BytesIO(content), filename)
        return multi, "multipart/form-data", {}
    return MultiDict(data), "application/x-www-form-urlencoded", {}


def counts() -> dict:
    return {m.__name__: m.select().count() for m in MAIN_TABLES}


def audit_ok_rows() -> int:
    return AuditEvent.select().where(AuditEvent.outcome == "ok").count()


def is_refusal(response) -> bool:
    if 400 <= response.status_code < 500:
        return True
    if response.status_code == 200 and response.mimetype == "text/html":
        return "<title>Error: " in response.get_data(as_text=True)
    return False


def build_world(practice) -> dict:
    """One of everything a route can name, in one practice."""
    patient = builders.make_patient(practice, family_name="Shaw")
    clinician = builders.make_clinician(practice)
    slot = builders.make_slot(clinician, utcnow().replace(second=0, microsecond=0) + timedelta(days=1))
    appointment = builders.make_appointment(patient, builders.make_slot(clinician))
    account = builders.make_registered_account(
        practice, patient, appointments=True, prescriptions=True, record_level="full"
    )
    proxy = builders.make_registered_account(practice)
    link = builders.make_proxy_link(proxy, patient)
    medicine = builders.make_medicine(patient)
    request = builders.make_prescription_request(patient, [medicine])
    letter = builders.make_letter(patient, status="cleared")
    attachment = LetterAttachment.create(
        practice=practice, letter=letter, filename="a.pdf", content_type="application/pdf", data=b"%PDF-1.4"
    )
    entry = builders.make_entry(patient, "result", abnormal=True)
    kiosk = builders.make_kiosk(practice, token="fuzz-kiosk")
    importer = builders.actor_for(builders.make_staff(practice, "clinician"))
    imported = gpconnect_import.import_bundle(importer, practice, patient.id, fhir_bundles.bundle(patient))
    return {
        "event_id": imported.event_id,
        "patient_id": patient.id,
        "clinician_id": clinician.id,
        "slot_id": slot.id,
        "appointment_id": appointment.id,
        "account_id": account.id,
        "account": account,
        "link_id": link.id,
        "medicine_id": medicine.id,
        "request_id": request.id,
        "item_id": RequestItem.get(RequestItem.request == request.id).id,
        "letter_id": letter.id,
        "attachment_id": attachment.id,
        "entry_id": entry.id,
        "kiosk_id": kiosk.id,
        "staff_id": builders.make_staff(practice, "reception").id,
    }


class Visitor:
    """A client signed in as `role`, with a CSRF token from a page, signed in again whenever a request ended it."""

    HOME = {"anonymous": "/staff/sign-in", "kiosk": "/kiosk/", "patient": "/home"}

    def __init__(self, client, practice, world, role):
        self.client, self.practice, self.world, self.role = client, practice, world, role
        self.home = self.HOME.get(role, "/staff/")
        self.staff = builders.make_staff(practice, role) if role in ("reception", "clinician", "manager") else None
        self.token = ""
        self.renew()

    def renew(self):
        client = self.client
        client._cookies.clear()
        if self.role == "kiosk":
            client.set_cookie(KIOSK_COOKIE, "fuzz-kiosk")
        elif self.role == "patient":
            builders.make_patient_session(client, self.world["account"])
        elif self.staff is not None:
            builders.make_staff_session(client, self.staff)
        page = client.get(self.home)
        assert page.status_code == 200, (self.role, page.status_code)
        self.token = csrf_token(page.get_data(as_text=True))


@pytest.fixture
def world(app, practice, monkeypatch):
    use_cheap_argon2(monkeypatch)
    return build_world(practice)


def post_rules(app):
    return [r for r in app.url_map.iter_rules() if "POST" in r.methods]


def roles_allowed(view) -> list[str]:
    """The roles that get past a view's access rule: the fuzz is for what they can send."""
    rule = view.access_rule
    if rule == "public":
        return ["anonymous"]
    if rule == "kiosk":
        return ["kiosk"]
    if rule.startswith("patient:"):
        return ["patient"]
    wanted = rule.removeprefix("staff:").split(",")
    return ["reception", "clinician", "manager"] if wanted == ["any"] else wanted


def ends_session(rule, response) -> bool:
    location = response.headers.get("Location", "")
    return rule.endpoint.endswith(("sign_out", "sign_in", "register")) or "sign-in" in location or "/kiosk/" in location


@pytest.mark.parametrize("role", ROLES)
def test_no_post_gives_a_5xx_or_writes_when_refused(app, client, practice, world, role):
    visitor = Visitor(client, practice, world, role)
    names = form_field_names()
    rules = [r for r in post_rules(app) if role in roles_allowed(app.view_functions[r.endpoint])]
    assert rules

    for rule in rules:
        fuzz_post(client, visitor, world, names, rule)


def fuzz_post(client, visitor, world, names, rule):
    @settings(FUZZ, max_examples=EXAMPLES_PER_RULE)
    @given(data=st.data())
    def one_request(data):
        url = data.draw(url_for_rule(rule, world))
        body, content_type, headers = data.draw(bodies(names, visitor.token, world))
        before, ok_before = counts(), audit_ok_rows()
        response = client.post(url, data=body, content_type=content_type, headers=headers)
        assert response.status_code < 500, (url, content_type, body)
        if is_refusal(response):
            assert (counts(), audit_ok_rows()) == (before, ok_before), (url, response.status_code, body)
        if ends_session(rule, response):
            visitor.renew()

    one_request()


GET_PARAMS = [
    "day",
    "week",
    "start",
    "page",
    "q",
    "clinician",
    "kind",
    "next",
    "medicine",
    "note",
    "auto",
    "signed_out",
]


@pytest.mark.parametrize("role", ["manager", "patient"])
def test_no_get_gives_a_5xx(app, client, practice, world, role):
    visitor = Visitor(client, practice, world, role)
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "assets.serve":
            fuzz_get(client, visitor, world, rule)


def fuzz_get(client, visitor, world, rule):
    junk = st.one_of(text, st.sampled_from(HUGE_NUMBERS + BAD_DATES + [f"{local_today():%Y-%m-%d}"]))

    @settings(FUZZ, max_examples=GET_EXAMPLES_PER_RULE)
    @given(data=st.data())
    def one_request(data):
        url = data.draw(url_for_rule(rule, world))
        query = data.draw(st.lists(st.tuples(st.sampled_from(GET_PARAMS), junk), max_size=4))
        # NUL and other control characters in the address answer 400 before any view; the rest reach the views.
        response = client.get(url, query_string=query)
        assert response.status_code < 500, (url, query)
        if ends_session(rule, response):
            visitor.renew()

    one_request()
