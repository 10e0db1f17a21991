from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileSize
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from kiosk.forms.fields import NumberField
from kiosk.models import LETTER_KINDS, RECORD_KINDS, WITHHOLD_REASONS

CODE = Regexp(r"^\d{6,18}$", message="A SNOMED CT code is 6 to 18 digits")


class LetterForm(FlaskForm):
    kind = RadioField(
        "Kind of letter", choices=list(LETTER_KINDS.items()), validators=[InputRequired("Choose the kind of letter")]
    )
    day = NumberField("Day", [InputRequired("Date received must include a day")], "Day must be a number")
    month = NumberField("Month", [InputRequired("Date received must include a month")], "Month must be a number")
    year = NumberField("Year", [InputRequired("Date received must include a year")], "Year must be a number")
    author = StringField(
        "From (author and organisation)", validators=[InputRequired("Enter who the letter is from"), Length(max=200)]
    )
    body = TextAreaField(
        "Text of the letter", validators=[InputRequired("Enter the text of the letter"), Length(max=50000)]
    )
    codes = TextAreaField("Codes that came with the letter (optional)", validators=[Length(max=2000)])
    attachment = FileField(
        "Attachment (optional, PDF or image, up to 5 MB)",
        validators=[FileSize(5 * 1024 * 1024, message="The attachment must be 5 MB or smaller")],
    )


class LetterDecisionForm(FlaskForm):
    decision = RadioField(
        "Decision",
        choices=[
            ("clear", "Clear for online: the patient can read it"),
            ("withhold", "Withhold: keep it hidden from the patient"),
        ],
        validators=[InputRequired("Choose clear or withhold")],
    )
    reason = RadioField("If withheld, why?", choices=list(WITHHOLD_REASONS.items()), validators=[Optional()])
    note = TextAreaField("Note for the practice (not shown to the patient)", validators=[Length(max=2000)])
    look_day = NumberField("Day", [Optional()], "Day must be a number")
    look_month = NumberField("Month", [Optional()], "Month must be a number")
    look_year = NumberField("Year", [Optional()], "Year must be a number")


class EntryForm(FlaskForm):
    kind = RadioField(
        "Kind of entry",
        choices=[(k, v[0]) for k, v in RECORD_KINDS.items()],
        validators=[InputRequired("Choose the kind of entry")],
    )
    snomed_code = StringField("SNOMED CT code", validators=[InputRequired("Enter the SNOMED CT code"), CODE])
    term = StringField("Term", validators=[InputRequired("Enter the term"), Length(max=255)])
    effective_on = StringField("Date (DD/MM/YYYY)", validators=[InputRequired("Enter the date")])
    value = StringField("Result value", validators=[Optional(), Length(max=60)])
    units = StringField("Units", validators=[Optional(), Length(max=30)])
    reference_range = StringField("Reference range", validators=[Optional(), Length(max=60)])
    abnormal = BooleanField("Abnormal result (hidden from the patient until a clinician reviews it)")
    text = TextAreaField("Consultation note (full record only)", validators=[Length(max=10000)])
    recorded_at_place = StringField("Where it was recorded", validators=[Optional(), Length(max=120)])


class HideForm(FlaskForm):
    reason = RadioField(
        "Why hide it from online view?",
        choices=list(WITHHOLD_REASONS.items()),
        validators=[InputRequired("Choose why")],
    )
