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


def end_sessions_for(user_kind: str, user_id: int) -> int:
    """Sign someone out everywhere (an account disabled or suspended): one DELETE, on the next request they are out.
    Here rather than in kiosk.sessions so that services can call it without importing Flask."""
    return WebSession.delete().where((WebSession.user_kind == user_kind) & (WebSession.user_id == user_id)).execute()
