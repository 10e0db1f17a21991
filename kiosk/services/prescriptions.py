"""Repeat prescriptions: what can be ordered and why not, orders, clinicians' decisions, and the repeat list itself."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from peewee import IntegrityError, fn

from kiosk.actor import Actor
from kiosk.clock import local_today, utcnow
from kiosk.db import database, is_postgres
from kiosk.models import Medicine, Patient, Practice, PrescriptionRequest, RequestItem
from kiosk.services import DomainError, notifications
from kiosk.services.audit import append

OPEN = ("requested", "partly_approved")


@dataclass(frozen=True)
class Orderable:
    medicine: Medicine
    can_order: bool
    why_not: str = ""
    book_review: bool = False


def new_token() -> str:
    return secrets.token_urlsafe(24)


def current_medicines(practice_id: int, patient_id: int):
    return (
        Medicine.for_practice(practice_id)
        .where((Medicine.patient == patient_id) & Medicine.stopped_at.is_null())
        .order_by(Medicine.kind.desc(), Medicine.name)
    )


def _pending_medicine_ids(patient_id: int) -> set[int]:
    return {
        i.medicine_id
        for i in RequestItem.select(RequestItem.medicine)
        .join(PrescriptionRequest)
        .where((PrescriptionRequest.patient == patient_id) & (RequestItem.status == "requested"))
    }


def orderable(practice: Practice, patient_id: int, today: date | None = None) -> list[Orderable]:
    """Every current medicine, with whether it can be ordered today and, if not, why and what to do."""
    today = today or local_today()
    pending = _pending_medicine_ids(patient_id)
    rows = []
    for m in current_medicines(practice.id, patient_id):
        if m.hidden_at is not None:  # the clinical system marked it not for the patient (R6): not even named
            continue
        if m.kind != "repeat":
            rows.append(Orderable(m, False, "This was a one-off medicine. Contact the practice if you need more."))
        elif m.review_on is not None and m.review_on < today:
            rows.append(
                Orderable(
                    m, False, "Your medication review is overdue. Book a review appointment first.", book_review=True
                )
            )
        elif m.issues_left <= 0:
            rows.append(
                Orderable(m, False, "No issues are left on this repeat. Book a medication review.", book_review=True)
            )
        elif m.id in pending:
            rows.append(Orderable(m, False, "You have already ordered this. It is waiting for a clinician."))
        elif m.last_issued_on and m.next_due is None:
            # An interval stored before the form bounded it: no due date can be worked out, so a person decides.
            rows.append(Orderable(m, False, "Contact the practice to order this medicine."))
        elif m.next_due and _opens(m.next_due, practice.order_days_before_due) > today:
            opens = _opens(m.next_due, practice.order_days_before_due)
            rows.append(Orderable(m, False, f"Not due yet. You can order this from {opens:%-d %B %Y}."))
        else:
            rows.append(Orderable(m, True))
    return rows


def _opens(due: date, days_before: int) -> date:
    try:
        return due - timedelta(days=days_before)
    except OverflowError:
        return date.min if days_before > 0 else date.max


def _by_token(token: str, patient_id: int) -> PrescriptionRequest | None:
    existing = PrescriptionRequest.get_or_none(PrescriptionRequest.token == token)
    if existing is not None and existing.patient_id != patient_id:
        raise DomainError("This order form has expired. Start again.")
    return existing


def order(actor: Actor, patient_id: int, medicine_ids: list[int], *, note: str, token: str) -> PrescriptionRequest:
    """One request per form token: a repeat of the same submission returns the first request unchanged."""
    existing = _by_token(token, patient_id)
    if existing is not None:
        return existing
    practice = Practice.get_by_id(actor.practice_id)
    patient = Patient.get_in_practice(practice.id, patient_id)
    wanted = set(medicine_ids)
    if not wanted:
        raise DomainError("Select the medicines you need", field="medicine")
    try:
        with database.atomic():
            # One patient's orders queue behind each other, so two forms sent at once cannot both pass the
            # "already waiting for a clinician" check. SQLite's IMMEDIATE transactions queue them already.
            if is_postgres():
                list(Patient.select(Patient.id).where(Patient.id == patient.id).for_update())
            allowed = {o.medicine.id: o for o in orderable(practice, patient.id)}
            refused = [allowed[i].medicine.name for i in wanted if i in allowed and not allowed[i].can_order]
            if not refused and wanted <= set(allowed):
                request = PrescriptionRequest.create(
                    practice=practice.id,
                    patient=patient.id,
                    token=token,
                    note=note.strip()[:500],
                    requested_by=actor.id if actor.kind == "patient" else None,
                    pharmacy=patient.nominated_pharmacy,
                )
                for medicine_id in sorted(wanted):
                    RequestItem.create(practice=practice.id, request=request, medicine=medicine_id)
                append(
                    actor,
                    "prescription.order",
                    patient_id=patient.id,
                    obj=request,
                    detail=", ".join(allowed[i].medicine.name for i in sorted(wanted)),
                )
                return request
            # A twin of this submission (double tap) committed while this one waited: its items now look
            # "already ordered", but the answer is that request, not a refusal.
            existing = _by_token(token, patient.id)
            if existing is not None:
                return existing
            # Committed, not rolled back with the refusal: refused attempts are audited too (R12).
            append(
                actor,
                "prescription.order",
                patient_id=patient.id,
                outcome="refused",
                detail=f"not orderable: {', '.join(refused) or 'unknown medicine'}",
            )
    except IntegrityError:
        # The same token won a race in another worker: that request is the answer.
        existing = PrescriptionRequest.get_or_none(PrescriptionRequest.token == token)
        if existing is None or existing.patient_id != patient_id:
            raise
        return existing
    raise DomainError("One or more medicines cannot be ordered now. Check the list again.", field="medicine")


def requests_for(practice_id: int, patient_id: int):
    return (
        PrescriptionRequest.for_practice(practice_id)
        .where(PrescriptionRequest.patient == patient_id)
        .order_by(PrescriptionRequest.created_at.desc(), PrescriptionRequest.id.desc())
    )


@dataclass(frozen=True)
class QueuedRequest:
    """A row of the staff lists, read with its patient and item count in one query."""

    id: int
    patient_name: str
    created_at: datetime
    decided_at: datetime | None
    items: int


def _queued(where, *order_by) -> list[QueuedRequest]:
    items = RequestItem.select(fn.COUNT(RequestItem.id)).where(RequestItem.request == PrescriptionRequest.id)
    rows = (
        PrescriptionRequest.select(PrescriptionRequest, Patient, items.alias("item_count"))
        .join(Patient)
        .where(where)
        .order_by(*order_by)
    )
    return [QueuedRequest(r.id, r.patient.full_name, r.created_at, r.decided_at, r.item_count) for r in rows]


def queue(practice_id: int) -> list[QueuedRequest]:
    """Requests waiting for a clinician, oldest first."""
    return _queued(
        (PrescriptionRequest.practice == practice_id) & (PrescriptionRequest.status == "requested"),
        PrescriptionRequest.created_at,
        PrescriptionRequest.id,
    )


def ready_to_fulfil(practice_id: int) -> list[QueuedRequest]:
    return _queued(
        (PrescriptionRequest.practice == practice_id) & PrescriptionRequest.status.in_(["approved", "partly_approved"]),
        PrescriptionRequest.decided_at,
    )


@dataclass(frozen=True)
class ItemDecision:
    item_id: int
    approve: bool
    reason: str


def decide(actor: Actor, request_id: int, decisions: list[ItemDecision]) -> PrescriptionRequest:
    """A clinician approves or rejects each item; a rejection needs a reason the patient will read."""
    with database.atomic():
        request = PrescriptionRequest.get_in_practice(actor.practice_id, request_id)
        items = {i.id: i for i in request.items.where(RequestItem.status == "requested")}
        if not items:
            raise DomainError("This request has already been decided")
        for d in decisions:
            item = items.get(d.item_id)
            if item is None:
                continue
            if not d.approve and not d.reason.strip():
                raise DomainError(
                    "Give a reason the patient will read for each rejected medicine", field=f"reason-{d.item_id}"
                )
            item.status = "approved" if d.approve else "rejected"
            item.reason = d.reason.strip()
            item.decided_by = actor.id
            item.decided_at = utcnow()
            item.save()
            if d.approve:
                Medicine.update(last_issued_on=local_today(), issues_left=Medicine.issues_left - 1).where(
                    Medicine.id == item.medicine_id
                ).execute()
            append(
                actor,
                "prescription.approve" if d.approve else "prescription.reject",
                patient_id=request.patient_id,
                obj=item,
                detail=d.reason.strip(),
            )
        statuses = {i.status for i in request.items}
        if "requested" not in statuses:
            request.status = (
                "approved"
                if statuses == {"approved"}
                else "rejected"
                if statuses == {"rejected"}
                else "partly_approved"
            )
            request.decided_at = utcnow()
            request.save()
            notifications.enqueue_for(
                Practice.get_by_id(actor.practice_id), Patient.get_by_id(request.patient_id), "prescription_decided"
            )
    return request


def fulfil(actor: Actor, request_id: int, how: str) -> PrescriptionRequest:
    """Reception: the approved items are ready to collect, or have been sent to the nominated pharmacy."""
    with database.atomic():
        request = PrescriptionRequest.get_in_practice(actor.practice_id, request_id)
        if request.status in ("ready", "sent"):
            return request
        if request.status not in ("approved", "partly_approved"):
            raise DomainError("Only approved requests can be marked ready or sent")
        request.status = how
        request.fulfilled_at = utcnow()
        request.save()
        append(actor, f"prescription.{how}", patient_id=request.patient_id, obj=request)
        notifications.enqueue_for(
            Practice.get_by_id(actor.practice_id), Patient.get_by_id(request.patient_id), f"prescription_{how}"
        )
    return request


@dataclass(frozen=True)
class MedicineDetails:
    name: str
    strength: str
    dose: str
    quantity: str
    kind: str
    interval_days: int
    issues_left: int
    review_on: date | None
    last_issued_on: date | None


def add_medicine(actor: Actor, patient_id: int, details: MedicineDetails) -> Medicine:
    with database.atomic():
        patient = Patient.get_in_practice(actor.practice_id, patient_id)
        medicine = Medicine.create(practice=actor.practice_id, patient=patient, **details.__dict__)
        append(actor, "medicine.add", patient_id=patient.id, obj=medicine, detail=_describe(medicine))
    return medicine


def change_medicine(actor: Actor, medicine_id: int, details: MedicineDetails) -> Medicine:
    with database.atomic():
        medicine = Medicine.get_in_practice(actor.practice_id, medicine_id)
        before = _describe(medicine)
        for key, value in details.__dict__.items():
            setattr(medicine, key, value)
        medicine.save()
        append(
            actor,
            "medicine.change",
            patient_id=medicine.patient_id,
            obj=medicine,
            detail=f"{before} -> {_describe(medicine)}",
        )
    return medicine


def stop_medicine(actor: Actor, medicine_id: int, reason: str) -> Medicine:
    with database.atomic():
        medicine = Medicine.get_in_practice(actor.practice_id, medicine_id)
        if medicine.stopped_at is None:
            medicine.stopped_at = utcnow()
            medicine.stopped_reason = reason.strip()
            medicine.save()
            append(actor, "medicine.stop", patient_id=medicine.patient_id, obj=medicine, detail=reason.strip())
    return medicine


def _describe(m: Medicine) -> str:
    return (
        f"{m.name} {m.strength} {m.dose} x{m.quantity} {m.kind} every {m.interval_days}d "
        f"issues left {m.issues_left} review {m.review_on}"
    )
