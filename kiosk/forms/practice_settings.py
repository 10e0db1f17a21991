"""The practice settings forms, one per group, built from the settings' own bounds (kiosk/services/practice_settings.py)
so that a bound is written once and the page, the form and the service agree on it."""

from functools import cache

from wtforms import HiddenField, StringField
from wtforms.validators import InputRequired, Optional, ValidationError

from kiosk.forms.base import KioskForm
from kiosk.forms.fields import DAY, MONTH, YEAR, MaxLength, NumberField, three_box_date
from kiosk.services import practice_settings
from kiosk.services.practice_settings import LETTERS_FROM, Group, Setting


def _field(setting: Setting):
    if setting.max_length is not None:
        required = InputRequired("Enter the practice name") if setting.name == "name" else Optional()
        return StringField(setting.label, validators=[required, MaxLength(setting.max_length)])
    return NumberField(
        setting.label,
        [InputRequired(f"Enter {setting.label.lower()}")],
        f"{setting.label} must be a whole number",
        minimum=setting.minimum,
        maximum=setting.maximum,
        out_of_range=setting.bounds_message,
    )


class LettersFromForm(KioskForm):
    """The letters-from date. `confirmed` is set by the check page's Save button: the date is saved only after the
    manager has seen how many letters it shows or hides."""

    letters_from_day = NumberField("Day", [InputRequired("The date must include a day")], "Day must be a number", **DAY)
    letters_from_month = NumberField(
        "Month", [InputRequired("The date must include a month")], "Month must be a number", **MONTH
    )
    letters_from_year = NumberField(
        "Year", [InputRequired("The date must include a year")], "Year must be a number", **YEAR
    )
    confirmed = HiddenField(validators=[Optional(), MaxLength(1)])
    whole_date_error = False

    def validate_letters_from_year(self, field):
        if self.letters_from_day.data is None or self.letters_from_month.data is None or field.data is None:
            return
        try:
            value = three_box_date(self.letters_from_day.data, self.letters_from_month.data, field.data)
        except ValueError:
            self.whole_date_error = True
            raise ValidationError("Enter a real date") from None
        if problem := practice_settings.problem(LETTERS_FROM, value):
            self.whole_date_error = True
            raise ValidationError(problem)
        self.value = value

    def fill(self, practice) -> None:
        # The date component shows what was typed (raw_data): start it on the current date.
        day = practice.letters_from
        for field, value in ((self.letters_from_day, day.day), (self.letters_from_month, day.month)):
            field.data, field.raw_data = value, [str(value)]
        self.letters_from_year.data, self.letters_from_year.raw_data = day.year, [str(day.year)]

    def values(self) -> dict:
        return {"letters_from": self.value}


@cache
def _form_class(slug: str) -> type[KioskForm]:
    group = practice_settings.group(slug)
    fields = {s.name: _field(s) for s in group.settings}

    def fill(self, practice) -> None:
        for s in group.settings:
            getattr(self, s.name).data = getattr(practice, s.name)

    def values(self) -> dict:
        return {s.name: getattr(self, s.name).data for s in group.settings}

    return type(
        f"{slug.title().replace('-', '')}SettingsForm", (KioskForm,), {**fields, "fill": fill, "values": values}
    )


def form_for(group: Group) -> KioskForm:
    """The form of one group, bound to the request (empty on GET)."""
    if group.settings == (LETTERS_FROM,):
        return LettersFromForm()
    return _form_class(group.slug)()
