import peewee as pw

from kiosk.models.base import BaseModel, created_at_field


class WebSession(BaseModel):
    """Server-side session. The browser holds only a random id; the key here is its SHA-256."""

    key = pw.CharField(max_length=64, primary_key=True)
    data = pw.TextField(default="{}")
    user_kind = pw.CharField(max_length=20, default="")  # staff, patient; empty when anonymous
    user_id = pw.IntegerField(null=True)
    created_at = created_at_field()
    last_seen_at = created_at_field()

    class Meta:
        indexes = ((("user_kind", "user_id"), False),)
