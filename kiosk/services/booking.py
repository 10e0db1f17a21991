"""Appointments: free slots, booking and cancelling online and at the desk, did-not-attend.

One live booking per slot is the database's rule (the partial unique index appointment_one_live_per_slot). The checks
here turn the usual refusals into plain words; the index decides the race no check can see. On SQLite every write
transaction starts IMMEDIATE, so two bookings queue and the second sees the first; on PostgreSQL the second INSERT
fails on the index and its sender is told politely. A form carries a token that is stored with the row it made, so
a double tap or a resent form finds that row and gets the same answer instead of acting twice.
"""

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from peewee import IntegrityError, fn

from kiosk.actor import Actor
from kiosk.clock import local_day_bounds, local_today, to_local, utcnow
from kiosk.db import database, is_postgres
from kiosk.models import Appointment, Clinician, Patient, Practice, Slot
from kiosk.services import DomainError, notifications
from kiosk.services.audit import append

TAKEN = "Sorry, that time has just been booked by someone else"
LIVE = ("booked", "arrived")  # still to happen, from the patient's side
RECENT_DAYS = 90


class NotOffered(DomainError):
    """The slot is not one this person may book (not released, past, beyond the horizon, or not this practice's)."""


class SlotTaken(DomainError):
    pass


class LimitReached(DomainError):
    pass


class TooLateToCancel(DomainError):
    pass


def new_token() -> str:
    return secrets.token_urlsafe(24)


def channel(actor: Actor) -> str:
    """Where the request came from: reception's PC, the waiting-room kiosk, or the person's own phone or computer."""
    if actor.kind == "staff":
        return "staff"
    if actor.kind == "kiosk" or actor.device.startswith("kiosk "):
        return "kiosk"
    return "online"


def _who(actor: Actor) -> str:
    if actor.kind == "staff":
        return f"{actor.name} ({actor.role})"
    return "patient" if actor.role == "patient" else f"{actor.role} {actor.name}"


def last_bookable_day(practice: Practice, today: date | None = None) -> date:
    return (today or local_today()) + timedelta(days=practice.booking_horizon_days)


def _live_on(slot_id_column):
    return Appointment.select(Appointment.id).where(
        (Appointment.slot == slot_id_column) & (Appointment.status != "cancelled")
    )


def _is_taken(slot_id: int) -> bool:
    return _live_on(slot_id).exists()


# Finding slots -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    """Free slots for one week of days, and where the previous and next weeks start (None: out of range)."""

    start: date
    end: date  # last day shown
    days: list[tuple[date, list[Slot]]]
    previous: date | None
    next: date | None


def free_week(
    practice: Practice, *, kind: str, clinician_id: int | None, start: date | None, now: datetime | None = None
) -> Week:
    """Free released slots of `kind` from `start` for seven days, never before now nor past the horizon."""
    now = now or utcnow()
    today = to_local(now).date()
    last = last_bookable_day(practice, today)
    start = min(max(start or today, today), last)
    end = min(start + timedelta(days=6), last)
    first_utc, _ = local_day_bounds(start)
    _, after_utc = local_day_bounds(end)
    query = (
        Slot.select(Slot, Clinician)
        .join(Clinician)
        .where(
            (Slot.practice == practice.id)
            & (Slot.released_online == True)  # noqa: E712 - a SQL comparison, not Python truthiness
            & (Slot.kind == kind)
            & (Slot.starts_at > now)
            & (Slot.starts_at >= first_utc)
            & (Slot.starts_at < after_utc)
            & (Clinician.active == True)  # noqa: E712
            # The practice on the clinician too: its side is read through clinician_practice_id, not every practice's.
            & (Clinician.practice == practice.id)
            & Slot.withdrawn_at.is_null()
            & ~fn.EXISTS(_live_on(Slot.id))
        )
        .order_by(Slot.starts_at, Clinician.display_name)
    )
    if clinician_id:
        query = query.where(Slot.clinician == clinician_id)
    days: dict[date, list[Slot]] = {}
    for slot in query:
        days.setdefault(to_local(slot.starts_at).date(), []).append(slot)
    return Week(
        start=start,
        end=end,
        days=sorted(days.items()),
        previous=max(start - timedelta(days=7), today) if start > today else None,
        next=end + timedelta(days=1) if end < last else None,
    )


