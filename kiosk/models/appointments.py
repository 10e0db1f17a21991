import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.people import Clinician, Patient
from kiosk.models.practice import Practice

SLOT_KINDS = {"gp": "GP appointment", "nurse": "Nurse appointment", "phone": "Phone call"}
STATUSES = {
    "booked": "Booked",
    "arrived": "Arrived",
    "called": "Called",
    "in_consultation": "In consultation",
    "seen": "Seen",
    "dna": "Did not attend",
    "cancelled": "Cancelled",
}


class Slot(PracticeScoped):
    practice = pw.ForeignKeyField(Practice, backref="slots", on_delete="CASCADE")
    clinician = pw.ForeignKeyField(Clinician, backref="slots", on_delete="CASCADE")
    starts_at = pw.DateTimeField(index=True)  # UTC
    length_minutes = pw.IntegerField()
    kind = pw.CharField(max_length=20, choices=list(SLOT_KINDS.items()))
    released_online = pw.BooleanField(default=False)
    # Made by generating the diary from the rota: regenerating may change or remove it while it is free. Slots added
    # by hand are never touched by the rota.
    from_rota = pw.BooleanField(default=False)
    # Taken out of the diary (a closure, a rota change, a clinician leaving) but kept because appointments, even
    # cancelled ones, point at it: they are history. A withdrawn slot cannot be booked.
    withdrawn_at = pw.DateTimeField(null=True)

    class Meta:
        indexes = (
            (("clinician", "starts_at"), True),
            (("practice", "starts_at"), False),  # the slot finder: free released slots by practice and time
        )


class Appointment(PracticeScoped):
    practice = pw.ForeignKeyField(Practice, backref="appointments", on_delete="CASCADE")
    slot = pw.ForeignKeyField(Slot, backref="appointments", on_delete="CASCADE")
    patient = pw.ForeignKeyField(Patient, backref="appointments", on_delete="CASCADE")
    status = pw.CharField(max_length=20, default="booked", choices=list(STATUSES.items()))
    booked_via = pw.CharField(max_length=20, default="staff")  # staff, online (phone or computer), kiosk
    booked_at = created_at_field()
    arrived_at = pw.DateTimeField(null=True)
    cancelled_at = pw.DateTimeField(null=True)
    cancelled_by = pw.CharField(max_length=200, default="")  # e.g. "patient", "proxy Hannah Green", "Rosa Reid"
    cancelled_via = pw.CharField(max_length=20, default="")  # staff, online, kiosk
    cancel_reason = pw.TextField(default="")
    # The token of the form that booked or cancelled: a resent form finds this row instead of acting twice.
    booking_token = pw.CharField(max_length=64, null=True, unique=True)
    cancel_token = pw.CharField(max_length=64, null=True, unique=True)
    # One live booking per slot is a partial unique index made in the migration
    # (appointment_one_live_per_slot): cancelled rows stay for the record.

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]

    @classmethod
    def with_details(cls, practice_id: int):
        """This practice's appointments with their slot, clinician and patient, read in one query."""
        return (
            cls.select(cls, Slot, Clinician, Patient)
            .join(Slot)
            .join(Clinician)
            .switch(cls)
            .join(Patient)
            .where(cls.practice == practice_id)
        )
