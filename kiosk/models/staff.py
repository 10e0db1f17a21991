import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.people import Clinician
from kiosk.models.practice import Practice

ROLES = {"reception": "Receptionist", "clinician": "Clinician", "manager": "Practice manager"}


class StaffUser(PracticeScoped):
    practice = pw.ForeignKeyField(Practice, backref="staff", on_delete="CASCADE")
    email = pw.CharField(max_length=254, unique=True)  # stored lower-cased
    name = pw.CharField(max_length=120)
    role = pw.CharField(max_length=20, choices=[(k, v) for k, v in ROLES.items()])
    clinician = pw.ForeignKeyField(Clinician, null=True, on_delete="SET NULL")
    password_hash = pw.CharField(max_length=255)
    failed_attempts = pw.IntegerField(default=0)
    locked_until = pw.DateTimeField(null=True)
    disabled_at = pw.DateTimeField(null=True)
    created_at = created_at_field()

    @property
    def role_label(self) -> str:
        return ROLES[self.role]
