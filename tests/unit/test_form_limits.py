"""Every text field of every form has a length limit, and a field whose value is stored fits its column."""

import peewee as pw
import pytest
from wtforms import StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

import kiosk.forms
import kiosk.forms.appointments
import kiosk.forms.kiosk
import kiosk.forms.online
import kiosk.forms.prescriptions
import kiosk.forms.record
import kiosk.forms.staff
from kiosk.forms.base import KioskForm
from kiosk.models import (
    Appointment,
    CodedEntry,
    IdentityCheck,
    Kiosk,
    Letter,
    Medicine,
    OnlineAccount,
    PrescriptionRequest,
    ProxyLink,
    StaffUser,
)

MODULES = (
    kiosk.forms,
    kiosk.forms.appointments,
    kiosk.forms.kiosk,
    kiosk.forms.online,
    kiosk.forms.prescriptions,
    kiosk.forms.record,
    kiosk.forms.staff,
)
# Where each stored text field goes. A field not listed is looked up, parsed, or kept in a TextField.
STORED = {
    ("TokenForm", "token"): Appointment.booking_token,
    ("StaffBookForm", "token"): Appointment.booking_token,
    ("StaffCancelForm", "token"): Appointment.cancel_token,
    ("ConfirmOrderForm", "token"): PrescriptionRequest.token,
    ("ConfirmOrderForm", "note"): PrescriptionRequest.note,
    ("OrderForm", "note"): PrescriptionRequest.note,
    ("PersonForm", "given_name"): OnlineAccount.given_name,
    ("PersonForm", "family_name"): OnlineAccount.family_name,
    ("MedicineForm", "name"): Medicine.name,
    ("MedicineForm", "strength"): Medicine.strength,
    ("MedicineForm", "dose"): Medicine.dose,
    ("MedicineForm", "quantity"): Medicine.quantity,
    ("EntryForm", "snomed_code"): CodedEntry.snomed_code,
    ("EntryForm", "term"): CodedEntry.term,
    ("EntryForm", "value"): CodedEntry.value,
    ("EntryForm", "units"): CodedEntry.units,
    ("EntryForm", "reference_range"): CodedEntry.reference_range,
    ("EntryForm", "recorded_at_place"): CodedEntry.recorded_at_place,
    ("LetterForm", "author"): Letter.author,
    ("StaffAccountForm", "name"): StaffUser.name,
    ("StaffAccountForm", "email"): StaffUser.email,
    ("KioskEnrolForm", "name"): Kiosk.name,
    ("IdentityForm", "evidence"): IdentityCheck.evidence,
    ("ProxyForm", "reason"): ProxyLink.reason,
}


def forms() -> dict[str, type]:
    found = {}
    for module in MODULES:
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, KioskForm) and value is not KioskForm:
                found[name] = value
    return found


def text_fields(form: type) -> dict[str, UnboundField]:
    fields = {}
    for name in dir(form):
        value = getattr(form, name)
        if isinstance(value, UnboundField) and issubclass(value.field_class, StringField) and name != "csrf_token":
            fields[name] = value
    return fields


def max_length(field: UnboundField) -> int | None:
    validators = field.kwargs.get("validators") or (field.args[1] if len(field.args) > 1 else [])
    limits = [v.max for v in validators if isinstance(v, Length) and v.max >= 0]
    return min(limits) if limits else None


def all_text_fields():
    return [(form, name, field) for form, cls in forms().items() for name, field in text_fields(cls).items()]


def test_every_form_is_a_kiosk_form():
    # KioskForm refuses NUL and garbled text with a field error: a form that skips it gives PostgreSQL's 500.
    assert len(forms()) >= 25


@pytest.mark.parametrize(("form", "name", "field"), all_text_fields(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_text_field_has_a_length_limit(form, name, field):
    assert max_length(field) is not None, f"{form}.{name} has no Length(max=...)"


@pytest.mark.parametrize(("key", "column"), STORED.items(), ids=lambda x: ".".join(x) if isinstance(x, tuple) else "")
def test_a_stored_field_fits_its_column(key, column):
    form_name, name = key
    limit = max_length(text_fields(forms()[form_name])[name])
    if isinstance(column, pw.CharField):
        assert limit <= column.max_length, f"{form_name}.{name} allows {limit}, {column} holds {column.max_length}"
    else:
        assert isinstance(column, pw.TextField)


def test_the_stored_list_names_real_fields():
    for form_name, name in STORED:
        assert name in text_fields(forms()[form_name]), (form_name, name)
