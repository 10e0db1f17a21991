"""Builders: make_x(**overrides) returns a saved row with plain, visible defaults."""

import itertools
from datetime import date, datetime, timedelta
from functools import cache

from kiosk.access import Actor
from kiosk.clock import local_to_utc, local_today, utcnow
from kiosk.models import Appointment, Clinician, Kiosk, Patient, Practice, Slot, StaffUser
from kiosk.models.people import nhs_check_digit
from kiosk.passwords import hash_password

PASSWORD = "Quiet harbour lamp 2041"
_seq = itertools.count(1)


@cache
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2id at full cost is slow: hash the shared test password once


def _nhs_number(n: int) -> str:
    for k in itertools.count(n * 10):
        body = f"999{k % 10**6:06d}"
        check = nhs_check_digit(body)
        if check is not None:
            return body + str(check)
    raise AssertionError


def valid_nhs_numbers(count: int, start: int) -> list[str]:
    """The first `count` valid NHS numbers whose nine-digit body is `start` or above (for practice lists)."""
    found = []
    for body in itertools.count(start):
        if (check := nhs_check_digit(f"{body:09d}")) is not None:
            found.append(f"{body:09d}{check}")
            if len(found) == count:
                return found
    raise AssertionError("unreachable")


PRACTICE_LIST_HEADER = (
    "nhs_number,title,given_name,family_name,date_of_birth,sex,address,postcode,mobile,email,nominated_pharmacy"
)


def practice_list_csv(count: int, start: int = 1, *, family: str = "Shaw") -> str:
    """A practice list export of `count` patients, as `flask import-patients` and the upload page take it."""
    lines = [PRACTICE_LIST_HEADER]
    for i, number in enumerate(valid_nhs_numbers(count, 990_000_000 + start)):
        lines.append(
            f'{number},Ms,Given{i},{family},14/03/1985,female,"{i} High Street, Leeds",LS1 4AP,07700 900123,'
            f"p{i}@example.com,"
        )
    return "\r\n".join(lines) + "\r\n"


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
    values = {
        "practice": practice,
        "role": role,
        "name": f"{role.title()} {n}",
        "email": f"{role}{n}@example.test",
        "password_hash": password_hash(),
    }
    return StaffUser.create(**{**values, **overrides})


def make_slot(clinician: Clinician, starts_at: datetime | None = None, **overrides) -> Slot:
    """starts_at is naive UTC; by default 20 minutes from now."""
    values = {
        "practice": clinician.practice_id,
        "clinician": clinician,
        "starts_at": starts_at or utcnow().replace(second=0, microsecond=0) + timedelta(minutes=20),
        "length_minutes": 10,
        "kind": "gp",
        "released_online": True,
    }
    return Slot.create(**{**values, **overrides})


def make_appointment(patient: Patient, slot: Slot | None = None, **overrides) -> Appointment:
    if slot is None:
        clinician = Clinician.for_practice(patient.practice_id).first() or make_clinician(patient.practice)
        slot = make_slot(clinician)
    return Appointment.create(**{"practice": patient.practice_id, "slot": slot, "patient": patient, **overrides})


def make_kiosk(practice: Practice, token: str = "test-kiosk-token", **overrides) -> Kiosk:
    from kiosk.access import token_digest

    staff = overrides.pop("enrolled_by", None) or make_staff(practice, "reception")
    return Kiosk.create(
        **{
            "practice": practice,
            "name": "Waiting room",
            "token_hash": token_digest(token),
            "enrolled_by": staff,
            **overrides,
        }
    )


def local_time_today(hour: int, minute: int = 0) -> datetime:
    """Naive UTC for a London wall-clock time today."""
    return local_to_utc(datetime.combine(local_today(), datetime.min.time()).replace(hour=hour, minute=minute))


