from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Regexp, ValidationError

from kiosk.forms.base import KioskForm
from kiosk.forms.fields import ExplicitChoiceField, MaxLength
from kiosk.models import ROLES


class SignInForm(KioskForm):
    email = StringField("Email address", validators=[InputRequired("Enter your email address"), MaxLength(254)])
    password = PasswordField("Password", validators=[InputRequired("Enter your password"), MaxLength(200)])


class StaffAccountForm(KioskForm):
    name = StringField("Full name", validators=[InputRequired("Enter their full name"), Length(max=120)])
    email = StringField(
        "Email address",
        validators=[
            InputRequired("Enter their email address"),
            MaxLength(254),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="Enter an email address like name@example.nhs.uk"),
        ],
    )
    role = ExplicitChoiceField("Role", choices=list(ROLES.items()), message="Choose a role")
    password = PasswordField(
        "Temporary password", validators=[InputRequired("Enter a password of 12 characters or more"), MaxLength(200)]
    )


class ChangePasswordForm(KioskForm):
    current_password = PasswordField(
        "Current password", validators=[InputRequired("Enter your current password"), MaxLength(200)]
    )
    password = PasswordField("New password", validators=[InputRequired("Enter a new password"), MaxLength(200)])
    confirm = PasswordField(
        "Type the new password again", validators=[InputRequired("Type the new password again"), MaxLength(200)]
    )

    def validate_confirm(self, field):
        if self.password.data and field.data != self.password.data:
            raise ValidationError("The new passwords do not match")


class ResetPasswordForm(KioskForm):
    password = PasswordField(
        "Temporary password", validators=[InputRequired("Enter a password of 12 characters or more"), MaxLength(200)]
    )


class RoleForm(KioskForm):
    role = ExplicitChoiceField("Role", choices=list(ROLES.items()), message="Choose a role")


class KioskEnrolForm(KioskForm):
    name = StringField(
        "Name for this kiosk",
        validators=[InputRequired("Enter a name for this kiosk, for example Waiting room 1"), Length(max=80)],
    )


class DisplayEnrolForm(KioskForm):
    """Enrolling a calling display: its field has its own name, so the two forms share a page without clashing."""

    display_name = StringField(
        "Name for this display",
        validators=[DataRequired("Enter a name for this display, for example Waiting room TV"), Length(max=80)],
    )


RUNNING_LATE_CHOICES = [
    (0, "On time"),
    (10, "10 minutes"),
    (20, "20 minutes"),
    (30, "30 minutes"),
    (45, "45 minutes"),
    (60, "1 hour or more"),
]


class RunningLateForm(KioskForm):
    minutes = SelectField("Running late", choices=RUNNING_LATE_CHOICES, coerce=int)


class CallForm(KioskForm):
    room = StringField("Room", validators=[MaxLength(80)])
