"""Journeys in lynx: a text browser with no JavaScript and no CSS still books, cancels, orders and checks in.

Each journey signs in through the real forms and checks what was recorded in the database, not only the screen.
How lynx is driven: tests/e2e/lynx.py.
"""

from datetime import datetime, time, timedelta

import pytest

from kiosk.clock import local_to_utc, local_today
from kiosk.models import Appointment, PrescriptionRequest, RequestItem
from tests import builders
from tests.e2e.lynx import Lynx, sign_in_patient, sign_in_staff
from tests.e2e.seed import appointment_in, status_of

pytestmark = pytest.mark.e2e
TOMORROW = local_today() + timedelta(days=1)


@pytest.fixture
def lynx(live_server, tmp_path):
    with Lynx(live_server.url, tmp_path / "lynx") as session:
        yield session


def test_a_patient_books_and_cancels_an_appointment_in_lynx(lynx, practice):
    clinician = builders.make_clinician(practice, display_name="Nurse K Lewis", profession="nurse")
    slot = builders.make_slot(clinician, local_to_utc(datetime.combine(TOMORROW, time(10))), kind="nurse")
    patient = builders.make_patient(practice, given_name="George", family_name="Hall")
    account = builders.make_registered_account(practice, patient, appointments=True)

    sign_in_patient(lynx, account)
    lynx.follow("Book an appointment")
    lynx.choose("Nurse appointment")
    assert "Nurse appointment: free times" in lynx.press("Show free times")
    lynx.follow("10:00 Nurse K Lewis")
    assert "Appointment booked" in lynx.press("Book this appointment")
    booked = Appointment.get(Appointment.slot == slot.id)
    assert (booked.patient_id, booked.status) == (patient.id, "booked")

    lynx.follow("See all your appointments")
    lynx.follow("Cancel this appointment")
    assert "Appointment cancelled" in lynx.press("Yes, cancel this appointment")
    assert Appointment.get_by_id(booked.id).status == "cancelled"


def test_a_patient_orders_a_repeat_medicine_in_lynx(lynx, practice):
    patient = builders.make_patient(practice, given_name="Rosa", family_name="Patel")
    account = builders.make_registered_account(practice, patient, prescriptions=True)
    medicine = builders.make_medicine(patient, name="Amlodipine", strength="5mg")
    builders.make_medicine(patient, name="Ramipril", strength="2.5mg")

    sign_in_patient(lynx, account)
    lynx.follow("Order repeat medicines")
    lynx.choose("Amlodipine 5mg")
    assert "Check your order" in lynx.press("Continue")
    lynx.press("Order these medicines")

    request = PrescriptionRequest.get(PrescriptionRequest.patient == patient.id)
    assert [item.medicine_id for item in RequestItem.select().where(RequestItem.request == request.id)] == [medicine.id]


def test_reception_marks_a_patient_arrived_in_lynx(lynx, practice):
    appointment = appointment_in(practice, 10, given_name="Ottoline", family_name="Shackleton")
    other = appointment_in(practice, 30, given_name="Bertram", family_name="Tennant")

    sign_in_staff(lynx, builders.make_staff(practice, "reception"))
    assert "Today’s arrivals" in lynx.follow("Arrivals")
    page = lynx.press("Mark arrived: Ottoline Shackleton")

    assert "Ottoline Shackleton marked as arrived" in page
    assert (status_of(appointment), status_of(other)) == ("arrived", "booked")
