import string

from wtforms import SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, ValidationError

from kiosk.clock import local_today
from kiosk.forms.base import KioskForm
from kiosk.forms.fields import MaxLength, NumberField, three_box_date
from kiosk.models import SEXES

LETTERS = list(string.ascii_uppercase)


class SurnameInitialForm(KioskForm):
    # Submitted by one of 26 buttons named "letter".
    letter = StringField("First letter of your surname", validators=[MaxLength(1), AnyOf(LETTERS, "Choose a letter")])


class SexForm(KioskForm):
    sex = StringField("Sex", validators=[MaxLength(10), AnyOf(list(SEXES), "Choose one")])


class DateOfBirthForm(KioskForm):
    day = NumberField(
        "Day",
        [InputRequired("Date of birth must include a day")],
        "Day must be a number",
        minimum=1,
        maximum=31,
        out_of_range="Date of birth must be a real date",
    )
    month = NumberField(
        "Month",
        [InputRequired("Date of birth must include a month")],
        "Month must be a number",
        minimum=1,
        maximum=12,
        out_of_range="Date of birth must be a real date",
    )
    year = NumberField(
        "Year",
        [InputRequired("Date of birth must include a year")],
        "Year must be a number",
        minimum=1900,
        maximum=9999,
        out_of_range="Year must be 4 numbers, like 1985",
    )
    # True when the fault is the date as a whole (not real, or in the future): all three boxes are marked.
    whole_date_error = False

    def validate_year(self, field):
        if self.day.data is None or self.month.data is None or field.data is None:
            return
        if field.data > local_today().year:
            self.whole_date_error = True
            raise ValidationError("Date of birth must be in the past")
        try:
            value = three_box_date(self.day.data, self.month.data, field.data)
        except ValueError:
            self.whole_date_error = True
            raise ValidationError("Date of birth must be a real date") from None
        if value > local_today():
            self.whole_date_error = True
            raise ValidationError("Date of birth must be in the past")
        self.value = value


class ChooseAppointmentForm(KioskForm):
    # Sent by the button the patient pressed; the choices are the appointments this check-in matched.
    appointment = SelectField(
        "Which appointment is yours?", coerce=int, validators=[InputRequired("Choose your appointment")]
    )