def actor_for(who, device: str = "127.0.0.1 test") -> Actor:
    """The Actor a service sees for a member of staff or an enrolled kiosk (as kiosk.access.current_actor makes it)."""
    if isinstance(who, Kiosk):
        return Actor("kiosk", who.id, who.name, "kiosk", who.practice_id, f"kiosk {who.id} ({who.name})")
    return Actor("staff", who.id, who.name, who.role, who.practice_id, device)


def make_staff_session(client, staff: StaffUser) -> str:
    """Signs `staff` in on the test client by creating the server-side session directly.

    For tests about something other than signing in: it skips the argon2 check (tens of milliseconds each) that the
    sign-in tests exercise. Returns the session id the cookie carries.
    """
    import json
    import secrets

    from kiosk.models import WebSession
    from kiosk.sessions import _digest

    sid = secrets.token_urlsafe(32)
    WebSession.create(
        key=_digest(sid),
        data=json.dumps({"staff_id": staff.id}),
        user_kind="staff",
        user_id=staff.id,
        last_seen_at=utcnow(),
    )
    client.set_cookie(client.application.config.get("SESSION_COOKIE_NAME", "session"), sid)
    return sid


def make_online_account(practice: Practice, patient: Patient | None = None, **overrides):
    """An online account (issue 3). With `patient` it is theirs; without, a proxy-only person. Services off."""
    from kiosk.models import OnlineAccount

    n = next(_seq)
    values = {
        "practice": practice,
        "patient": patient,
        "given_name": patient.given_name if patient else "Robin",
        "family_name": patient.family_name if patient else "Proxy",
        "date_of_birth": patient.date_of_birth if patient else date(1975, 5, 5),
        "account_id": f"ACCT{n:06d}",
    }
    return OnlineAccount.create(**{**values, **overrides})


def make_registered_account(practice: Practice, patient: Patient | None = None, **overrides):
    """An account that has completed registration with PASSWORD and whose identity reception verified."""
    values = {"password_hash": password_hash(), "registered_at": utcnow()}
    account = make_online_account(practice, patient, **{**values, **overrides})
    make_identity_check(account)
    return account


def make_identity_check(account, verified_by: StaffUser | None = None, **overrides):
    from kiosk.models import IdentityCheck

    staff = verified_by or make_staff(account.practice, "reception")
    values = {
        "practice": account.practice_id,
        "account": account,
        "method": "documents",
        "evidence": "Passport and a council tax bill",
        "verified_by": staff,
    }
    return IdentityCheck.create(**{**values, **overrides})


def make_proxy_link(proxy, patient: Patient, **overrides):
    """An active proxy link (by default consent, appointments only, no end date)."""
    from kiosk.models import ProxyLink

    staff = overrides.pop("decided_by", None) or make_staff(patient.practice, "reception")
    values = {
        "practice": patient.practice_id,
        "proxy": proxy,
        "patient": patient,
        "basis": "consent",
        "appointments": True,
        "decided_by": staff,
        "reason": "Asked for by the patient",
    }
    return ProxyLink.create(**{**values, **overrides})


def make_coded_entry(patient: Patient, snomed_code: str, **overrides):
    from kiosk.models import CodedEntry

    values = {
        "practice": patient.practice_id,
        "patient": patient,
        "kind": "admin",
        "snomed_code": snomed_code,
        "term": f"Code {snomed_code}",
        "effective_on": local_today(),
    }
    return CodedEntry.create(**{**values, **overrides})


def make_patient_session(client, account, *, on_kiosk: bool = False) -> str:
    """Signs a patient or proxy in on the test client by creating the server-side session directly (see
    make_staff_session). Returns the session id the cookie carries."""
    import json
    import secrets

    from kiosk.models import WebSession
    from kiosk.sessions import _digest

    sid = secrets.token_urlsafe(32)
    data = {"account_id": account.id, **({"on_kiosk": True} if on_kiosk else {})}
    WebSession.create(
        key=_digest(sid), data=json.dumps(data), user_kind="patient", user_id=account.id, last_seen_at=utcnow()
    )
    client.set_cookie(client.application.config.get("SESSION_COOKIE_NAME", "session"), sid)
    return sid


