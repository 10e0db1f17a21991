from wtforms import StringField
from wtforms.validators import Optional, ValidationError

from kiosk.forms.appointments import parse_day
from kiosk.forms.base import KioskForm
from kiosk.forms.fields import MaxLength

LONGEST_PERIOD_DAYS = 3660


class UptakePeriodForm(KioskForm):
    """The period for the uptake report's kiosk sign-up counts: sent with GET, so a period is a link."""

    class Meta:
        csrf = False

    date_from = StringField("From (DD/MM/YYYY)", validators=[Optional(), MaxLength(20)])
    date_to = StringField("To (DD/MM/YYYY)", validators=[Optional(), MaxLength(20)])

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
        if field.value and start and (field.value - start).days > LONGEST_PERIOD_DAYS:
            raise ValidationError("Choose a period of 10 years or less")
