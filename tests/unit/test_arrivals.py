"""kiosk.services.arrivals.todays_list: today's live appointments for one practice, by clinician."""

from datetime import UTC, datetime

import pytest

from kiosk.services.arrivals import todays_list
from tests.builders import make_appointment, make_clinician, make_patient, make_practice, make_slot


def appointment_at(practice, starts_at: datetime, clinician=None, **overrides):
    clinician = clinician or make_clinician(practice)
    return make_appointment(make_patient(practice), make_slot(clinician, starts_at), **overrides)


def listed_ids(practice) -> list[int]:
    return [a.id for _, _, appointments in todays_list(practice.id) for a in appointments]


@pytest.fixture
def midday_in_june(time_machine):
    time_machine.move_to(datetime(2026, 6, 10, 11, 0, tzinfo=UTC), tick=False)


def test_appointments_are_grouped_under_their_clinician(app, midday_in_june):
    practice = make_practice()
    patel, okafor = (
        make_clinician(practice, display_name="Dr A Patel"),
        make_clinician(practice, display_name="Dr J Okafor"),
    )
    a1 = appointment_at(practice, datetime(2026, 6, 10, 9, 0), patel)
    b1 = appointment_at(practice, datetime(2026, 6, 10, 9, 10), okafor)
    a2 = appointment_at(practice, datetime(2026, 6, 10, 9, 20), patel)
    grouped = [(c.display_name, [a.id for a in appts]) for c, _, appts in todays_list(practice.id)]
    assert grouped == [("Dr A Patel", [a1.id, a2.id]), ("Dr J Okafor", [b1.id])]


def test_appointments_are_in_time_order_within_a_clinician(app, midday_in_june):
    practice = make_practice()
    clinician = make_clinician(practice)
    later = appointment_at(practice, datetime(2026, 6, 10, 15, 0), clinician)
    sooner = appointment_at(practice, datetime(2026, 6, 10, 8, 0), clinician)
    assert listed_ids(practice) == [sooner.id, later.id]


def test_another_practices_appointments_are_not_listed(app, midday_in_june):
    practice = make_practice()
    appointment_at(make_practice(), datetime(2026, 6, 10, 9, 0))
    assert listed_ids(practice) == []


def test_cancelled_appointments_are_not_listed(app, midday_in_june):
    practice = make_practice()
    appointment_at(practice, datetime(2026, 6, 10, 9, 0), status="cancelled")
    assert listed_ids(practice) == []


@pytest.mark.parametrize("status", ["booked", "arrived", "seen", "dna"])
def test_appointments_in_every_live_status_are_listed(app, midday_in_june, status):
    practice = make_practice()
    appointment = appointment_at(practice, datetime(2026, 6, 10, 9, 0), status=status)
    assert listed_ids(practice) == [appointment.id]


def test_yesterday_and_tomorrow_are_not_listed(app, midday_in_june):
    practice = make_practice()
    appointment_at(practice, datetime(2026, 6, 9, 12, 0))
    appointment_at(practice, datetime(2026, 6, 11, 12, 0))
    assert listed_ids(practice) == []


def test_first_hour_of_a_summer_day_is_today_although_utc_says_yesterday(app, midday_in_june):
    practice = make_practice()
    early = appointment_at(practice, datetime(2026, 6, 9, 23, 30))  # 00:30 BST on the 10th
    assert listed_ids(practice) == [early.id]


def test_on_spring_change_day_the_23_hour_day_is_listed_and_nothing_after(app, time_machine):
    time_machine.move_to(datetime(2026, 3, 29, 12, 0, tzinfo=UTC), tick=False)
    practice = make_practice()
    clinician = make_clinician(practice)
    first = appointment_at(practice, datetime(2026, 3, 29, 0, 30), clinician)  # 00:30 GMT
    last = appointment_at(practice, datetime(2026, 3, 29, 22, 50), clinician)  # 23:50 BST
    appointment_at(practice, datetime(2026, 3, 29, 23, 10), clinician)  # 00:10 BST on the 30th
    appointment_at(practice, datetime(2026, 3, 28, 23, 50), clinician)  # 23:50 GMT on the 28th
    assert listed_ids(practice) == [first.id, last.id]


def test_on_autumn_change_day_the_25_hour_day_is_listed_and_nothing_else(app, time_machine):
    time_machine.move_to(datetime(2026, 10, 25, 12, 0, tzinfo=UTC), tick=False)
    practice = make_practice()
    clinician = make_clinician(practice)
    first = appointment_at(practice, datetime(2026, 10, 24, 23, 10), clinician)  # 00:10 BST on the 25th
    last = appointment_at(practice, datetime(2026, 10, 25, 23, 50), clinician)  # 23:50 GMT
    appointment_at(practice, datetime(2026, 10, 24, 22, 50), clinician)  # 23:50 BST on the 24th
    appointment_at(practice, datetime(2026, 10, 26, 0, 10), clinician)  # 00:10 GMT on the 26th
    assert listed_ids(practice) == [first.id, last.id]


def test_late_evening_of_the_autumn_change_day_still_lists_that_day(app, time_machine):
    time_machine.move_to(datetime(2026, 10, 25, 23, 30, tzinfo=UTC), tick=False)  # 23:30 GMT, still the 25th
    practice = make_practice()
    appointment = appointment_at(practice, datetime(2026, 10, 25, 9, 0))
    assert listed_ids(practice) == [appointment.id]
