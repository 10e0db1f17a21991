import hashlib
import json
from datetime import datetime

import peewee as pw

from kiosk.models.base import BaseModel, created_at_field
from kiosk.models.people import Patient
from kiosk.models.practice import Practice

# The fields a row's hash covers, in order. Not the id: on PostgreSQL a rolled-back insert spends a sequence number,
# so gaps in ids mean nothing; a gap in the chain (a row whose hash does not follow from the one before) does.
CHAINED_FIELDS = (
    "at",
    "practice_id",
    "actor_kind",
    "actor_id",
    "actor_name",
    "role",
    "action",
    "patient_id",
    "object_type",
    "object_id",
    "device",
    "outcome",
    "detail",
)


def chain_hash(previous: str, values: dict) -> str:
    """sha256 of the previous row's hash (per practice) and this row's content, canonically serialised.

    Migration 006 backfills with this same function, so it reads the raw values either backend returns.
    """
    at = values["at"]
    if isinstance(at, str):  # SQLite through a raw cursor
        at = datetime.fromisoformat(at)
    content = [previous, at.isoformat(sep=" ", timespec="microseconds")]
    content += [values[name] for name in CHAINED_FIELDS[1:]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()).hexdigest()


class AuditEvent(BaseModel):
    """Append-only (R12): database triggers refuse UPDATE and DELETE, and each row's hash chains to the previous
    one of its practice, so an edit or deletion made by someone able to drop the triggers still shows."""

    at = created_at_field()
    practice = pw.ForeignKeyField(Practice, null=True, on_delete="RESTRICT")
    actor_kind = pw.CharField(max_length=20)  # staff, patient, kiosk, anonymous, system
    actor_id = pw.IntegerField(null=True)
    actor_name = pw.CharField(max_length=200, default="")  # a full name at both form limits, 80 + 1 + 80
    role = pw.CharField(max_length=20, default="")
    action = pw.CharField(max_length=60)
    patient = pw.ForeignKeyField(Patient, null=True, on_delete="RESTRICT")
    object_type = pw.CharField(max_length=40, default="")
    object_id = pw.IntegerField(null=True)
    device = pw.CharField(max_length=120, default="")
    outcome = pw.CharField(max_length=20, default="ok")  # ok, refused, failed
    detail = pw.TextField(default="")
    hash = pw.CharField(max_length=64, default="")

    class Meta:
        indexes = (
            (("practice", "action", "at"), False),
            (("actor_kind", "actor_id", "at"), False),
            (("practice", "id"), False),
        )

    def chained_values(self) -> dict:
        return {name: getattr(self, name) for name in CHAINED_FIELDS}