def make_medicine(patient: Patient, **overrides):
    """A repeat medicine that can be ordered today: last issued 28 days ago, every 28 days, review in 6 months."""
    from kiosk.models import Medicine

    values = {
        "practice": patient.practice_id,
        "patient": patient,
        "name": "Amlodipine",
        "strength": "5mg",
        "dose": "One tablet each morning",
        "quantity": "28 tablets",
        "kind": "repeat",
        "interval_days": 28,
        "last_issued_on": local_today() - timedelta(days=28),
        "issues_left": 6,
        "review_on": local_today() + timedelta(days=180),
    }
    return Medicine.create(**{**values, **overrides})


def make_prescription_request(patient: Patient, medicines: list, **overrides):
    """A request for `medicines`, waiting for a clinician (each item 'requested')."""
    import secrets

    from kiosk.models import PrescriptionRequest, RequestItem

    values = {"practice": patient.practice_id, "patient": patient, "token": secrets.token_urlsafe(24)}
    request = PrescriptionRequest.create(**{**values, **overrides})
    for medicine in medicines:
        RequestItem.create(practice=patient.practice_id, request=request, medicine=medicine)
    return request


def make_letter(patient: Patient, **overrides):
    """A clinical letter received a week ago, as filed: awaiting review, so invisible to the patient (R5).

    Give status="cleared" (or "withheld" with withhold_reason) to skip the review; filed_by defaults to a new
    receptionist of the patient's practice.
    """
    from kiosk.models import Letter

    staff = overrides.pop("filed_by", None) or make_staff(patient.practice, "reception")
    values = {
        "practice": patient.practice_id,
        "patient": patient,
        "kind": "outpatient",
        "received_on": local_today() - timedelta(days=7),
        "author": "Cardiology clinic, City Hospital",
        "body": "Seen in clinic today.",
        "filed_by": staff,
    }
    return Letter.create(**{**values, **overrides})


def make_entry(patient: Patient, kind: str = "problem", **overrides):
    """A coded entry of `kind` that patients at a level including that kind can see (no letter, not hidden)."""
    n = next(_seq)
    code = overrides.pop("snomed_code", f"{100000 + n}")
    return make_coded_entry(patient, code, **{"kind": kind, "term": f"Entry {n}", **overrides})


def make_rota_template(clinician: Clinician, **overrides):
    """A rota for `clinician` from today with no end date and no sessions (add them with make_rota_session)."""
    from kiosk.models import RotaTemplate

    values = {"practice": clinician.practice_id, "clinician": clinician, "starts_on": local_today()}
    return RotaTemplate.create(**{**values, **overrides})


def make_rota_session(template, weekday: int, **overrides):
    """A weekly session of `template`: 09:00 to 10:00 London time, 10-minute GP slots released online."""
    from datetime import time

    from kiosk.models import RotaSession

    values = {
        "practice": template.practice_id,
        "template": template,
        "weekday": weekday,
        "starts": time(9),
        "ends": time(10),
        "length_minutes": 10,
        "kind": "gp",
        "released_online": True,
    }
    return RotaSession.create(**{**values, **overrides})


def make_closure(practice: Practice, day: date, **overrides):
    """The whole practice closed all day on `day` (give clinician, starts and ends to narrow it)."""
    from kiosk.models import Closure

    return Closure.create(**{"practice": practice, "day": day, "reason": "Bank holiday", **overrides})


def make_contact_preference(practice: Practice, *, account=None, patient: Patient | None = None, **overrides):
    """Contact details and choices for an online account (or, with patient, a patient without one); by default
    texts to 07700 900123 about everything, no emails."""
    from kiosk.models import ContactPreference

    values = {
        "practice": practice,
        "account": account,
        "patient": patient,
        "mobile": "07700900123",
        "sms_appointments": True,
        "sms_prescriptions": account is not None,
        "sms_letters": account is not None,
    }
    return ContactPreference.create(**{**values, **overrides})