def online_bookings_held(practice_id: int, patient_id: int, now: datetime | None = None) -> int:
    """Future appointments the patient (or their proxy) booked online and still holds. Staff bookings do not count."""
    return (
        Appointment.select()
        .join(Slot)
        .where(
            (Appointment.practice == practice_id)
            & (Appointment.patient == patient_id)
            & (Appointment.status == "booked")
            & Appointment.booked_via.in_(["online", "kiosk"])
            & (Slot.starts_at > (now or utcnow()))
        )
        .count()
    )


def bookings_left(practice: Practice, patient_id: int) -> int:
    return max(practice.max_online_bookings - online_bookings_held(practice.id, patient_id), 0)


def limit_message(practice: Practice) -> str:
    n = practice.max_online_bookings
    return (
        f"You can have up to {n} appointment{'' if n == 1 else 's'} booked online at a time. Cancel one, or "
        f"phone the practice{' on ' + practice.phone if practice.phone else ''}."
    )


def offered_slot(practice: Practice, slot_id: int, now: datetime | None = None) -> Slot:
    """The slot if the practice offers it online now (free or not), else NotOffered."""
    now = now or utcnow()
    slot = (
        Slot.select(Slot, Clinician)
        .join(Clinician)
        .where((Slot.id == slot_id) & (Slot.practice == practice.id))
        .first()
    )
    if (
        slot is None
        or not slot.released_online
        or slot.withdrawn_at is not None
        or not slot.clinician.active
        or slot.starts_at <= now
        or to_local(slot.starts_at).date() > last_bookable_day(practice, to_local(now).date())
    ):
        raise NotOffered("This time cannot be booked online")
    return slot


def is_free(slot: Slot) -> bool:
    return slot.withdrawn_at is None and not _is_taken(slot.id)


# Booking and cancelling ----------------------------------------------------------------------------------------


def book(actor: Actor, patient_id: int, slot_id: int, *, token: str) -> Appointment:
    """Book `slot_id` for the patient. Online (patient, proxy, kiosk) the practice's rules apply; staff may book any
    free slot that has not ended. The same token again returns the first booking."""
    practice = Practice.get_by_id(actor.practice_id)
    patient = Patient.get_in_practice(practice.id, patient_id)
    if patient.has_left:
        raise DomainError(f"{patient.full_name} is no longer registered at the practice")
    via = channel(actor)
    try:
        with database.atomic():
            _lock(patient)
            done = Appointment.get_or_none(Appointment.booking_token == token)
            if done is not None:
                return _same(done, patient)
            now = utcnow()
            slot = _staff_slot(practice, slot_id, now) if via == "staff" else offered_slot(practice, slot_id, now)
            if _is_taken(slot.id):
                raise SlotTaken(TAKEN)
            if via != "staff" and online_bookings_held(practice.id, patient.id, now) >= practice.max_online_bookings:
                raise LimitReached(limit_message(practice))
            appointment = Appointment.create(
                practice=practice.id, slot=slot.id, patient=patient.id, booked_via=via, booking_token=token
            )
            append(
                actor, "appointment.book", patient_id=patient.id, obj=appointment, detail=f"{describe(slot)}; via {via}"
            )
            appointment.slot = slot
            notifications.enqueue_for(practice, patient, "appointment_booked", appointment=appointment)
            return appointment
    except IntegrityError:
        # Another request won the slot (PostgreSQL tells us here), or this very form did in another worker.
        done = Appointment.get_or_none(Appointment.booking_token == token)
        if done is not None:
            return _same(done, patient)
        _refused(actor, patient.id, "appointment.book", f"slot {slot_id}: taken by a concurrent booking")
        raise SlotTaken(TAKEN) from None
    except DomainError as e:
        _refused(actor, patient.id, "appointment.book", f"slot {slot_id}: {e.message}")
        raise


