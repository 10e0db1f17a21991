import string
from datetime import date

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import AnyOf, InputRequired, ValidationError

from kiosk.clock import local_today
from kiosk.forms.fields import NumberField
from kiosk.models import SEXES

LETTERS = list(string.ascii_uppercase)


class LetterForm(FlaskForm):
    # Submitted by one of 26 buttons named "letter".
    letter = StringField("First letter of your surname", validators=[AnyOf(LETTERS, "Choose a letter")])


class SexForm(FlaskForm):
    sex = StringField("Sex", validators=[AnyOf(list(SEXES), "Choose one")])


class DateOfBirthForm(FlaskForm):
    day = NumberField("Day", [InputRequired("Date of birth must include a day")], "Day must be a number")
    month = NumberField("Month", [InputRequired("Date of birth must include a month")], "Month must be a number")
    year = NumberField("Year", [InputRequired("Date of birth must include a year")], "Year must be a number")
    # True when the fault is the date as a whole (not real, or in the future): all three boxes are marked.
    whole_date_error = False

    def validate_year(self, field):
        if self.day.data is None or self.month.data is None or field.data is None:
            return
        if field.data < 1900:
            raise ValidationError("Year must be 4 numbers, like 1985")
        try:
            value = date(field.data, self.month.data, self.day.data)
        except ValueError:
            self.whole_date_error = True
            raise ValidationError("Date of birth must be a real date") from None
        if value > local_today():
            self.whole_date_error = True
            raise ValidationError("Date of birth must be in the past")
        self.value = value


class ChooseAppointmentForm(FlaskForm):
    appointment = RadioField(
        "Which appointment is yours?", coerce=int, validators=[InputRequired("Choose your appointment")]
    )
