import peewee as pw

from kiosk.models.base import BaseModel, created_at_field
from kiosk.models.people import Patient
from kiosk.models.practice import Practice


class AuditEvent(BaseModel):
    """Append-only (R12): database triggers refuse UPDATE and DELETE; the id is the sequence."""

    at = created_at_field()
    practice = pw.ForeignKeyField(Practice, null=True, on_delete="RESTRICT")
    actor_kind = pw.CharField(max_length=20)  # staff, patient, kiosk, anonymous, system
    actor_id = pw.IntegerField(null=True)
    actor_name = pw.CharField(max_length=120, default="")
    role = pw.CharField(max_length=20, default="")
    action = pw.CharField(max_length=60)
    patient = pw.ForeignKeyField(Patient, null=True, on_delete="RESTRICT")
    object_type = pw.CharField(max_length=40, default="")
    object_id = pw.IntegerField(null=True)
    device = pw.CharField(max_length=120, default="")
    outcome = pw.CharField(max_length=20, default="ok")  # ok, refused, failed
    detail = pw.TextField(default="")

    class Meta:
        indexes = ((("practice", "action", "at"), False), (("actor_kind", "actor_id", "at"), False))
