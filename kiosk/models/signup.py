import peewee as pw

from kiosk.models.appointments import Appointment
from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.devices import Kiosk
from kiosk.models.people import Patient
from kiosk.models.practice import Practice
from kiosk.models.staff import StaffUser


class SignupRequest(PracticeScoped):
    """A patient who said "yes" at the kiosk to asking for a registration letter (issue 13).

    Nothing is switched on by it: identity is checked at the desk (R1). It is linked to the appointment the patient
    checked in for, and the unique index on the appointment is what makes a double tap one request. It is converted
    when reception issues the patient's registration letter."""

    practice = pw.ForeignKeyField(Practice, backref="signup_requests", on_delete="CASCADE")
    appointment = pw.ForeignKeyField(Appointment, backref="signup_requests", on_delete="CASCADE", unique=True)
    patient = pw.ForeignKeyField(Patient, backref="signup_requests", on_delete="CASCADE")
    kiosk = pw.ForeignKeyField(Kiosk, null=True, on_delete="SET NULL")
    requested_at = created_at_field()
    converted_at = pw.DateTimeField(null=True)
    converted_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")

    class Meta:
        indexes = (
            (("practice", "requested_at"), False),  # reception's list and the uptake report's period
            (("practice", "patient"), False),  # the open requests converted when a letter is issued
        )

    @property
    def is_converted(self) -> bool:
        return self.converted_at is not None
