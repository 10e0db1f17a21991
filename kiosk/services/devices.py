"""Enrolling a device as a waiting-room kiosk or calling display, and revoking it."""

import secrets

from kiosk.actor import Actor, token_digest
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import Kiosk
from kiosk.models.devices import CHECK_IN
from kiosk.services.audit import append


def enrol(actor: Actor, name: str, kind: str = CHECK_IN) -> tuple[Kiosk, str]:
    """A new kiosk or calling display and the device token for its cookie. Only the token's hash is stored."""
    token = secrets.token_urlsafe(32)
    with database.atomic():
        kiosk = Kiosk.create(
            practice=actor.practice_id,
            name=name.strip(),
            kind=kind,
            token_hash=token_digest(token),
            enrolled_by=actor.id,
        )
        append(
            actor,
            "kiosk.enrol",
            obj=kiosk,
            detail=kiosk.name if kind == CHECK_IN else f"{kiosk.name} (calling display)",
        )
    return kiosk, token


def revoke(actor: Actor, kiosk_id: int) -> Kiosk:
    with database.atomic():
        kiosk = Kiosk.get_in_practice(actor.practice_id, kiosk_id)
        if kiosk.revoked_at is None:
            kiosk.revoked_at = utcnow()
            kiosk.save()
            append(actor, "kiosk.revoke", obj=kiosk, detail=kiosk.name)
    return kiosk


def active_kiosks(practice_id: int):
    return Kiosk.for_practice(practice_id).where(Kiosk.revoked_at.is_null()).order_by(Kiosk.enrolled_at)
