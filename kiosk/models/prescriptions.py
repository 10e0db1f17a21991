"""Repeat prescriptions: the patient's repeat list, their requests, and a clinician's decision on each item."""

from datetime import timedelta

import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.online import OnlineAccount
from kiosk.models.people import Patient
from kiosk.models.practice import Practice
from kiosk.models.staff import StaffUser

REQUEST_STATUSES = {
    "requested": "Requested",
    "approved": "Approved",
    "rejected": "Rejected",
    "partly_approved": "Partly approved",
    "ready": "Ready to collect",
    "sent": "Sent to the pharmacy",
}
ITEM_STATUSES = {"requested": "Waiting for a clinician", "approved": "Approved", "rejected": "Rejected"}


class Medicine(PracticeScoped):
    """A medicine on a patient's list. Only repeats can be ordered online; acute (one-off) ones are shown only."""

    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    patient = pw.ForeignKeyField(Patient, backref="medicines", on_delete="CASCADE")
    name = pw.CharField(max_length=120)
    strength = pw.CharField(max_length=60, default="")
    dose = pw.CharField(max_length=200)
    quantity = pw.CharField(max_length=60)
    kind = pw.CharField(max_length=10, default="repeat")  # repeat, acute
    interval_days = pw.IntegerField(default=28)  # how long one issue lasts
    last_issued_on = pw.DateField(null=True)
    issues_left = pw.IntegerField(default=6)
    review_on = pw.DateField(null=True)
    stopped_at = pw.DateTimeField(null=True)
    stopped_reason = pw.TextField(default="")
    created_at = created_at_field()
    source_id = pw.CharField(max_length=120, default="")  # GP Connect resource id (012)
    source_digest = pw.CharField(max_length=64, default="")
    recorded_by = pw.CharField(max_length=200, default="")  # imported (017)
    recorded_at_place = pw.CharField(max_length=120, default="")
    hidden_at = pw.DateTimeField(null=True)  # the source marked it not for the patient (017)
    hidden_reason = pw.CharField(max_length=20, default="")

    class Meta:
        indexes = (
            (("practice", "patient"), False),  # a patient's medicines, within the practice (011)
            (("practice", "patient", "source_id"), False),  # re-import finds what it brought before (012)
        )

    @property
    def next_due(self):
        """None when never issued, or when the interval runs past the calendar: a row saved before the form
        bounded it (10,000,000 days) must not stop the patient's page from showing."""
        if not self.last_issued_on:
            return None
        try:
            return self.last_issued_on + timedelta(days=self.interval_days)
        except OverflowError:
            return None


class PrescriptionRequest(PracticeScoped):
    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    patient = pw.ForeignKeyField(Patient, backref="prescription_requests", on_delete="CASCADE")
    requested_by = pw.ForeignKeyField(OnlineAccount, null=True, on_delete="SET NULL")
    note = pw.CharField(max_length=500, default="")
    pharmacy = pw.CharField(max_length=200, default="")  # empty: collect from the practice
    # The form's one-time token: a double-tapped or re-sent order finds its first request instead of making another.
    token = pw.CharField(max_length=64, unique=True)
    status = pw.CharField(max_length=20, default="requested")
    created_at = created_at_field()
    decided_at = pw.DateTimeField(null=True)
    fulfilled_at = pw.DateTimeField(null=True)

    @property
    def status_label(self) -> str:
        return REQUEST_STATUSES[self.status]


class RequestItem(PracticeScoped):
    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    request = pw.ForeignKeyField(PrescriptionRequest, backref="items", on_delete="CASCADE")
    medicine = pw.ForeignKeyField(Medicine, on_delete="CASCADE")
    status = pw.CharField(max_length=20, default="requested")
    reason = pw.TextField(default="")  # the clinician's words, which the patient reads
    decided_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")
    decided_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = ((("request", "medicine"), True),)

    @property
    def status_label(self) -> str:
        return ITEM_STATUSES[self.status]
