from wtforms import StringField
from wtforms.validators import Optional, ValidationError

from kiosk.forms.appointments import DatePeriodChecks
from kiosk.forms.base import KioskForm
from kiosk.forms.fields import MaxLength

LONGEST_PERIOD_DAYS = 3660


class UptakePeriodForm(DatePeriodChecks, KioskForm):
    """The period for the uptake report's kiosk sign-up counts: sent with GET, so a period is a link."""

    class Meta:
        csrf = False

    date_from = StringField("From (DD/MM/YYYY)", validators=[Optional(), MaxLength(20)])
    date_to = StringField("To (DD/MM/YYYY)", validators=[Optional(), MaxLength(20)])

    def validate_date_to(self, field):
        super().validate_date_to(field)
        start = getattr(self.date_from, "value", None)
        if field.value and start and (field.value - start).days > LONGEST_PERIOD_DAYS:
            raise ValidationError("Choose a period of 10 years or less")
