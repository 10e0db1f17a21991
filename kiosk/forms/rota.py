"""Clinicians, rota templates and their sessions, generating the diary, closures."""

from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from kiosk.forms.appointments import SLOT_LENGTHS, parse_day, parse_time
from kiosk.forms.base import KioskForm
from kiosk.forms.fields import ExplicitChoiceField, MaxLength, NumberField
from kiosk.models import PROFESSIONS, SLOT_KINDS, WEEKDAYS


def _choice_id(value):
    """A chosen id, or None for the empty "Choose" (plain int would put its own message before ours)."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() and len(text) < 19 else None


RELEASE_CHOICES = [("online", "Released for online booking"), ("reception", "Kept for reception to book")]


class ClinicianForm(KioskForm):
    display_name = StringField(
        "Name patients see",
        validators=[InputRequired("Enter the name patients see"), MaxLength(80)],
    )
    staff_name = StringField("Name staff see", validators=[InputRequired("Enter the name staff see"), MaxLength(160)])
    profession = ExplicitChoiceField("Role", choices=list(PROFESSIONS.items()), message="Choose the role")
    room = StringField("Room", validators=[Optional(), MaxLength(80)])


def _date(field, message: str):
    field.value = parse_day(field.data)
    if field.value is None:
        raise ValidationError(message)


def _time(field, message: str):
    field.value = parse_time(field.data)
    if field.value is None:
        raise ValidationError(message)


class TemplateForm(KioskForm):
    clinician = ExplicitChoiceField("Clinician", coerce=_choice_id, message="Choose the clinician")
    room = StringField("Room", validators=[Optional(), MaxLength(80)])
    starts_on = StringField("First date", validators=[InputRequired("Enter the first date"), MaxLength(20)])
    ends_on = StringField("Last date (optional)", validators=[MaxLength(20)])

    def validate_starts_on(self, field):
        _date(field, "Enter a real first date, like 1/12/2026")

    def validate_ends_on(self, field):
        field.value = None
        if field.data and field.data.strip():
            _date(field, "Enter a real last date, like 31/3/2027")
            starts = getattr(self.starts_on, "value", None)
            if starts and field.value < starts:
                raise ValidationError("The last date must be the same as or after the first date")


class TemplateEditForm(TemplateForm):
    """The clinician of a template does not change: a new clinician is a new template."""

    clinician = None


class RotaSessionForm(KioskForm):
    weekday = ExplicitChoiceField(
        "Day of the week", coerce=_choice_id, choices=list(WEEKDAYS.items()), message="Choose the day of the week"
    )
    starts = StringField("Start time", validators=[InputRequired("Enter the start time"), MaxLength(10)])
    ends = StringField("End time", validators=[InputRequired("Enter the end time"), MaxLength(10)])
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
    release = ExplicitChoiceField(
        "Who can book these slots", choices=RELEASE_CHOICES, message="Choose who can book these slots"
    )

    def validate_starts(self, field):
        _time(field, "Enter the start time as hours and minutes, like 08:30")

    def validate_ends(self, field):
        _time(field, "Enter the end time as hours and minutes, like 12:00")
        starts = getattr(self.starts, "value", None)
        if starts and field.value <= starts:
            raise ValidationError("The end time must be after the start time")


class GenerateForm(KioskForm):
    weeks = NumberField(
        "Weeks ahead",
        [InputRequired("Enter how many weeks ahead to generate")],
        message="Enter the number of weeks as a number, like 4",
        minimum=1,
        maximum=12,
        out_of_range="Weeks ahead must be between 1 and 12",
    )


class ClosureForm(KioskForm):
    who = ExplicitChoiceField("Who is away", message="Choose the whole practice or a clinician")
    day = StringField("Date", validators=[InputRequired("Enter the date"), MaxLength(20)])
    starts = StringField("From (optional)", validators=[MaxLength(10)])
    ends = StringField("Until (optional)", validators=[MaxLength(10)])
    reason = StringField("Reason", validators=[InputRequired("Enter the reason, like Bank holiday"), MaxLength(120)])

    def validate_day(self, field):
        _date(field, "Enter a real date, like 25/12/2026")

    def validate_starts(self, field):
        field.value = None
        if field.data and field.data.strip():
            _time(field, "Enter the start time as hours and minutes, like 13:00")

    def validate_ends(self, field):
        field.value = None
        if field.data and field.data.strip():
            _time(field, "Enter the end time as hours and minutes, like 17:00")
        starts = getattr(self.starts, "value", None)
        if (starts is None) != (field.value is None) and not self.starts.errors:
            raise ValidationError("Give both a start and an end time, or neither for the whole day")
        if starts and field.value and field.value <= starts:
            raise ValidationError("The end time must be after the start time")
