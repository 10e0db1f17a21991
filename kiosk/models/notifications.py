"""Notifications by text and email (GOV.UK Notify): who wants what, and the outbox the worker sends from."""

import peewee as pw

from kiosk.models.appointments import Appointment
from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.online import OnlineAccount
from kiosk.models.people import Patient
from kiosk.models.practice import Practice
from kiosk.models.staff import StaffUser

CHANNELS = {"sms": "Text message", "email": "Email"}
CATEGORIES = {
    "appointments": "Appointments: booked, cancelled, and a reminder the day before",
    "prescriptions": "Repeat prescriptions: decided, ready to collect, sent to the pharmacy",
    "letters": "A new letter or test result ready to read",
}
OUTBOX_STATUSES = {
    "queued": "Waiting to send",
    "sending": "Sending",
    "sent": "Sent",
    "failed_temporary": "Will try again",
    "failed_permanent": "Not delivered",
    "withdrawn": "No longer needed",  # a reminder whose appointment was cancelled before it went
}


class ContactPreference(PracticeScoped):
    """Where and what to tell one person. Either an online account's (the holder chooses, for themselves and for
    whoever they act for) or, for a patient with no account, what reception recorded at the desk with consent:
    appointment texts only. Every choice starts off: nothing is sent until someone chooses."""

    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    account = pw.ForeignKeyField(OnlineAccount, null=True, unique=True, on_delete="CASCADE")
    patient = pw.ForeignKeyField(Patient, null=True, unique=True, on_delete="CASCADE")
    mobile = pw.CharField(max_length=20, default="")  # normalised 07xxxxxxxxx
    email = pw.CharField(max_length=254, default="")
    sms_appointments = pw.BooleanField(default=False)
    sms_prescriptions = pw.BooleanField(default=False)
    sms_letters = pw.BooleanField(default=False)
    email_appointments = pw.BooleanField(default=False)
    email_prescriptions = pw.BooleanField(default=False)
    email_letters = pw.BooleanField(default=False)
    # Reception recorded the person's choice at the desk (consent, for a patient without an account).
    recorded_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")
    updated_at = created_at_field()

    def wants(self, channel: str, category: str) -> bool:
        return bool(getattr(self, f"{channel}_{category}"))


class Notification(PracticeScoped):
    """The transactional outbox: a row is written in the same transaction as the change it tells of, so a rolled
    back change sends nothing and a committed one is never lost. Its id is the reference Notify keeps, so a worker
    that crashed mid-send finds the message at Notify instead of sending it twice."""

    practice = pw.ForeignKeyField(Practice, on_delete="CASCADE")
    patient = pw.ForeignKeyField(Patient, on_delete="CASCADE")  # whom the message is about
    account = pw.ForeignKeyField(OnlineAccount, null=True, on_delete="SET NULL")  # who receives it, if an account
    recipient = pw.CharField(max_length=254)
    channel = pw.CharField(max_length=10)
    template_key = pw.CharField(max_length=40)
    personalisation = pw.TextField(default="{}")  # JSON; never clinical content
    status = pw.CharField(max_length=20, default="queued")
    attempts = pw.IntegerField(default=0)
    next_attempt_at = created_at_field()
    claimed_until = pw.DateTimeField(null=True)
    notify_id = pw.CharField(max_length=64, default="")
    notify_status = pw.CharField(max_length=40, default="")
    last_error = pw.CharField(max_length=500, default="")
    appointment = pw.ForeignKeyField(Appointment, null=True, on_delete="CASCADE")
    # Set for messages that must go at most once whatever runs twice (a day-before reminder).
    once_key = pw.CharField(max_length=120, null=True, unique=True)
    created_at = created_at_field()
    sent_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = (
            (("status", "next_attempt_at"), False),  # the worker's claim
            (("practice", "status", "created_at"), False),  # reception's "not delivered" list
            (("practice", "patient", "created_at"), False),
        )

    @property
    def status_label(self) -> str:
        return OUTBOX_STATUSES.get(self.status, self.status)
