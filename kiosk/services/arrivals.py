"""Reception's view of today's appointments, and marking arrivals by hand."""

from itertools import groupby

from kiosk.actor import Actor
from kiosk.clock import local_day_bounds, local_today, utcnow
from kiosk.db import database
from kiosk.models import Appointment, Clinician, Slot
from kiosk.services import DomainError
from kiosk.services.audit import record
from kiosk.services.checkin import running_late

# What reception may change by hand, and to what.
TRANSITIONS = {"arrive": ("booked", "arrived"), "undo": ("arrived", "booked")}


def todays_list(practice_id: int) -> list[tuple[Clinician, int, list[Appointment]]]:
    """Today's live appointments grouped by clinician: (clinician, minutes running late, appointments)."""
    start, end = local_day_bounds(local_today())
    rows = (
        Appointment.with_details(practice_id)
        .where((Appointment.status != "cancelled") & (Slot.starts_at >= start) & (Slot.starts_at < end))
        .order_by(Clinician.display_name, Clinician.id, Slot.starts_at)
    )
    grouped = []
    for _, items in groupby(rows, key=lambda a: a.slot.clinician_id):
        items = list(items)
        clinician = items[0].slot.clinician
        grouped.append((clinician, running_late(clinician), items))
    return grouped


def change_status(actor: Actor, appointment_id: int, change: str) -> Appointment:
    before, after = TRANSITIONS[change]
    with database.atomic():
        appointment = Appointment.get_in_practice(actor.practice_id, appointment_id)
        if appointment.status == after:
            return appointment  # a repeated click changes nothing and records nothing
        if appointment.status != before:
            record(
                actor,
                f"appointment.{change}",
                patient_id=appointment.patient_id,
                obj=appointment,
                outcome="refused",
                detail=f"status was {appointment.status}",
            )
        else:
            appointment.status = after
            appointment.arrived_at = utcnow() if after == "arrived" else None
            appointment.save()
            record(actor, f"appointment.{change}", patient_id=appointment.patient_id, obj=appointment)
    # Refused after the transaction, so the refusal's audit record is kept (raising inside would roll it back).
    if appointment.status != after:
        raise DomainError(f"This appointment is now {appointment.status_label.lower()}")
    return appointment


def set_running_late(actor: Actor, clinician_id: int, minutes: int) -> Clinician:
    with database.atomic():
        clinician = Clinician.get_in_practice(actor.practice_id, clinician_id)
        clinician.running_late_minutes = minutes
        clinician.running_late_on = local_today()
        clinician.save()
        record(actor, "clinician.running_late", obj=clinician, detail=f"{minutes} minutes")
    return clinician
