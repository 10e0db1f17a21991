import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.people import Clinician
from kiosk.models.practice import Practice

ROLES = {"reception": "Receptionist", "clinician": "Clinician", "manager": "Practice manager"}


class StaffUser(PracticeScoped):
    practice = pw.ForeignKeyField(Practice, backref="staff", on_delete="CASCADE")
    # Stored lower-cased; unique within a practice only, so that a manager creating an account learns nothing about
    # other practices' staff (a locum may also work at two practices under one address).
    email = pw.CharField(max_length=254)
    name = pw.CharField(max_length=120)
    role = pw.CharField(max_length=20, choices=list(ROLES.items()))
    clinician = pw.ForeignKeyField(Clinician, null=True, on_delete="SET NULL")
    password_hash = pw.CharField(max_length=255)
    disabled_at = pw.DateTimeField(null=True)
    # Set when a manager resets the password: until they choose their own, every staff page sends them to do so.
    must_change_password = pw.BooleanField(default=False)
    created_at = created_at_field()

    class Meta:
        indexes = ((("practice", "email"), True),)

    @property
    def role_label(self) -> str:
        return ROLES[self.role]
