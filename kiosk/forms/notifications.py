"""Contact details and the choice of texts and emails: the patient's own page and reception's."""

from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import Length, ValidationError

from kiosk.forms.base import KioskForm
from kiosk.models.people import email_is_valid
from kiosk.services.notifications import EMAIL_MESSAGE, MOBILE_MESSAGE, Choices, format_mobile, normalise_mobile


def _mobile_ok(form, field):
    if (field.data or "").strip() and normalise_mobile(field.data) is None:
        raise ValidationError(MOBILE_MESSAGE)


def _email_ok(form, field):
    if (field.data or "").strip() and not email_is_valid(field.data.strip()):
        raise ValidationError(EMAIL_MESSAGE)


class ChoicesForm(KioskForm):
    mobile = StringField("UK mobile number", validators=[Length(max=30, message=MOBILE_MESSAGE), _mobile_ok])
    email = StringField("Email address", validators=[Length(max=254, message=EMAIL_MESSAGE), _email_ok])
    sms_appointments = BooleanField("Appointments: booked, cancelled, and a reminder the day before")
    sms_prescriptions = BooleanField("Repeat prescriptions: decided, ready to collect, sent to the pharmacy")
    sms_letters = BooleanField("Something new to read: a letter or a test result")
    email_appointments = BooleanField("Appointments: booked, cancelled, and a reminder the day before")
    email_prescriptions = BooleanField("Repeat prescriptions: decided, ready to collect, sent to the pharmacy")
    email_letters = BooleanField("Something new to read: a letter or a test result")

    def fill(self, pref) -> None:
        self.mobile.data = format_mobile(pref.mobile or "")
        self.email.data = pref.email or ""
        for name in Choices.__dataclass_fields__:
            getattr(self, name).data = bool(getattr(pref, name))

    def choices(self) -> Choices:
        return Choices(**{name: bool(getattr(self, name).data) for name in Choices.__dataclass_fields__})


class OwnChoicesForm(ChoicesForm):
    password = PasswordField("Your current password", validators=[Length(max=1000)])


class DeskChoicesForm(ChoicesForm):
    consent = BooleanField("The patient agrees to get appointment text messages at this number")
