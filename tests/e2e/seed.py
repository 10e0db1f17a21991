"""Seeding for browser tests: today's appointments placed relative to the real clock the server also reads."""

import secrets
from datetime import date, timedelta

import pytest

from kiosk.access import KIOSK_COOKIE
from kiosk.clock import to_local, utcnow
from kiosk.models import Appointment, AuditEvent
from tests import builders

BORN = date(1985, 3, 14)


def patient(practice, **overrides):
    """By default the README's demo patient: surname starting S, female, born 14 March 1985."""
    return builders.make_patient(
        practice, **{"family_name": "Shackleton", "sex": "female", "date_of_birth": BORN, **overrides}
    )


def appointment_for(person, minutes: int, clinician=None):
    """`person`'s appointment `minutes` from now (negative: it has already started)."""
    now = utcnow()
    starts_at = now.replace(second=0, microsecond=0) + timedelta(minutes=minutes)
    if to_local(starts_at).date() != to_local(now).date():
        # The server reads the real clock: near midnight "today's appointment" cannot be placed.
        pytest.skip("too close to midnight (Europe/London) to place an appointment today")
    clinician = clinician or builders.make_clinician(person.practice)
    return builders.make_appointment(person, builders.make_slot(clinician, starts_at))


def appointment_in(practice, minutes: int, clinician=None, **patient_overrides):
    return appointment_for(patient(practice, **patient_overrides), minutes, clinician)


def enrol_as_kiosk(page, practice, **overrides):
    """Give this browser the device cookie of a kiosk enrolled for `practice`, as staff enrolment would."""
    token = secrets.token_urlsafe(16)
    kiosk = builders.make_kiosk(practice, token=token, **overrides)
    page.context.add_cookies([{"name": KIOSK_COOKIE, "value": token, "domain": "127.0.0.1", "path": "/"}])
    return kiosk


def shown_time(appointment) -> str:
    return to_local(appointment.slot.starts_at).strftime("%H:%M")


def status_of(appointment) -> str:
    return Appointment.get_by_id(appointment.id).status


def kiosk_check_ins(practice) -> int:
    return (
        AuditEvent.select()
        .where((AuditEvent.practice == practice.id) & (AuditEvent.action == "kiosk.check_in"))
        .count()
    )
