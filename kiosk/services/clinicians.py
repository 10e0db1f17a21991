"""The practice's clinicians: a manager adds, edits, deactivates and reactivates them.

Deactivating keeps every row: the clinician, their templates, past slots and every appointment stay for the record.
It takes their future free slots out of the diary (so nobody books them) and leaves future booked appointments in
place for reception to move; the confirm page lists those first, and the same page keeps listing them afterwards.
"""

from dataclasses import dataclass

from kiosk.actor import Actor
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import PROFESSIONS, Appointment, Clinician, Slot
from kiosk.services import DomainError
from kiosk.services.audit import append
from kiosk.services.rota import remove_free_slots


@dataclass(frozen=True)
class ClinicianRow:
    clinician: Clinician
    bookings_ahead: int  # future booked appointments


@dataclass(frozen=True)
class Deactivation:
    clinician: Clinician
    bookings: list[Appointment]  # future booked appointments, for reception to move
    free_slots: int  # future free slots that deactivating removes (or has removed)


def listing(practice_id: int) -> list[ClinicianRow]:
    """Active clinicians first, then deactivated ones, each with how many future bookings they have."""
    counts: dict[int, int] = {}
    for a in _future_booked(practice_id):
        counts[a.slot.clinician_id] = counts.get(a.slot.clinician_id, 0) + 1
    rows = Clinician.for_practice(practice_id).order_by(Clinician.active.desc(), Clinician.display_name)
    return [ClinicianRow(c, counts.get(c.id, 0)) for c in rows]


def _future_booked(practice_id: int, clinician_id: int | None = None):
    query = Appointment.with_details(practice_id).where((Appointment.status == "booked") & (Slot.starts_at >= utcnow()))
    if clinician_id is not None:
        query = query.where(Slot.clinician == clinician_id)
    return query.order_by(Slot.starts_at)


def _future_free_slot_ids(practice_id: int, clinician_id: int) -> list[int]:
    live = Appointment.select(Appointment.slot).where(Appointment.status != "cancelled")
    return [
        s.id
        for s in Slot.select(Slot.id).where(
            (Slot.practice == practice_id)
            & (Slot.clinician == clinician_id)
            & (Slot.starts_at >= utcnow())
            & Slot.withdrawn_at.is_null()
            & Slot.id.not_in(live)
        )
    ]


def deactivation(practice_id: int, clinician_id: int) -> Deactivation:
    """What deactivating would do, or (once done) what is left to move. Clinician.DoesNotExist for a foreign id."""
    clinician = Clinician.get_in_practice(practice_id, clinician_id)
    return Deactivation(
        clinician,
        list(_future_booked(practice_id, clinician.id)),
        len(_future_free_slot_ids(practice_id, clinician.id)),
    )


def _clean(display_name: str, staff_name: str, profession: str, room: str) -> dict:
    if profession not in PROFESSIONS:
        raise DomainError("Choose the role", field="profession")
    return {
        "display_name": " ".join(display_name.split()),
        "staff_name": " ".join(staff_name.split()),
        "profession": profession,
        "room": room.strip(),
    }


def _check_unique(practice_id: int, display_name: str, leave_out: int | None = None) -> None:
    """Patients choose a clinician by this name: two alike could not be told apart."""
    same = Clinician.for_practice(practice_id).where(Clinician.display_name == display_name)
    if leave_out is not None:
        same = same.where(Clinician.id != leave_out)
    if same.exists():
        raise DomainError("Another clinician already has this name. Patients need to tell them apart", "display_name")


def add(actor: Actor, *, display_name: str, staff_name: str, profession: str, room: str) -> Clinician:
    values = _clean(display_name, staff_name, profession, room)
    with database.atomic():
        _check_unique(actor.practice_id, values["display_name"])
        clinician = Clinician.create(practice=actor.practice_id, **values)
        append(actor, "clinician.add", obj=clinician, detail=f"{clinician.display_name}, {clinician.profession}")
    return clinician


def edit(actor: Actor, clinician_id: int, *, display_name: str, staff_name: str, profession: str, room: str):
    values = _clean(display_name, staff_name, profession, room)
    with database.atomic():
        clinician = Clinician.get_in_practice(actor.practice_id, clinician_id)
        _check_unique(actor.practice_id, values["display_name"], leave_out=clinician.id)
        changed = [k for k, v in values.items() if getattr(clinician, k) != v]
        for k, v in values.items():
            setattr(clinician, k, v)
        clinician.save()
        append(actor, "clinician.edit", obj=clinician, detail=f"changed {', '.join(changed) or 'nothing'}")
    return clinician


def deactivate(actor: Actor, clinician_id: int) -> Deactivation:
    """Stop the clinician's future diary: free slots go, booked appointments stay listed for reception to move."""
    with database.atomic():
        clinician = Clinician.get_in_practice(actor.practice_id, clinician_id)
        if not clinician.active:
            raise DomainError(f"{clinician.display_name} is already deactivated")
        clinician.active = False
        clinician.save()
        removed = remove_free_slots(_future_free_slot_ids(actor.practice_id, clinician.id))
        bookings = list(_future_booked(actor.practice_id, clinician.id))
        append(
            actor,
            "clinician.deactivate",
            obj=clinician,
            detail=f"{removed} free slots removed; {len(bookings)} booked appointments to move",
        )
    return Deactivation(clinician, bookings, removed)


def reactivate(actor: Actor, clinician_id: int) -> Clinician:
    """Active again; their slots come back the next time the diary is generated from the rota."""
    with database.atomic():
        clinician = Clinician.get_in_practice(actor.practice_id, clinician_id)
        clinician.active = True
        clinician.save()
        append(actor, "clinician.reactivate", obj=clinician)
    return clinician
