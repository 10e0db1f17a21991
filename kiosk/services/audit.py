"""The audit log (R12): who, role, when, what, which patient, which device, in order. Writes only append.

Each row's hash chains to the previous row of the same practice (kiosk/models/audit.py), so a row edited or
removed by someone who got past the append-only triggers breaks the chain, and verify_chain() finds where.
Appends to one practice's chain are serialised so that two never take the same predecessor: on PostgreSQL with a
transaction-scoped advisory lock per practice, on SQLite by its IMMEDIATE write transactions.
"""

from dataclasses import dataclass

from kiosk.actor import Actor
from kiosk.clock import utcnow
from kiosk.db import database, is_postgres
from kiosk.models import AuditEvent
from kiosk.models.audit import chain_hash

# The advisory lock's first key: says "audit chain" so it never collides with another use of advisory locks.
CHAIN_LOCK = 0x41554454


def _chain_head(practice_id: int | None) -> str:
    where = AuditEvent.practice.is_null() if practice_id is None else AuditEvent.practice == practice_id
    last = AuditEvent.select(AuditEvent.hash).where(where).order_by(AuditEvent.id.desc()).first()
    return last.hash if last else ""


def append(
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
    event = AuditEvent(
        at=utcnow(),
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
    # A savepoint inside the caller's transaction, or a transaction of its own: the lock lasts until it commits.
    with database.atomic():
        if is_postgres():
            database.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (CHAIN_LOCK, event.practice_id or 0))
        event.hash = chain_hash(_chain_head(event.practice_id), event.chained_values())
        event.save(force_insert=True)
    return event


def append_many(actor: Actor, events: list[dict]) -> None:
    """Append many events at once, each dict holding action, patient_id, object_type, object_id and detail.

    For bulk writes such as a practice-list import: one lock and one read of the chain's head, then the hashes in
    order and batched inserts, where append() per row would cost three round trips each."""
    if not events:
        return
    with database.atomic():
        practice_id = actor.practice_id
        if is_postgres():
            database.execute_sql("SELECT pg_advisory_xact_lock(%s, %s)", (CHAIN_LOCK, practice_id or 0))
        head = _chain_head(practice_id)
        rows = []
        for item in events:
            event = AuditEvent(
                at=utcnow(),
                practice=practice_id,
                actor_kind=actor.kind,
                actor_id=actor.id,
                actor_name=actor.name,
                role=actor.role,
                action=item["action"],
                patient=item.get("patient_id"),
                object_type=item.get("object_type", ""),
                object_id=item.get("object_id"),
                device=actor.device,
                outcome=item.get("outcome", "ok"),
                detail=item.get("detail", ""),
            )
            head = event.hash = chain_hash(head, event.chained_values())
            rows.append(event.__data__)
        for start in range(0, len(rows), 500):
            AuditEvent.insert_many(rows[start : start + 500]).execute()


def viewed(
    actor: Actor, action: str, *, patient_id: int | None, obj=None, detail: str = "", outcome: str = "ok"
) -> None:
    """A read of personal data, or a refused attempt at one (R12): its own short transaction."""
    with database.atomic():
        append(actor, action, patient_id=patient_id, obj=obj, detail=detail, outcome=outcome)


@dataclass(frozen=True)
class ChainReport:
    rows: int
    broken_id: int | None = None
    practice_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None


def verify_chain() -> ChainReport:
    """Walk every practice's chain in order; the first row whose hash does not follow from the one before.

    A row that does not match was itself edited, or a row between it and the previous one was removed. Removing
    the newest rows of a chain leaves no gap: compare the heads printed by audit-verify with a copy kept elsewhere.
    """
    heads: dict = {}
    count = 0
    query = AuditEvent.select().order_by(AuditEvent.id)
    for event in query.iterator():
        count += 1
        expected = chain_hash(heads.get(event.practice_id, ""), event.chained_values())
        if event.hash != expected:
            return ChainReport(
                count,
                event.id,
                event.practice_id,
                "this row was changed, or a row before it in the same practice was removed",
            )
        heads[event.practice_id] = event.hash
    return ChainReport(count)


def chain_heads() -> dict:
    """The newest row id and hash per practice, to keep somewhere the database's owner cannot rewrite."""
    heads = {}
    for event in AuditEvent.select(AuditEvent.id, AuditEvent.practice, AuditEvent.hash).order_by(AuditEvent.id):
        heads[event.practice_id] = (event.id, event.hash)
    return heads
