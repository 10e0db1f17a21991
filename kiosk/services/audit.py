"""The audit log (R12): who, role, when, what, which patient, which device, in order. Writes only append."""

from kiosk.access import Actor
from kiosk.db import database
from kiosk.models import AuditEvent


def record(
    actor: Actor,
    action: str,
    *,
    practice_id: int | None = None,
    patient_id: int | None = None,
    obj=None,
    outcome: str = "ok",
    detail: str = "",
) -> AuditEvent:
    """Append one event. Called inside the caller's transaction, so the change and its record land together."""
    return AuditEvent.create(
        practice=practice_id if practice_id is not None else actor.practice_id,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_name=actor.name,
        role=actor.role,
        action=action,
        patient=patient_id,
        object_type=type(obj).__name__.lower() if obj is not None else "",
        object_id=obj.id if obj is not None else None,
        device=actor.device,
        outcome=outcome,
        detail=detail,
    )


def viewed(
    actor: Actor, action: str, *, patient_id: int | None, obj=None, detail: str = "", outcome: str = "ok"
) -> None:
    """A read of personal data, or a refused attempt at one (R12): its own short transaction."""
    with database.atomic():
        record(actor, action, patient_id=patient_id, obj=obj, detail=detail, outcome=outcome)
