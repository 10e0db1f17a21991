from datetime import date, datetime, time

from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from kiosk.forms.base import KioskForm
from kiosk.forms.fields import ID, ExplicitChoiceField, MaxLength, NumberField, parse_date_text
from kiosk.models import SLOT_KINDS

SLOT_LENGTHS = [(5, "5 minutes"), (10, "10 minutes"), (15, "15 minutes"), (20, "20 minutes"), (30, "30 minutes")]


def parse_day(text: str | None) -> date | None:
    """What a date box sends (2026-12-01), or what a person types without one (1/12/2026); None outside the years
    fields.YEAR_MIN..YEAR_MAX, where a day before or after would overflow."""
    return parse_date_text(text, ("%Y-%m-%d", "%d/%m/%Y", "%d %m %Y"))


def parse_time(text: str | None) -> time | None:
    text = (text or "").strip().replace(".", ":")
    for pattern in ("%H:%M", "%H%M"):
        try:
            return datetime.strptime(text, pattern).time()
        except ValueError:
            continue
    return None


class FindSlotsForm(KioskForm):
    """The slot finder's filters: sent with GET, so the list is a plain link that works without JavaScript."""

    class Meta:
        csrf = False

    kind = RadioField("Type of appointment", choices=list(SLOT_KINDS.items()), default="gp", validators=[Optional()])
    clinician = SelectField("Who with", coerce=str, validators=[Optional()])
    start = HiddenField(validators=[MaxLength(20)])


class TokenForm(KioskForm):
    """Book or cancel: nothing to fill in, and a token that makes a resent form harmless."""

    token = HiddenField(validators=[InputRequired(), MaxLength(64)])


class StaffBookForm(TokenForm):
    patient = NumberField("Patient", [InputRequired()], **ID)


class StaffCancelForm(TokenForm):
    reason = TextAreaField(
        "Reason for cancelling", validators=[InputRequired("Enter the reason for cancelling"), Length(max=500)]
    )


class SessionForm(KioskForm):
    clinician = ExplicitChoiceField("Clinician", coerce=int, message="Choose the clinician")
    day = StringField("Date", validators=[InputRequired("Enter the date of the session"), MaxLength(20)])
    start = StringField("Start time", validators=[InputRequired("Enter the start time"), MaxLength(10)])
    end = StringField("End time", validators=[InputRequired("Enter the end time"), MaxLength(10)])
    length = SelectField(
        "Length of each slot",
        coerce=int,
        choices=SLOT_LENGTHS,
        default=10,
        validators=[InputRequired("Choose the length of each slot")],
    )
    kind = ExplicitChoiceField(
        "Type of appointment", choices=list(SLOT_KINDS.items()), message="Choose the type of appointment"
    )
    released_online = BooleanField("Patients can book these slots online")

    def validate_day(self, field):
        field.value = parse_day(field.data)
        if field.value is None:
            raise ValidationError("Enter a real date, like 1/12/2026")

    def validate_start(self, field):
        field.value = parse_time(field.data)
        if field.value is None:
            raise ValidationError("Enter the start time as hours and minutes, like 08:30")

    def validate_end(self, field):
        field.value = parse_time(field.data)
        if field.value is None:
            raise ValidationError("Enter the end time as hours and minutes, like 12:00")
        if getattr(self.start, "value", None) and field.value <= self.start.value:
            raise ValidationError("The end time must be after the start time")


class DatePeriodChecks:
    """The from/to date checks of a form with `date_from` and `date_to` text fields (the audit log, the uptake
    report). Each field gets `.value`, the date or None."""

    def validate_date_from(self, field):
        field.value = parse_day(field.data) if field.data else None
        if field.data and field.value is None:
            raise ValidationError("Enter the from date as a real date, like 1/12/2026")

    def validate_date_to(self, field):
        field.value = parse_day(field.data) if field.data else None
        if field.data and field.value is None:
            raise ValidationError("Enter the to date as a real date, like 31/12/2026")
        start = getattr(self.date_from, "value", None)
        if field.value and start and field.value < start:
            raise ValidationError("The to date must be the same as or after the from date")
