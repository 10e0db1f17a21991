"""The demo loader (kiosk.services.demo.load_demo). Small sizes keep it quick; the shape is the same."""

from datetime import UTC, date, datetime

import pytest

from kiosk.clock import local_today, to_local
from kiosk.models import Appointment, Clinician, CodedEntry, Medicine, Patient, Practice, Slot, StaffUser
from kiosk.passwords import verify_password
from kiosk.services import DomainError, checkin
from kiosk.services.demo import KIOSK_PATIENT, ODS, READY, STAFF, load_demo
from tests.builders import actor_for, make_kiosk, make_practice, password_hash

SMALL = {"patients": 80, "weeks": 0}  # the loader samples 60 patients for records


@pytest.fixture(autouse=True)
def _quick_hashing(monkeypatch):
    # Three argon2id hashes per load would dominate these tests; one test below checks the real ones.
    monkeypatch.setattr("kiosk.services.demo.hash_password", lambda _password: password_hash())


def demo_practice() -> Practice:
    return Practice.get(Practice.ods_code == ODS)


def test_demo_loads_a_demo_practice(app):
    load_demo(**SMALL)
    assert demo_practice().is_demo


def test_demo_loads_at_least_the_patients_asked_for(app):
    load_demo(**SMALL)  # and a few named ones the README uses
    assert Patient.for_practice(demo_practice().id).count() >= 80


def test_demo_loads_one_staff_account_per_role(app):
    load_demo(**SMALL)
    assert sorted(s.role for s in StaffUser.for_practice(demo_practice().id)) == ["clinician", "manager", "reception"]


def test_demo_staff_can_use_the_published_passwords(app, monkeypatch):
    monkeypatch.undo()
    load_demo(**SMALL)
    reception = StaffUser.get(StaffUser.email == STAFF[0][2])
    assert verify_password(reception.password_hash, STAFF[0][3])


def test_demo_loads_sessions_for_the_weeks_asked_for(app, time_machine):
    time_machine.move_to(datetime(2026, 6, 10, 8, 3, tzinfo=UTC), tick=False)  # a Wednesday
    load_demo(patients=80, weeks=1)
    days = {to_local(s.starts_at).date() for s in Slot.for_practice(demo_practice().id)}
    assert (min(days), max(days), len(days)) == (date(2026, 6, 10), date(2026, 6, 17), 6)


def test_demo_loads_clinicians_with_sessions_today(app):
    load_demo(**SMALL)
    practice = demo_practice()
    assert (Clinician.for_practice(practice.id).count(), Slot.for_practice(practice.id).count() > 0) == (4, True)


def test_demo_books_appointments(app):
    load_demo(**SMALL)
    assert Appointment.for_practice(demo_practice().id).count() > 0


def test_demo_summary_names_the_kiosk_patient(app):
    assert "Kiosk patient: surname S, female, born 14 3 1985" in load_demo(**SMALL)


@pytest.mark.parametrize("now", ["2026-06-10T08:03:00", "2026-01-15T13:47:00", "2026-03-29T16:55:00"])
def test_kiosk_demo_patient_can_check_in_on_a_kiosk_straight_away(app, time_machine, now):
    time_machine.move_to(datetime.fromisoformat(now).replace(tzinfo=UTC), tick=False)
    load_demo(**SMALL)
    kiosk = make_kiosk(demo_practice())
    letter = KIOSK_PATIENT["family_name"][0]
    choices = checkin.find(actor_for(kiosk), letter, KIOSK_PATIENT["sex"], KIOSK_PATIENT["date_of_birth"])
    assert len(choices) == 1


def test_kiosk_demo_patient_appointment_is_later_today(app, time_machine):
    time_machine.move_to(datetime(2026, 6, 10, 8, 3, tzinfo=UTC), tick=False)
    load_demo(**SMALL)
    patient = Patient.get(
        Patient.family_name == KIOSK_PATIENT["family_name"], Patient.date_of_birth == KIOSK_PATIENT["date_of_birth"]
    )
    (appointment,) = Appointment.select().join(Slot).where(Appointment.patient == patient)
    assert datetime(2026, 6, 10, 8, 3) < appointment.slot.starts_at < datetime(2026, 6, 10, 23, 0)


# A clinician reading the demo would stop at a record that contradicts itself.
PENICILLINS = ("amoxicillin", "ampicillin", "co-amoxiclav", "flucloxacillin", "penicillin", "pivmecillinam")
ADULT_ONLY = {"Ramipril", "Atorvastatin", "Metformin", "Levothyroxine", "Amlodipine"}


def medicines_of(patient) -> list[str]:
    return [m.name for m in Medicine.select().where(Medicine.patient == patient.id)]


def terms_of(patient) -> list[str]:
    return [e.term for e in CodedEntry.select().where(CodedEntry.patient == patient.id)]


def test_demo_gives_no_penicillin_to_a_patient_allergic_to_penicillin(app):
    load_demo(**SMALL)
    allergic = Patient.select().join(CodedEntry).where(CodedEntry.term == "Allergy to penicillin")
    clashes = {
        p.full_name: names
        for p in allergic
        if (names := [n for n in medicines_of(p) if any(word in n.lower() for word in PENICILLINS)])
    }
    assert allergic.count() > 0 and clashes == {}


def test_demo_george_has_a_reliever_inhaler_for_the_asthma_on_his_record(app):
    load_demo(**SMALL)
    george = Patient.get(Patient.given_name == READY["given_name"], Patient.family_name == READY["family_name"])
    assert "Asthma" in terms_of(george) and "Salbutamol inhaler" in medicines_of(george)


def test_demo_children_get_no_adult_medicines_or_problems(app):
    load_demo(patients=200, weeks=0)
    today = local_today()
    children = [p for p in Patient.for_practice(demo_practice().id) if (today - p.date_of_birth).days < 365 * 18]
    found = {p.full_name: set(medicines_of(p)) & ADULT_ONLY | set(terms_of(p)) for p in children}
    assert children and {name: what for name, what in found.items() if what} == {}


def test_demo_refuses_a_database_holding_a_real_practice(app):
    make_practice()
    with pytest.raises(DomainError, match="real practice"):
        load_demo(**SMALL)


def test_refused_demo_adds_nothing(app):
    make_practice()
    with pytest.raises(DomainError):
        load_demo(**SMALL)
    assert Practice.select().count() == 1


def test_demo_loads_beside_a_real_practice_when_forced(app):
    make_practice()
    load_demo(force=True, **SMALL)
    assert demo_practice().is_demo


def test_demo_refuses_to_load_twice(app):
    load_demo(**SMALL)
    with pytest.raises(DomainError, match="already loaded"):
        load_demo(**SMALL)


def test_demo_refuses_to_load_twice_even_when_forced(app):
    load_demo(**SMALL)
    with pytest.raises(DomainError, match="already loaded"):
        load_demo(force=True, **SMALL)
