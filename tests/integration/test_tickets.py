"""Ticket numbers (issue 13): each check-in, at the kiosk or by reception, gets the practice's next number today."""

import threading
from datetime import date, timedelta

import pytest
from peewee import IntegrityError

from kiosk.clock import local_today
from kiosk.db import database
from kiosk.models import Ticket
from kiosk.services import checkin
from tests.builders import (
    actor_for,
    make_appointment,
    make_clinician,
    make_kiosk,
    make_patient,
    make_practice,
    make_slot,
    make_staff,
    make_staff_session,
)
from tests.integration.test_kiosk_checkin import walk_to_confirm
from tests.pages import check_html


def shaw(practice, clinician=None):
    patient = make_patient(
        practice, given_name="Olwen", family_name="Shawcross", sex="female", date_of_birth=date(1985, 3, 14)
    )
    return make_appointment(patient, make_slot(clinician) if clinician else None)


def check_in_at_kiosk(client, appointment):
    walk_to_confirm(client)
    return client.form_post("/kiosk/confirm", {"appointment": appointment.id}, follow_redirects=True)


def test_kiosk_check_in_shows_the_ticket_number_in_large_type_and_no_name(kiosk_client, practice):
    appointment = shaw(practice)
    tree = check_html(check_in_at_kiosk(kiosk_client, appointment).get_data(as_text=True))
    assert tree.css_first(".app-ticket").text(separator=" ", strip=True) == "Your number is 1"
    assert tree.css_first(".app-ticket__number").text() == "1"
    assert "Olwen" not in tree.html and "Shawcross" not in tree.html


def todays_appointments(practice, count):
    """`count` appointments a second apart, all inside the check-in window."""
    clinician = make_clinician(practice)
    base = make_slot(clinician).starts_at
    slots = [make_slot(clinician, base + timedelta(seconds=i + 1)) for i in range(count)]
    return [make_appointment(make_patient(practice), slot) for slot in slots]


def test_each_check_in_today_gets_the_next_number(practice):
    actor = actor_for(make_kiosk(practice))
    assert [checkin.confirm(actor, a.id).ticket for a in todays_appointments(practice, 3)] == [1, 2, 3]


def test_numbers_are_per_practice(practice):
    other = make_practice(ods_code="B11111", name="Other")
    first = checkin.confirm(actor_for(make_kiosk(practice)), make_appointment(make_patient(practice)).id)
    second = checkin.confirm(actor_for(make_kiosk(other, token="other")), make_appointment(make_patient(other)).id)
    assert (first.ticket, second.ticket) == (1, 1)


def test_double_tap_keeps_the_same_number(practice):
    actor = actor_for(make_kiosk(practice))
    appointment = make_appointment(make_patient(practice))
    assert [checkin.confirm(actor, appointment.id).ticket for _ in range(2)] == [1, 1]
    assert Ticket.select().count() == 1


def test_reception_marking_arrived_issues_a_ticket(client, practice):
    make_staff_session(client, make_staff(practice, "reception"))
    appointment = make_appointment(make_patient(practice))
    client.form_post(f"/staff/arrivals/{appointment.id}/arrive", token_from="/staff/arrivals/")
    ticket = Ticket.get(Ticket.appointment == appointment.id)
    assert (ticket.number, ticket.day, ticket.practice_id) == (1, local_today(), practice.id)


def test_database_refuses_a_second_ticket_with_the_same_number(practice):
    one, two = todays_appointments(practice, 2)
    Ticket.create(practice=practice, appointment=one, day=local_today(), number=7)
    with pytest.raises(IntegrityError), database.atomic():
        Ticket.create(practice=practice, appointment=two, day=local_today(), number=7)


PARALLEL = 8


def test_check_ins_at_the_same_moment_get_different_numbers(app, practice):
    """Real parallel transactions: one thread and one database connection per check-in, released together."""
    actor = actor_for(make_kiosk(practice))
    clinician = make_clinician(practice)
    base = make_slot(clinician).starts_at
    appointments = [
        make_appointment(make_patient(practice), make_slot(clinician, base.replace(second=i + 1)))
        for i in range(PARALLEL)
    ]
    barrier = threading.Barrier(PARALLEL)
    results, errors = {}, []

    def check_in(appointment_id):
        try:
            with app.app_context():
                barrier.wait()
                results[appointment_id] = checkin.confirm(actor, appointment_id).ticket
        except Exception as error:  # noqa: BLE001 - reported below, so a failure in a thread fails the test
            errors.append(error)
        finally:
            database.close()

    threads = [threading.Thread(target=check_in, args=(a.id,)) for a in appointments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(results.values()) == list(range(1, PARALLEL + 1))
