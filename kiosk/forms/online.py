from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from kiosk.forms.base import KioskForm
from kiosk.forms.fields import DAY, ID, MONTH, YEAR, ExplicitChoiceField, MaxLength, MaxWords, NumberField
from kiosk.forms.kiosk import DateOfBirthForm
from kiosk.models import PROXY_BASES, RECORD_LEVELS, VERIFICATION_METHODS

# Each word is one more condition in the query: a few find anyone, and hundreds overflow the database's parser.
SEARCH_WORDS = 6


class PatientSearchForm(KioskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(
        "Name, date of birth or NHS number",
        validators=[
            Optional(),
            MaxLength(100, "Search for 100 characters or fewer"),
            MaxWords(SEARCH_WORDS, f"Search for {SEARCH_WORDS} words or fewer, for example a first and last name"),
        ],
    )
    page = NumberField("Page", [Optional()], "Page must be a number", minimum=1, maximum=100_000)


class IdentityForm(KioskForm):
    method = ExplicitChoiceField(
        "How did you verify their identity?",
        choices=list(VERIFICATION_METHODS.items()),
        message="Choose how you verified their identity",
    )
    evidence = TextAreaField(
        "Evidence",
        validators=[
            InputRequired("Say which documents you saw, who vouched, or which questions were asked"),
            Length(max=1000),
        ],
    )


class ServicesForm(KioskForm):
    appointments = BooleanField("Book and cancel appointments")
    prescriptions = BooleanField("Order repeat prescriptions")
    record_level = RadioField("Access to their GP record", choices=list(RECORD_LEVELS.items()), default="none")
    not_pressured = BooleanField("I have spoken with the patient alone and they are not being pressured into this")


class SuspendForm(KioskForm):
    reason = TextAreaField(
        "Reason (kept in the record, not shown to anyone else)",
        validators=[InputRequired("Enter the reason"), Length(max=1000)],
    )


class PersonForm(DateOfBirthForm):
    given_name = StringField("First name", validators=[InputRequired("Enter their first name"), Length(max=80)])
    family_name = StringField("Last name", validators=[InputRequired("Enter their last name"), Length(max=80)])
    method = IdentityForm.method
    evidence = IdentityForm.evidence


class ProxyForm(KioskForm):
    proxy_account_id = StringField(
        "The proxy’s Account ID", validators=[InputRequired("Enter the proxy’s Account ID"), MaxLength(40)]
    )
    basis = ExplicitChoiceField(
        "Basis for access", choices=list(PROXY_BASES.items()), message="Choose the basis for access"
    )
    competence_assessment = TextAreaField(
        "Competence assessment (children aged 11 to 15)", validators=[Length(max=2000)]
    )
    appointments = BooleanField("Book and cancel appointments")
    prescriptions = BooleanField("Order repeat prescriptions")
    record_level = RadioField("Access to the patient’s record", choices=list(RECORD_LEVELS.items()), default="none")
    end_day = NumberField("Day", [Optional()], "Day must be a number", **DAY)
    end_month = NumberField("Month", [Optional()], "Month must be a number", **MONTH)
    end_year = NumberField("Year", [Optional()], "Year must be a number", **YEAR)
    decision = ExplicitChoiceField(
        "Decision",
        choices=[("grant", "Grant proxy access"), ("refuse", "Refuse proxy access")],
        message="Choose whether to grant or refuse",
    )
    reason = TextAreaField(
        "Reason for the decision", validators=[InputRequired("Enter the reason for the decision"), Length(max=2000)]
    )


class EndProxyForm(KioskForm):
    reason = StringField("Reason", validators=[InputRequired("Enter the reason"), Length(max=500)])


class RegisterForm(DateOfBirthForm):
    account_id = StringField(
        _l("Account ID"), validators=[InputRequired(_l("Enter the Account ID from your letter")), MaxLength(40)]
    )
    linkage_key = StringField(
        _l("Linkage Key"), validators=[InputRequired(_l("Enter the Linkage Key from your letter")), MaxLength(40)]
    )


class ChoosePasswordForm(KioskForm):
    password = PasswordField(
        _l("Create a password"), validators=[InputRequired(_l("Create a password")), MaxLength(200)]
    )
    confirm = PasswordField(
        _l("Type your password again"), validators=[InputRequired(_l("Type your password again")), MaxLength(200)]
    )

    def validate_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError(_l("The passwords do not match"))


class PatientSignInForm(KioskForm):
    account_id = StringField(_l("Account ID"), validators=[InputRequired(_l("Enter your Account ID")), MaxLength(40)])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password")), MaxLength(200)])


class ActingForForm(KioskForm):
    patient = NumberField("Person", [InputRequired()], **ID)
