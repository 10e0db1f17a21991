"""Ending server-side sessions from a service: an account disabled, suspended or gone, a restore from backup."""

from kiosk.models import WebSession


def end_sessions_for(user_kind: str, user_id: int) -> int:
    """Sign someone out everywhere: one DELETE, and on their next request they are out."""
    return WebSession.delete().where((WebSession.user_kind == user_kind) & (WebSession.user_id == user_id)).execute()
