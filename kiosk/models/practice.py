import datetime

import peewee as pw

from kiosk.models.base import BaseModel, created_at_field


class Practice(BaseModel):
    name = pw.CharField(max_length=120)
    ods_code = pw.CharField(max_length=10, unique=True)
    phone = pw.CharField(max_length=30, default="")
    address = pw.CharField(max_length=200, default="")  # where appointments take place
    # Online booking: how far ahead patients may book, how many future bookings they may hold, and how late they
    # may cancel online (after that they phone, so the slot can still be offered to someone else).
    booking_horizon_days = pw.IntegerField(default=28)
    max_online_bookings = pw.IntegerField(default=2)
    cancel_cutoff_minutes = pw.IntegerField(default=120)
    # Kiosk check-in window around the appointment time (R9).
    check_in_early_minutes = pw.IntegerField(default=60)
    check_in_late_minutes = pw.IntegerField(default=10)
    kiosk_idle_seconds = pw.IntegerField(default=60)
    # Parental proxy access ends at 16 at the latest (R7); a practice may choose an earlier age, e.g. 11 or 13.
    parental_proxy_end_age = pw.IntegerField(default=16)
    # Repeat medicines may be ordered from this many days before they are due.
    order_days_before_due = pw.IntegerField(default=7)
    # Letters received before this date never show online (R5); the guidance gave 31 March 2017 at the latest.
    letters_from = pw.DateField(default=datetime.date(2017, 3, 31))
    # Failed sign-ins allowed from one address in a minute, when the email or Account ID typed belongs to this
    # practice (None: the installation's SOURCE_ATTEMPTS_PER_MINUTE). The surgery's PCs and kiosks share an address.
    source_attempts_per_minute = pw.IntegerField(null=True)
    # Sign-out after this long without a request (kiosk/sessions.py reads them per request). A shared kiosk gives
    # the next person a clean screen quickly; a phone allows time to read.
    staff_idle_minutes = pw.IntegerField(default=30)
    patient_idle_minutes = pw.IntegerField(default=10)
    patient_kiosk_idle_seconds = pw.IntegerField(default=120)
    # Day-before appointment reminders go from this hour (Europe/London), 8 to 20.
    reminder_hour = pw.IntegerField(default=18)
    is_demo = pw.BooleanField(default=False)
    created_at = created_at_field()
