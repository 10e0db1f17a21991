from wtforms import HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from kiosk.forms.base import KioskForm
from kiosk.forms.fields import ExplicitChoiceField, MaxLength, NumberField

# What a patient reads when a ticked medicine stopped being orderable while the page was open (ordered in another tab
# or by a proxy, a review date passed overnight) or the address was altered: not WTForms' "not a valid choice".
NOT_ORDERABLE = "One or more medicines cannot be ordered now. Check the list again."


class OrderForm(KioskForm):
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


class ConfirmOrderForm(KioskForm):
    medicine = SelectMultipleField(coerce=int, validate_choice=False)
    note = HiddenField(validators=[Length(max=500)])
    token = HiddenField(validators=[InputRequired(), MaxLength(64)])


# Reception says what happened with one of two buttons: a preselected answer would tell the patient something untrue.
FULFIL_CHOICES = {"ready": "Ready to collect", "sent": "Sent to the pharmacy"}
# Each requested item is decided by its own select, named for the item, whose first option is an empty "Choose".
ITEM_DECISIONS = {"approve": "Approve", "reject": "Reject"}


class MedicineForm(KioskForm):
    name = StringField("Medicine", validators=[InputRequired("Enter the medicine’s name"), Length(max=120)])
    strength = StringField("Strength", validators=[Optional(), Length(max=60)])
    dose = StringField("Dose instructions", validators=[InputRequired("Enter the dose instructions"), Length(max=200)])
    quantity = StringField("Quantity", validators=[InputRequired("Enter the quantity"), Length(max=60)])
    kind = ExplicitChoiceField(
        "Type", choices=[("repeat", "Repeat"), ("acute", "Acute (one-off)")], message="Choose repeat or acute"
    )
    interval_days = NumberField(
        "Days one issue lasts",
        [InputRequired("Enter how many days one issue lasts")],
        "Days must be a number",
        minimum=1,
        maximum=366,
        out_of_range="Days one issue lasts must be between 1 and 366",
        default=28,
    )
    issues_left = NumberField(
        "Issues left before a review",
        [InputRequired("Enter the issues left")],
        "Issues left must be a number",
        minimum=0,
        maximum=100,
        out_of_range="Issues left must be between 0 and 100",
        default=6,
    )
    review_on = StringField("Medication review due (DD/MM/YYYY, optional)", validators=[Optional(), MaxLength(20)])
    last_issued_on = StringField("Last issued (DD/MM/YYYY, optional)", validators=[Optional(), MaxLength(20)])


class StopMedicineForm(KioskForm):
    reason = StringField("Reason for stopping", validators=[InputRequired("Enter the reason"), Length(max=300)])
