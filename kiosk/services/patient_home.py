"""What is waiting on a patient's home page: the next appointment, prescriptions ready or decided, and new things to
read since the visit before this one. Counted only through the same definitions the pages use (R5, R6), and only
for the services the person acting may use."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.actor import Actor
from kiosk.clock import utcnow
from kiosk.models import Appointment, Clinician, CodedEntry, Letter, OnlineAccount, Practice, PrescriptionRequest, Slot
from kiosk.services.audit import viewed
from kiosk.services.record import visible_entries, visible_letters

FIRST_VISIT_DAYS = 30  # with no visit before this one, "new" means the last month


@dataclass(frozen=True)
class Waiting:
    next_appointment: Appointment | None
    prescriptions_ready: int
    prescriptions_decided: int
    new_letters: int
    new_results: int
    since: datetime

    @property
    def anything(self) -> bool:
        return bool(
            self.next_appointment
            or self.prescriptions_ready
            or self.prescriptions_decided
            or self.new_letters
            or self.new_results
        )


def waiting(actor: Actor, account: OnlineAccount, scope) -> Waiting:
    practice = Practice.get_by_id(account.practice_id)
    patient_id = scope.patient.id
    now = utcnow()
    since = account.previous_visit_at or max(account.registered_at or now, now) - timedelta(days=FIRST_VISIT_DAYS)
    upcoming = None
    if scope.allows("appointments"):
        upcoming = (
            Appointment.select(Appointment, Slot, Clinician)
            .join(Slot)
            .join(Clinician)
            .where(
                (Appointment.practice == practice.id)
                & (Appointment.patient == patient_id)
                & Appointment.status.in_(["booked", "arrived"])
                & (Slot.starts_at >= now - timedelta(minutes=30))
            )
            .order_by(Slot.starts_at)
            .first()
        )
    ready = decided = 0
    if scope.allows("prescriptions"):
        mine = PrescriptionRequest.for_practice(practice.id).where(PrescriptionRequest.patient == patient_id)
        ready = mine.where(PrescriptionRequest.status == "ready").count()
        decided = mine.where(
            PrescriptionRequest.status.in_(["approved", "rejected", "partly_approved"])
            & (PrescriptionRequest.decided_at >= since)
        ).count()
    letters = results = 0
    if scope.allows("record"):
        letters = visible_letters(practice, patient_id, scope.record_level).where(Letter.decided_at >= since).count()
        results = (
            visible_entries(practice, patient_id, scope.record_level, kind="result")
            .where((CodedEntry.reviewed_at >= since) | (~CodedEntry.abnormal & (CodedEntry.created_at >= since)))
            .count()
        )
    found = Waiting(upcoming, ready, decided, letters, results, since)
    if found.anything:
        viewed(actor, "home.view", patient_id=patient_id, detail="what is waiting")
    return found
