import peewee as pw

from kiosk.models.base import PracticeScoped, created_at_field
from kiosk.models.practice import Practice
from kiosk.models.staff import StaffUser


class Kiosk(PracticeScoped):
    """A device enrolled as a waiting-room kiosk. Its cookie holds a random token; only the hash is kept."""

    practice = pw.ForeignKeyField(Practice, backref="kiosks", on_delete="CASCADE")
    name = pw.CharField(max_length=80)
    token_hash = pw.CharField(max_length=64, unique=True)
    enrolled_by = pw.ForeignKeyField(StaffUser, on_delete="RESTRICT")
    enrolled_at = created_at_field()
    revoked_at = pw.DateTimeField(null=True)
