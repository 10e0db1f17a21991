from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from kiosk.forms.fields import NumberField

# What a patient reads when a ticked medicine stopped being orderable while the page was open (ordered in another tab
# or by a proxy, a review date passed overnight) or the address was altered: not WTForms' "not a valid choice".
NOT_ORDERABLE = "One or more medicines cannot be ordered now. Check the list again."


class OrderForm(FlaskForm):
    """The tick list. Sent with GET to the check page, which changes nothing."""

    class Meta:
        csrf = False

    medicine = SelectMultipleField(
        "Which medicines do you need?",
        coerce=int,
        validators=[InputRequired("Select the medicines you need")],
        invalid_value_message=NOT_ORDERABLE,
        invalid_choice_message=NOT_ORDERABLE,
    )
    note = TextAreaField("Anything the practice should know (optional)", validators=[Length(max=500)])


class ConfirmOrderForm(FlaskForm):
    medicine = SelectMultipleField(coerce=int, validate_choice=False)
    note = HiddenField(validators=[Length(max=500)])
    token = HiddenField(validators=[InputRequired()])


class FulfilForm(FlaskForm):
    how = RadioField(
        "What happened",
        choices=[("ready", "Ready to collect"), ("sent", "Sent to the pharmacy")],
        validators=[InputRequired("Choose ready to collect or sent")],
    )


class MedicineForm(FlaskForm):
    name = StringField("Medicine", validators=[InputRequired("Enter the medicine’s name"), Length(max=120)])
    strength = StringField("Strength", validators=[Optional(), Length(max=60)])
    dose = StringField("Dose instructions", validators=[InputRequired("Enter the dose instructions"), Length(max=200)])
    quantity = StringField("Quantity", validators=[InputRequired("Enter the quantity"), Length(max=60)])
    kind = RadioField(
        "Type",
        choices=[("repeat", "Repeat"), ("acute", "Acute (one-off)")],
        default="repeat",
        validators=[InputRequired("Choose repeat or acute")],
    )
    interval_days = NumberField(
        "Days one issue lasts",
        [InputRequired("Enter how many days one issue lasts")],
        "Days must be a number",
        default=28,
    )
    issues_left = NumberField(
        "Issues left before a review",
        [InputRequired("Enter the issues left")],
        "Issues left must be a number",
        default=6,
    )
    review_on = StringField("Medication review due (DD/MM/YYYY, optional)", validators=[Optional()])
    last_issued_on = StringField("Last issued (DD/MM/YYYY, optional)", validators=[Optional()])


class StopMedicineForm(FlaskForm):
    reason = StringField("Reason for stopping", validators=[InputRequired("Enter the reason"), Length(max=300)])
