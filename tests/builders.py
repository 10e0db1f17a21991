"""Builders: make_x(**overrides) returns a saved row with plain, visible defaults."""

import itertools
from datetime import date, datetime, timedelta
from functools import cache

from kiosk.access import Actor
from kiosk.clock import local_to_utc, local_today, utcnow
from kiosk.models import Appointment, Clinician, Kiosk, Patient, Practice, Slot, StaffUser
from kiosk.passwords import hash_password

PASSWORD = "Quiet harbour lamp 2041"
_seq = itertools.count(1)


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2id at full cost is slow: hash the shared test password once


def _nhs_number(n: int) -> str:
    for k in itertools.count(n * 10):
        body = f"999{k % 10**6:06d}"
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if check != 10:
            return body + str(check)
    raise AssertionError


def make_practice(**overrides) -> Practice:
    n = next(_seq)
    return Practice.create(**{"name": f"Practice {n}", "ods_code": f"T{n:05d}", **overrides})


def make_patient(practice: Practice, **overrides) -> Patient:
    n = next(_seq)
    values = {
        "practice": practice,
        "nhs_number": _nhs_number(n),
        "given_name": "Alex",
        "family_name": "Smith",
        "date_of_birth": date(1980, 1, 1),
        "sex": "female",
    }
    return Patient.create(**{**values, **overrides})


def make_clinician(practice: Practice, **overrides) -> Clinician:
    return Clinician.create(**{"practice": practice, "display_name": "Dr A Patel", "profession": "gp", **overrides})


def make_staff(practice: Practice, role: str = "reception", **overrides) -> StaffUser:
    n = next(_seq)
    values = {"practice": practice, "role": role, "name": f"{role.title()} {n}", "email": f"{role}{n}@example.test",
              "password_hash": password_hash()}
    return StaffUser.create(**{**values, **overrides})


def make_slot(clinician: Clinician, starts_at: datetime | None = None, **overrides) -> Slot:
    """starts_at is naive UTC; by default 20 minutes from now."""
    values = {"practice": clinician.practice_id, "clinician": clinician,
              "starts_at": starts_at or utcnow().replace(second=0, microsecond=0) + timedelta(minutes=20),
              "length_minutes": 10, "kind": "gp", "released_online": True}
    return Slot.create(**{**values, **overrides})


def make_appointment(patient: Patient, slot: Slot | None = None, **overrides) -> Appointment:
    if slot is None:
        clinician = Clinician.for_practice(patient.practice_id).first() or make_clinician(patient.practice)
        slot = make_slot(clinician)
    return Appointment.create(**{"practice": patient.practice_id, "slot": slot, "patient": patient, **overrides})


def make_kiosk(practice: Practice, token: str = "test-kiosk-token", **overrides) -> Kiosk:
    from kiosk.access import token_digest

    staff = overrides.pop("enrolled_by", None) or make_staff(practice, "reception")
    return Kiosk.create(**{"practice": practice, "name": "Waiting room", "token_hash": token_digest(token),
                           "enrolled_by": staff, **overrides})


def local_time_today(hour: int, minute: int = 0) -> datetime:
    """Naive UTC for a London wall-clock time today."""
    return local_to_utc(datetime.combine(local_today(), datetime.min.time()).replace(hour=hour, minute=minute))


def actor_for(who, device: str = "127.0.0.1 test") -> Actor:
    """The Actor a service sees for a member of staff or an enrolled kiosk (as kiosk.access.current_actor makes it)."""
    if isinstance(who, Kiosk):
        return Actor("kiosk", who.id, who.name, "kiosk", who.practice_id, f"kiosk {who.id} ({who.name})")
    return Actor("staff", who.id, who.name, who.role, who.practice_id, device)
