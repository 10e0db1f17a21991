import string

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import AnyOf, InputRequired, ValidationError

from kiosk.clock import local_today
from kiosk.forms.base import KioskForm
from kiosk.forms.fields import MaxLength, NumberField, three_box_date
from kiosk.models import SEXES

LETTERS = list(string.ascii_uppercase)
# The record's words for sex, as the kiosk asks for them (the models keep the English for staff pages).
SEX_LABELS = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other")}


def sex_labels() -> dict:
    return {value: SEX_LABELS.get(value, label) for value, label in SEXES.items()}


class SurnameInitialForm(KioskForm):
    # Submitted by one of 26 buttons named "letter".
    letter = StringField(
        _l("First letter of your surname"), validators=[MaxLength(1), AnyOf(LETTERS, _l("Choose a letter"))]
    )


class LargeTextForm(KioskForm):
    large = StringField("Larger text", validators=[MaxLength(3), AnyOf(["on", "off"], "Choose on or off")])
    next = HiddenField("Page", validators=[MaxLength(2000)])


class SexForm(KioskForm):
    sex = StringField(_l("Sex"), validators=[MaxLength(10), AnyOf(list(SEXES), _l("Choose one"))])


class DateOfBirthForm(KioskForm):
    day = NumberField(
        _l("Day"),
        [InputRequired(_l("Date of birth must include a day"))],
        _l("Day must be a number"),
        minimum=1,
        maximum=31,
        out_of_range=_l("Date of birth must be a real date"),
    )
    month = NumberField(
        _l("Month"),
        [InputRequired(_l("Date of birth must include a month"))],
        _l("Month must be a number"),
        minimum=1,
        maximum=12,
        out_of_range=_l("Date of birth must be a real date"),
    )
    year = NumberField(
        _l("Year"),
        [InputRequired(_l("Date of birth must include a year"))],
        _l("Year must be a number"),
        minimum=1900,
        maximum=9999,
        out_of_range=_l("Year must be 4 numbers, like 1985"),
    )
    # True when the fault is the date as a whole (not real, or in the future): all three boxes are marked.
    whole_date_error = False

    def validate_year(self, field):
        if self.day.data is None or self.month.data is None or field.data is None:
            return
        if field.data > local_today().year:
            self.whole_date_error = True
            raise ValidationError(_l("Date of birth must be in the past"))
        try:
            value = three_box_date(self.day.data, self.month.data, field.data)
        except ValueError:
            self.whole_date_error = True
            raise ValidationError(_l("Date of birth must be a real date")) from None
        if value > local_today():
            self.whole_date_error = True
            raise ValidationError(_l("Date of birth must be in the past"))
        self.value = value


class ChooseAppointmentForm(KioskForm):
    # Sent by the button the patient pressed; the choices are the appointments this check-in matched.
    appointment = SelectField(
        "Which appointment is yours?", coerce=int, validators=[InputRequired(_l("Choose your appointment"))]
    )
