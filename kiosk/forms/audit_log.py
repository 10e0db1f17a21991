from wtforms import SelectField, StringField
from wtforms.validators import Optional

from kiosk.forms.appointments import DatePeriodChecks
from kiosk.forms.base import KioskForm
from kiosk.forms.fields import ID, MaxLength, MaxWords, NumberField

PAGES = {"minimum": 1, "maximum": 10_000}


class AuditFilterForm(DatePeriodChecks, KioskForm):
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
