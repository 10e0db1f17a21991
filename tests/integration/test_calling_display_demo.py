"""The calling display over a day of calls among the demo practice's patients (issue 13): its pages and fragments
never carry a name, a date of birth or an NHS number, whoever is called."""

import re

import pytest

from kiosk.access import KIOSK_COOKIE
from kiosk.models import Clinician, Patient, Practice
from kiosk.services import calling
from kiosk.services.demo import ODS, load_demo
from tests.builders import (
    actor_for,
    local_time_today,
    make_appointment,
    make_kiosk,
    make_slot,
    make_staff,
    password_hash,
)

CALLS = 48  # a clinic day: four clinicians, twelve patients each


@pytest.fixture(autouse=True)
def _quick_hashing(monkeypatch):
    monkeypatch.setattr("kiosk.services.demo.hash_password", lambda _password: password_hash())


def test_a_day_of_demo_calls_never_shows_who_was_called(client):
    load_demo(patients=80, weeks=0)
    practice = Practice.get(Practice.ods_code == ODS)
    clinicians = list(Clinician.for_practice(practice.id).where(Clinician.room != ""))
    assert clinicians
    staff = make_staff(practice, "clinician")
    patients = list(Patient.for_practice(practice.id).order_by(Patient.id).limit(CALLS))
    make_kiosk(practice, token="display-token", name="Waiting room TV", kind="display")
    client.set_cookie(KIOSK_COOKIE, "display-token")
    bodies = []
    for i, patient in enumerate(patients):
        clinician = clinicians[i % len(clinicians)]
        slot = make_slot(clinician, local_time_today(8 + i // 6, (i % 6) * 10 + 1))
        appointment = make_appointment(patient, slot, status="arrived")
        calling.call_in(actor_for(staff), appointment.id)
        if i % 6 == 5:
            bodies.append(client.get("/display/").get_data(as_text=True))
            bodies.append(client.get("/display/", headers={"HX-Request": "true"}).get_data(as_text=True))
    assert len(bodies) == 2 * CALLS // 6 and f'data-number="{CALLS}"' in bodies[-1]
    for body in bodies:
        for patient in patients:
            for value in (patient.given_name, patient.family_name, patient.nhs_number):
                assert not re.search(rf"\b{re.escape(value)}\b", body), value
            for shown in (patient.date_of_birth.isoformat(), patient.date_of_birth.strftime("%d/%m/%Y")):
                assert shown not in body
        assert not re.search(r"\b\d{3} ?\d{3} ?\d{4}\b", body)  # nothing shaped like an NHS number