def _lock(patient: Patient) -> None:
    """Serialise one patient's bookings, so two at once cannot both pass the limit. SQLite's IMMEDIATE does this."""
    if is_postgres():
        list(Patient.select(Patient.id).where(Patient.id == patient.id).for_update())


def _same(done: Appointment, patient: Patient) -> Appointment:
    if done.patient_id != patient.id:
        raise DomainError("This form has already been used. Start again.")
    return done


def _staff_slot(practice: Practice, slot_id: int, now: datetime) -> Slot:
    slot = Slot.select(Slot, Clinician).join(Clinician).where((Slot.id == slot_id) & (Slot.practice == practice.id))
    slot = slot.first()
    if slot is None:
        raise Slot.DoesNotExist
    if slot.starts_at + timedelta(minutes=slot.length_minutes) <= now:
        raise DomainError("This slot has already ended")
    if slot.withdrawn_at is not None:
        raise DomainError("This slot has been taken out of the diary")
    return slot


def _refused(actor: Actor, patient_id: int | None, action: str, detail: str) -> None:
    """Refusals are audited too (R12), in their own transaction: the attempt's own was rolled back."""
    with database.atomic():
        append(actor, action, patient_id=patient_id, outcome="refused", detail=f"{detail}; via {channel(actor)}")


def can_cancel_online(practice: Practice, appointment: Appointment, now: datetime | None = None) -> bool:
    cutoff = appointment.slot.starts_at - timedelta(minutes=practice.cancel_cutoff_minutes)
    return appointment.status == "booked" and (now or utcnow()) < cutoff


def too_late_message(practice: Practice) -> str:
    phone = f" on {practice.phone}" if practice.phone else ""
    return f"It is too late to cancel this appointment online. Please phone the practice{phone}."


def cancel(
    actor: Actor, appointment_id: int, *, token: str, patient_id: int | None = None, reason: str = ""
) -> Appointment:
    """Cancel a booked appointment. Patients and proxies (patient_id given) only before the practice's cut-off;
    staff at any time, with a reason. Cancelling a cancelled appointment again changes nothing."""
    practice = Practice.get_by_id(actor.practice_id)
    via = channel(actor)
    query = (
        Appointment.select(Appointment, Slot, Clinician)
        .join(Slot)
        .join(Clinician)
        .where((Appointment.practice == practice.id) & (Appointment.id == appointment_id))
    )
    if patient_id is not None:
        query = query.where(Appointment.patient == patient_id)
    appointment = query.get()  # DoesNotExist: someone else's looks exactly like a missing one
    try:
        with database.atomic():
            appointment = query.get()
            if appointment.status == "cancelled":
                return appointment
            if appointment.status != "booked":
                raise DomainError(
                    f"This appointment is marked {appointment.status_label.lower()}: it cannot be cancelled"
                )
            now = utcnow()
            if via != "staff" and not can_cancel_online(practice, appointment, now):
                raise TooLateToCancel(too_late_message(practice))
            if via == "staff" and not reason.strip():
                raise DomainError("Enter the reason for cancelling", field="reason")
            changed = (
                Appointment.update(
                    status="cancelled",
                    cancelled_at=now,
                    cancelled_by=_who(actor),
                    cancelled_via=via,
                    cancel_reason=reason.strip()[:500],
                    cancel_token=token,
                )
                .where((Appointment.id == appointment.id) & (Appointment.status == "booked"))
                .execute()
            )
            if changed:
                append(
                    actor,
                    "appointment.cancel",
                    patient_id=appointment.patient_id,
                    obj=appointment,
                    detail=f"{describe(appointment.slot)}; via {via}" + (f"; {reason.strip()}" if reason else ""),
                )
                notifications.withdraw_reminders(appointment.id)
                notifications.enqueue_for(
                    practice,
                    Patient.get_by_id(appointment.patient_id),
                    "appointment_cancelled",
                    appointment=appointment,
                )
            return query.get()
    except IntegrityError:
        # The same cancel form was used on another appointment: refuse without touching either.
        raise DomainError("This form has already been used. Start again.") from None
    except DomainError as e:
        _refused(actor, appointment.patient_id, "appointment.cancel", f"appointment {appointment.id}: {e.message}")
        raise


