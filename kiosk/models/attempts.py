import peewee as pw

from kiosk.models.base import BaseModel


class AttemptCounter(BaseModel):
    """Failed sign-ins, shared by every worker process (kiosk/services/lockout.py).

    key is "source:<address>" (failures in the minute from window_start) or "<kind>:<sha256 of what was typed>"
    (failures in a row, and the time before which that identifier may not be tried again).
    """

    key = pw.CharField(max_length=100, primary_key=True)
    failures = pw.IntegerField(default=0)
    window_start = pw.DateTimeField()
    blocked_until = pw.DateTimeField(null=True)
    updated_at = pw.DateTimeField(index=True)
