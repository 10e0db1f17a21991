"""Reception's patient list: a patient's details, leaving or death, and a practice-list upload."""

from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, ValidationError

from kiosk.clock import local_today
from kiosk.forms.base import KioskForm
from kiosk.forms.fields import DAY, MONTH, YEAR, ExplicitChoiceField, MaxLength, NumberField, three_box_date
from kiosk.forms.kiosk import DateOfBirthForm
from kiosk.models import LEFT_REASONS, SEXES
from kiosk.models.people import (
    email_is_valid,
    mobile_is_valid,
    nhs_number_is_valid,
    normalise_nhs_number,
    postcode_is_valid,
)


class PatientForm(DateOfBirthForm):
    title = StringField("Title (optional)", validators=[MaxLength(20)])
    given_name = StringField("First name", validators=[InputRequired("Enter their first name"), MaxLength(80)])
    family_name = StringField("Last name", validators=[InputRequired("Enter their last name"), MaxLength(80)])
    # The sex on the medical record is what the kiosk matches on (R9): nobody's is assumed.
    sex = ExplicitChoiceField("Sex on their medical record", choices=list(SEXES.items()), message="Choose their sex")
    nhs_number = StringField(
        "NHS number", validators=[InputRequired("Enter their NHS number"), MaxLength(20, "Enter a 10 digit NHS number")]
    )
    address = TextAreaField("Address (optional)", validators=[MaxLength(300)])
    postcode = StringField("Postcode (optional)", validators=[MaxLength(10)])
    mobile = StringField("Mobile phone number (optional)", validators=[MaxLength(20)])
    email = StringField("Email address (optional)", validators=[MaxLength(254)])
    nominated_pharmacy = StringField("Nominated pharmacy (optional)", validators=[MaxLength(200)])

    def validate_nhs_number(self, field):
        digits = normalise_nhs_number(field.data or "")
        if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
            raise ValidationError("Enter a 10 digit NHS number")
        if not nhs_number_is_valid(digits):
            raise ValidationError("This is not a valid NHS number: check the digits")

    def validate_postcode(self, field):
        if field.data and field.data.strip() and not postcode_is_valid(field.data):
            raise ValidationError("Enter a real postcode, like LS1 4AP")

    def validate_mobile(self, field):
        if field.data and field.data.strip() and not mobile_is_valid(field.data):
            raise ValidationError("Enter a phone number with 10 or 11 digits, like 07700 900123")

    def validate_email(self, field):
        if field.data and field.data.strip() and not email_is_valid(field.data.strip()):
            raise ValidationError("Enter an email address like name@example.com")

    def fill_from(self, patient) -> None:
        """The form as the patient's record stands, for the edit page."""
        for name in ("title", "given_name", "family_name", "sex", "nhs_number", "address", "postcode", "mobile"):
            getattr(self, name).data = getattr(patient, name)
        self.email.data = patient.email
        self.nominated_pharmacy.data = patient.nominated_pharmacy
        born = patient.date_of_birth
        for box, value in ((self.day, born.day), (self.month, born.month), (self.year, born.year)):
            box.data, box.raw_data = value, [str(value)]


class LeaveForm(KioskForm):
    reason = ExplicitChoiceField(
        "What happened?", choices=list(LEFT_REASONS.items()), message="Choose whether they left or died"
    )
    day = NumberField("Day", [InputRequired("The date must include a day")], "Day must be a number", **DAY)
    month = NumberField("Month", [InputRequired("The date must include a month")], "Month must be a number", **MONTH)
    year = NumberField("Year", [InputRequired("The date must include a year")], "Year must be a number", **YEAR)
    value = None

    def validate_year(self, field):
        if self.day.data is None or self.month.data is None or field.data is None:
            return
        try:
            value = three_box_date(self.day.data, self.month.data, field.data)
        except ValueError:
            raise ValidationError("The date must be a real date") from None
        if value > local_today():
            raise ValidationError("The date must be today or in the past")
        self.value = value


class ImportForm(KioskForm):
    # The size is checked by the service, which says how big the file was; MAX_CONTENT_LENGTH bounds the request.
    file = FileField("CSV file of the practice list", validators=[FileRequired("Choose a CSV file to upload")])


class ImportCommitForm(KioskForm):
    # The digest of the file the preview showed: the commit writes that file, and only that file.
    digest = StringField("File digest", validators=[InputRequired(), MaxLength(64)])