def mark_did_not_attend(actor: Actor, appointment_id: int) -> Appointment:
    with database.atomic():
        appointment = (
            Appointment.select(Appointment, Slot)
            .join(Slot)
            .where((Appointment.practice == actor.practice_id) & (Appointment.id == appointment_id))
            .get()
        )
        if appointment.status == "dna":
            return appointment
        if appointment.status != "booked":
            raise DomainError(f"This appointment is marked {appointment.status_label.lower()}")
        if appointment.slot.starts_at > utcnow():
            raise DomainError("An appointment can be marked did not attend only after its start time")
        appointment.status = "dna"
        appointment.save()
        append(
            actor,
            "appointment.dna",
            patient_id=appointment.patient_id,
            obj=appointment,
            detail=describe(appointment.slot),
        )
    return appointment


# What patients and reception see -------------------------------------------------------------------------------


def describe_time(slot: Slot) -> str:
    """How reception says a slot: 09:10 on Tuesday 1 December."""
    local = to_local(slot.starts_at)
    return f"{local:%H:%M} on {local:%A %-d %B}"


def describe(slot: Slot) -> str:
    return f"slot {slot.id} {to_local(slot.starts_at):%Y-%m-%d %H:%M %Z} {slot.clinician.display_name} {slot.kind}"


def for_patient(practice_id: int, patient_id: int, appointment_id: int) -> Appointment | None:
    return (
        Appointment.select(Appointment, Slot, Clinician)
        .join(Slot)
        .join(Clinician)
        .where(
            (Appointment.practice == practice_id)
            & (Appointment.patient == patient_id)
            & (Appointment.id == appointment_id)
        )
        .first()
    )


def patient_appointments(practice_id: int, patient_id: int) -> tuple[list[Appointment], list[Appointment]]:
    """(upcoming, recent): upcoming are live from today on, soonest first; recent is the rest of the last 90 days
    and cancelled ones, latest first."""
    today_start, _ = local_day_bounds(local_today())
    rows = (
        Appointment.select(Appointment, Slot, Clinician)
        .join(Slot)
        .join(Clinician)
        .where(
            (Appointment.practice == practice_id)
            & (Appointment.patient == patient_id)
            & (Slot.starts_at >= today_start - timedelta(days=RECENT_DAYS))
        )
        .order_by(Slot.starts_at, Appointment.id)
    )
    upcoming, recent = [], []
    for a in rows:
        (upcoming if a.status in LIVE and a.slot.starts_at >= today_start else recent).append(a)
    return upcoming, list(reversed(recent))[:20]


@dataclass
class DiaryRow:
    slot: Slot
    appointment: Appointment | None = None
    cancelled: list[Appointment] = field(default_factory=list)


def day_diary(practice_id: int, clinician_id: int, day: date) -> list[DiaryRow]:
    """Every slot of the clinician's London day, with its live appointment (if any) and earlier cancellations."""
    start, end = local_day_bounds(day)
    rows = {
        s.id: DiaryRow(s)
        for s in Slot.for_practice(practice_id)
        .where((Slot.clinician == clinician_id) & (Slot.starts_at >= start) & (Slot.starts_at < end))
        .order_by(Slot.starts_at)
    }
    if rows:
        appointments = (
            Appointment.select(Appointment, Patient)
            .join(Patient)
            .where(Appointment.slot.in_(list(rows)))
            .order_by(Appointment.booked_at)
        )
        for a in appointments:
            row = rows[a.slot_id]
            if a.status == "cancelled":
                row.cancelled.append(a)
            else:
                row.appointment = a
    return list(rows.values())


def duration_phrase(minutes: int) -> str:
    """120 -> "2 hours", 90 -> "90 minutes", 1440 -> "1 day": how a practice would say its cut-off."""
    for size, word in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes % size == 0 and minutes >= size:
            n = minutes // size
            return f"{n} {word}{'' if n == 1 else 's'}"
    return "0 minutes"
