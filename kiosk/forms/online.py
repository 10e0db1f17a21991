from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from kiosk.forms.fields import NumberField
from kiosk.forms.kiosk import DateOfBirthForm
from kiosk.models import PROXY_BASES, RECORD_LEVELS, VERIFICATION_METHODS


class PatientSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField("Name, date of birth or NHS number", validators=[Optional(), Length(max=100)])


class IdentityForm(FlaskForm):
    method = RadioField(
        "How did you verify their identity?",
        choices=list(VERIFICATION_METHODS.items()),
        validators=[InputRequired("Choose how you verified their identity")],
    )
    evidence = TextAreaField(
        "Evidence",
        validators=[
            InputRequired("Say which documents you saw, who vouched, or which questions were asked"),
            Length(max=1000),
        ],
    )


class ServicesForm(FlaskForm):
    appointments = BooleanField("Book and cancel appointments")
    prescriptions = BooleanField("Order repeat prescriptions")
    record_level = RadioField("Access to their GP record", choices=list(RECORD_LEVELS.items()), default="none")
    not_pressured = BooleanField("I have spoken with the patient alone and they are not being pressured into this")


class SuspendForm(FlaskForm):
    reason = TextAreaField(
        "Reason (kept in the record, not shown to anyone else)",
        validators=[InputRequired("Enter the reason"), Length(max=1000)],
    )


class PersonForm(DateOfBirthForm):
    given_name = StringField("First name", validators=[InputRequired("Enter their first name"), Length(max=80)])
    family_name = StringField("Last name", validators=[InputRequired("Enter their last name"), Length(max=80)])
    method = IdentityForm.method
    evidence = IdentityForm.evidence


class ProxyForm(FlaskForm):
    proxy_account_id = StringField("The proxy’s Account ID", validators=[InputRequired("Enter the proxy’s Account ID")])
    basis = RadioField(
        "Basis for access", choices=list(PROXY_BASES.items()), validators=[InputRequired("Choose the basis for access")]
    )
    competence_assessment = TextAreaField(
        "Competence assessment (children aged 11 to 15)", validators=[Length(max=2000)]
    )
    appointments = BooleanField("Book and cancel appointments")
    prescriptions = BooleanField("Order repeat prescriptions")
    record_level = RadioField("Access to the patient’s record", choices=list(RECORD_LEVELS.items()), default="none")
    end_day = NumberField("Day", [Optional()], "Day must be a number")
    end_month = NumberField("Month", [Optional()], "Month must be a number")
    end_year = NumberField("Year", [Optional()], "Year must be a number")
    decision = RadioField(
        "Decision",
        choices=[("grant", "Grant proxy access"), ("refuse", "Refuse proxy access")],
        validators=[InputRequired("Choose whether to grant or refuse")],
    )
    reason = TextAreaField(
        "Reason for the decision", validators=[InputRequired("Enter the reason for the decision"), Length(max=2000)]
    )


class EndProxyForm(FlaskForm):
    reason = StringField("Reason", validators=[InputRequired("Enter the reason"), Length(max=500)])


class RegisterForm(DateOfBirthForm):
    account_id = StringField("Account ID", validators=[InputRequired("Enter the Account ID from your letter")])
    linkage_key = StringField("Linkage Key", validators=[InputRequired("Enter the Linkage Key from your letter")])


class ChoosePasswordForm(FlaskForm):
    password = PasswordField("Create a password", validators=[InputRequired("Create a password")])
    confirm = PasswordField("Type your password again", validators=[InputRequired("Type your password again")])

    def validate_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError("The passwords do not match")


class PatientSignInForm(FlaskForm):
    account_id = StringField("Account ID", validators=[InputRequired("Enter your Account ID")])
    password = PasswordField("Password", validators=[InputRequired("Enter your password")])


class ActingForForm(FlaskForm):
    patient = NumberField("Person", [InputRequired()])
