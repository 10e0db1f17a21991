import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.practice import Practice
from kiosk.models.staff import StaffUser

CHECK_IN = "kiosk"
DISPLAY = "display"  # a calling display: shows ticket numbers and rooms, and can check nobody in


class Kiosk(PracticeScoped):
    """A device enrolled in the waiting room: a check-in kiosk or a calling display. Its cookie holds a random
    token; only the hash is kept."""

    practice = pw.ForeignKeyField(Practice, backref="kiosks", on_delete="CASCADE")
    name = pw.CharField(max_length=80)
    kind = pw.CharField(max_length=10, default=CHECK_IN)
    token_hash = pw.CharField(max_length=64, unique=True)
    enrolled_by = pw.ForeignKeyField(StaffUser, on_delete="RESTRICT")
    enrolled_at = created_at_field()
    revoked_at = pw.DateTimeField(null=True)
