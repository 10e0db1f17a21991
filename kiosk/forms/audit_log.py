from wtforms import SelectField, StringField
from wtforms.validators import Optional, ValidationError

from kiosk.forms.appointments import parse_day
from kiosk.forms.base import KioskForm
from kiosk.forms.fields import ID, MaxLength, MaxWords, NumberField

PAGES = {"minimum": 1, "maximum": 10_000}


class AuditFilterForm(KioskForm):
    """The audit log's filters: sent with GET, so a filtered page is a link, and the CSV download takes the same."""

    class Meta:
        csrf = False

    patient_search = StringField(
        "Patient: NHS number, name or date of birth",
        validators=[
            Optional(),
            MaxLength(100, "Search for 100 characters or fewer"),
            MaxWords(6, "Search for 6 words or fewer"),
        ],
    )
    patient = NumberField("Patient", [Optional()], **ID)
    # Not checked against the choices here: the service looks the member of staff up in the practice (a foreign id
    # is 404, like any other), and an action no row has finds nothing.
    staff = SelectField("Member of staff", coerce=str, validators=[Optional(), MaxLength(20)], validate_choice=False)
    action = SelectField("Action", coerce=str, validators=[Optional(), MaxLength(60)], validate_choice=False)
    date_from = StringField("From (DD/MM/YYYY)", validators=[Optional(), MaxLength(20)])
    date_to = StringField("To (DD/MM/YYYY)", validators=[Optional(), MaxLength(20)])
    page = NumberField("Page", [Optional()], "Page must be a number", **PAGES)

    def offer(self, staff: list[tuple[int, str]], actions: list[str]) -> None:
        self.staff.choices = [("", "Anyone"), *((str(i), name) for i, name in staff)]
        self.action.choices = [("", "Any action"), *((a, a) for a in actions)]

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
