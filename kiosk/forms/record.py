from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from kiosk.forms.base import KioskForm
from kiosk.forms.fields import DAY, MONTH, YEAR, AttachmentContent, ExplicitChoiceField, MaxLength, NumberField
from kiosk.models import LETTER_KINDS, RECORD_KINDS, WITHHOLD_REASONS

CODE = Regexp(r"^\d{6,18}$", message="A SNOMED CT code is 6 to 18 digits")


class LetterForm(KioskForm):
    kind = ExplicitChoiceField(
        "Kind of letter", choices=list(LETTER_KINDS.items()), message="Choose the kind of letter"
    )
    day = NumberField("Day", [InputRequired("Date received must include a day")], "Day must be a number", **DAY)
    month = NumberField(
        "Month", [InputRequired("Date received must include a month")], "Month must be a number", **MONTH
    )
    year = NumberField("Year", [InputRequired("Date received must include a year")], "Year must be a number", **YEAR)
    author = StringField(
        "From (author and organisation)", validators=[InputRequired("Enter who the letter is from"), Length(max=200)]
    )
    body = TextAreaField(
        "Text of the letter", validators=[InputRequired("Enter the text of the letter"), Length(max=50000)]
    )
    codes = TextAreaField("Codes that came with the letter (optional)", validators=[Length(max=2000)])
    attachment = FileField(
        "Attachment (optional, PDF or image, up to 5 MB)",
        validators=[
            FileSize(5 * 1024 * 1024, message="The attachment must be 5 MB or smaller"),
            AttachmentContent("The attachment must be a PDF, PNG or JPEG file"),
        ],
    )


# A letter's review ends with one of two buttons, each in its own form, never a choice with one Save button: a
# browser can default a radio group or submit a form on Enter, but only a press of "Clear" sends decision=clear.
LETTER_DECISIONS = ("clear", "withhold")


class WithholdLetterForm(KioskForm):
    reason = ExplicitChoiceField(
        "Why withhold it?", choices=list(WITHHOLD_REASONS.items()), message="Choose why the letter is withheld"
    )
    note = TextAreaField("Note for the practice (not shown to the patient)", validators=[Length(max=2000)])
    look_day = NumberField("Day", [Optional()], "Day must be a number", **DAY)
    look_month = NumberField("Month", [Optional()], "Month must be a number", **MONTH)
    look_year = NumberField("Year", [Optional()], "Year must be a number", **YEAR)


class EntryForm(KioskForm):
    kind = ExplicitChoiceField(
        "Kind of entry", choices=[(k, v[0]) for k, v in RECORD_KINDS.items()], message="Choose the kind of entry"
    )
    snomed_code = StringField(
        "SNOMED CT code", validators=[InputRequired("Enter the SNOMED CT code"), MaxLength(20), CODE]
    )
    term = StringField("Term", validators=[InputRequired("Enter the term"), Length(max=255)])
    effective_on = StringField("Date (DD/MM/YYYY)", validators=[InputRequired("Enter the date"), MaxLength(20)])
    value = StringField("Result value", validators=[Optional(), Length(max=60)])
    units = StringField("Units", validators=[Optional(), Length(max=30)])
    reference_range = StringField("Reference range", validators=[Optional(), Length(max=60)])
    abnormal = BooleanField("Abnormal result (hidden from the patient until a clinician reviews it)")
    text = TextAreaField("Consultation note (full record only)", validators=[Length(max=10000)])
    recorded_at_place = StringField("Where it was recorded", validators=[Optional(), Length(max=120)])


class HideForm(KioskForm):
    reason = ExplicitChoiceField(
        "Hide because", choices=list(WITHHOLD_REASONS.items()), message="Choose why the entry is hidden"
    )


class BundleUploadForm(KioskForm):
    # The size is checked by the service (20 MB, said in its message); the route's request limit bounds the rest.
    bundle = FileField(
        "GP Connect record (FHIR STU3 JSON bundle)", validators=[FileRequired("Choose a file to import")]
    )
