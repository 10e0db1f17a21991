"""kiosk.services.booking: the practice's online rules, the database's one-live-booking rule, tokens, cancelling."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from peewee import IntegrityError

from kiosk.access import Actor
from kiosk.clock import local_to_utc
from kiosk.db import database
from kiosk.filters import slot_time
from kiosk.models import Appointment, AuditEvent
from kiosk.services import DomainError, booking
from kiosk.services.diary import create_session
from tests.builders import (
    actor_for,
    make_appointment,
    make_clinician,
    make_patient,
    make_practice,
    make_slot,
    make_staff,
)

NOW = datetime(2026, 6, 10, 9, 0)  # a Wednesday, 10:00 in London (BST)
TOMORROW_10 = datetime(2026, 6, 11, 9, 0)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW.replace(tzinfo=UTC), tick=False)


def patient_actor(patient, role="patient", device="127.0.0.1 Mozilla/5.0 (Linux; Android 9)", name=None) -> Actor:
    return Actor("patient", patient.id, name or patient.full_name, role, patient.practice_id, device)


def kiosk_device_actor(patient) -> Actor:
    return patient_actor(patient, device="kiosk 4 (Waiting room)")


@pytest.fixture
def world(app):
    practice = make_practice(phone="01632 960001")
    clinician = make_clinician(practice)
    return practice, clinician, make_patient(practice)


def book(patient, slot, form="t-1", actor=None):
    return booking.book(actor or patient_actor(patient), patient.id, slot.id, token=form)


def events(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


# Booking online -------------------------------------------------------------------------------------------------


def test_online_booking_books_the_slot_for_the_patient(world):
    _, clinician, patient = world
    slot = make_slot(clinician, TOMORROW_10)
    appointment = book(patient, slot)
    assert (appointment.patient_id, appointment.slot_id, appointment.status) == (patient.id, slot.id, "booked")


def test_booking_from_a_phone_is_recorded_as_online(world):
    _, clinician, patient = world
    assert book(patient, make_slot(clinician, TOMORROW_10)).booked_via == "online"


def test_booking_on_the_kiosk_is_recorded_as_kiosk(world):
    _, clinician, patient = world
    assert book(patient, make_slot(clinician, TOMORROW_10), actor=kiosk_device_actor(patient)).booked_via == "kiosk"


def test_booking_is_audited_with_who_role_device_and_channel(world):
    _, clinician, patient = world
    appointment = book(patient, make_slot(clinician, TOMORROW_10))
    (event,) = events("appointment.book")
    assert (
        event.actor_kind,
        event.role,
        event.patient_id,
        event.object_id,
        event.device.startswith("127.0.0.1"),
        event.detail.endswith("via online"),
    ) == ("patient", "patient", patient.id, appointment.id, True, True)


def test_proxy_booking_is_audited_as_the_proxy(world):
    _, clinician, patient = world
    book(patient, make_slot(clinician, TOMORROW_10), actor=patient_actor(patient, role="proxy", name="Pat Parent"))
    (event,) = events("appointment.book")
    assert (event.role, event.actor_name) == ("proxy", "Pat Parent")


def test_slot_booked_by_someone_else_is_refused_politely(world):
    practice, clinician, patient = world
    slot = make_slot(clinician, TOMORROW_10)
    make_appointment(make_patient(practice), slot)
    with pytest.raises(booking.SlotTaken, match="^Sorry, that time has just been booked by someone else$"):
        book(patient, slot)


def test_refused_booking_is_audited_as_refused(world):
    practice, clinician, patient = world
    slot = make_slot(clinician, TOMORROW_10)
    make_appointment(make_patient(practice), slot)
    with pytest.raises(booking.SlotTaken):
        book(patient, slot)
    assert [(e.outcome, e.patient_id) for e in events("appointment.book")] == [("refused", patient.id)]


def test_refused_booking_leaves_nothing_half_done(world):
    practice, clinician, patient = world
    slot = make_slot(clinician, TOMORROW_10)
    make_appointment(make_patient(practice), slot)
    with pytest.raises(booking.SlotTaken):
        book(patient, slot)
    assert Appointment.select().where(Appointment.patient == patient.id).count() == 0


def test_a_cancelled_booking_frees_the_slot(world):
    practice, clinician, patient = world
    slot = make_slot(clinician, TOMORROW_10)
    make_appointment(make_patient(practice), slot, status="cancelled")
    assert book(patient, slot).status == "booked"


def test_the_database_decides_when_the_check_misses_a_concurrent_booking(world, monkeypatch):
    # What a concurrent winner looks like: the check saw the slot free, the INSERT meets the other booking.
    practice, clinician, patient = world
    slot = make_slot(clinician, TOMORROW_10)
    make_appointment(make_patient(practice), slot)
    monkeypatch.setattr(booking, "_is_taken", lambda _slot_id: False)
    with pytest.raises(booking.SlotTaken):
        book(patient, slot)
    assert Appointment.select().where(Appointment.slot == slot.id).count() == 1


def test_the_database_refuses_a_second_live_appointment_for_a_slot(world):
    practice, clinician, patient = world
    slot = make_slot(clinician, TOMORROW_10)
    make_appointment(patient, slot)
    with pytest.raises(IntegrityError), database.atomic():
        make_appointment(make_patient(practice), slot)


def test_the_database_allows_any_number_of_cancelled_appointments_for_a_slot(world):
    practice, clinician, patient = world
    slot = make_slot(clinician, TOMORROW_10)
    for _ in range(3):
        make_appointment(make_patient(practice), slot, status="cancelled")
    make_appointment(patient, slot)
    assert Appointment.select().where(Appointment.slot == slot.id).count() == 4


def test_the_same_token_twice_gives_one_booking(world):
    _, clinician, patient = world
    slot = make_slot(clinician, TOMORROW_10)
    first, second = book(patient, slot, form="same"), book(patient, slot, form="same")
    assert (first.id == second.id, Appointment.select().count(), len(events("appointment.book"))) == (True, 1, 1)


def test_the_same_token_for_another_patient_is_refused(world):
    practice, clinician, patient = world
    book(patient, make_slot(clinician, TOMORROW_10), form="same")
    other = make_patient(practice)
    with pytest.raises(DomainError, match="already been used"):
        book(other, make_slot(clinician, TOMORROW_10 + timedelta(hours=1)), form="same")


def test_the_database_refuses_a_token_used_twice(world):
    practice, clinician, patient = world
    make_appointment(patient, make_slot(clinician, TOMORROW_10), booking_token="same")
    with pytest.raises(IntegrityError), database.atomic():
        make_appointment(patient, make_slot(clinician, TOMORROW_10 + timedelta(hours=1)), booking_token="same")


# The practice's rules ----------------------------------------------------------------------------------------------


def test_slot_not_released_online_cannot_be_booked_online(world):
    _, clinician, patient = world
    with pytest.raises(booking.NotOffered):
        book(patient, make_slot(clinician, TOMORROW_10, released_online=False))


def test_slot_that_has_started_cannot_be_booked_online(world):
    _, clinician, patient = world
    with pytest.raises(booking.NotOffered):
        book(patient, make_slot(clinician, NOW))


def test_slot_on_the_last_day_of_the_horizon_can_be_booked(world):
    _, clinician, patient = world
    last = local_to_utc(datetime(2026, 7, 8, 17, 0))  # 28 days after 10 June
    assert book(patient, make_slot(clinician, last)).status == "booked"


def test_slot_beyond_the_horizon_cannot_be_booked_online(world):
    _, clinician, patient = world
    with pytest.raises(booking.NotOffered):
        book(patient, make_slot(clinician, local_to_utc(datetime(2026, 7, 9, 9, 0))))


def test_practice_setting_shortens_the_horizon(app):
    practice = make_practice(booking_horizon_days=7)
    patient = make_patient(practice)
    with pytest.raises(booking.NotOffered):
        book(patient, make_slot(make_clinician(practice), NOW + timedelta(days=8)))


def test_slot_of_another_practice_cannot_be_booked(world):
    _, _, patient = world
    foreign = make_slot(make_clinician(make_practice()), TOMORROW_10)
    with pytest.raises(booking.NotOffered):
        book(patient, foreign)


def test_third_online_booking_is_refused_by_the_default_limit(world):
    _, clinician, patient = world
    for hour in (0, 1):
        book(patient, make_slot(clinician, TOMORROW_10 + timedelta(hours=hour)), form=f"t{hour}")
    with pytest.raises(booking.LimitReached, match="up to 2 appointments booked online"):
        book(patient, make_slot(clinician, TOMORROW_10 + timedelta(hours=2)), form="t2")


def test_limit_message_says_how_to_phone(world):
    practice, _, _ = world
    assert "phone the practice on 01632 960001" in booking.limit_message(practice)


def test_bookings_made_by_reception_do_not_count_towards_the_online_limit(world):
    _, clinician, patient = world
    for hour in (0, 1):
        make_appointment(patient, make_slot(clinician, TOMORROW_10 + timedelta(hours=hour)), booked_via="staff")
    assert book(patient, make_slot(clinician, TOMORROW_10 + timedelta(hours=2))).status == "booked"


def test_past_and_cancelled_bookings_do_not_count_towards_the_online_limit(world):
    _, clinician, patient = world
    make_appointment(patient, make_slot(clinician, NOW - timedelta(days=1)), booked_via="online")
    make_appointment(patient, make_slot(clinician, TOMORROW_10), booked_via="online", status="cancelled")
    assert booking.bookings_left(world[0], patient.id) == 2


def test_reception_may_book_any_free_slot_whatever_the_online_rules(world):
    practice, clinician, patient = world
    for hour in (0, 1):
        book(patient, make_slot(clinician, TOMORROW_10 + timedelta(hours=hour)), form=f"t{hour}")
    hidden_far = make_slot(clinician, NOW + timedelta(days=60), released_online=False)
    appointment = booking.book(actor_for(make_staff(practice)), patient.id, hidden_far.id, token="desk")
    assert (appointment.status, appointment.booked_via) == ("booked", "staff")


def test_reception_cannot_book_a_slot_that_has_ended(world):
    practice, clinician, patient = world
    with pytest.raises(DomainError, match="already ended"):
        booking.book(
            actor_for(make_staff(practice)), patient.id, make_slot(clinician, NOW - timedelta(hours=1)).id, token="desk"
        )


# Cancelling -------------------------------------------------------------------------------------------------------


def cancel(patient, appointment, form="c-1", actor=None):
    return booking.cancel(actor or patient_actor(patient), appointment.id, patient_id=patient.id, token=form)


def test_patient_cancels_before_the_cut_off(world):
    _, clinician, patient = world
    appointment = make_appointment(patient, make_slot(clinician, NOW + timedelta(minutes=121)))
    cancelled = cancel(patient, appointment)
    assert (cancelled.status, cancelled.cancelled_by, cancelled.cancelled_via) == ("cancelled", "patient", "online")


def test_cancelling_frees_the_slot_for_someone_else(world):
    practice, clinician, patient = world
    slot = make_slot(clinician, TOMORROW_10)
    cancel(patient, make_appointment(patient, slot))
    assert book(make_patient(practice), slot).status == "booked"


def test_patient_cannot_cancel_online_after_the_cut_off(world):
    _, clinician, patient = world
    appointment = make_appointment(patient, make_slot(clinician, NOW + timedelta(minutes=119)))
    with pytest.raises(booking.TooLateToCancel, match="Please phone the practice on 01632 960001"):
        cancel(patient, appointment)


def test_refused_cancel_is_audited_and_changes_nothing(world):
    _, clinician, patient = world
    appointment = make_appointment(patient, make_slot(clinician, NOW + timedelta(minutes=30)))
    with pytest.raises(booking.TooLateToCancel):
        cancel(patient, appointment)
    assert (Appointment.get_by_id(appointment.id).status, [e.outcome for e in events("appointment.cancel")]) == (
        "booked",
        ["refused"],
    )


def test_practice_setting_moves_the_cut_off(app):
    practice = make_practice(cancel_cutoff_minutes=24 * 60)
    patient = make_patient(practice)
    appointment = make_appointment(patient, make_slot(make_clinician(practice), NOW + timedelta(hours=23)))
    with pytest.raises(booking.TooLateToCancel):
        cancel(patient, appointment)


def test_cancelling_twice_gives_one_cancellation(world):
    _, clinician, patient = world
    appointment = make_appointment(patient, make_slot(clinician, TOMORROW_10))
    first = cancel(patient, appointment, form="c")
    second = cancel(patient, appointment, form="c")
    assert (first.cancelled_at == second.cancelled_at, len(events("appointment.cancel"))) == (True, 1)


def test_another_patients_appointment_cannot_be_cancelled(world):
    practice, clinician, patient = world
    theirs = make_appointment(make_patient(practice), make_slot(clinician, TOMORROW_10))
    with pytest.raises(Appointment.DoesNotExist):
        cancel(patient, theirs)


def test_an_arrived_appointment_cannot_be_cancelled(world):
    _, clinician, patient = world
    appointment = make_appointment(patient, make_slot(clinician, TOMORROW_10), status="arrived")
    with pytest.raises(DomainError, match="arrived"):
        cancel(patient, appointment)


def test_reception_cancels_after_the_cut_off_with_a_reason(world):
    practice, clinician, patient = world
    appointment = make_appointment(patient, make_slot(clinician, NOW + timedelta(minutes=20)))
    desk = make_staff(practice, "reception", name="Rosa Reid")
    cancelled = booking.cancel(actor_for(desk), appointment.id, token="d", reason="Patient phoned, feeling better")
    assert (cancelled.status, cancelled.cancelled_by, cancelled.cancel_reason) == (
        "cancelled",
        "Rosa Reid (reception)",
        "Patient phoned, feeling better",
    )


def test_reception_must_give_a_reason_to_cancel(world):
    practice, clinician, patient = world
    appointment = make_appointment(patient, make_slot(clinician, TOMORROW_10))
    with pytest.raises(DomainError, match="reason"):
        booking.cancel(actor_for(make_staff(practice)), appointment.id, token="d", reason=" ")


# Did not attend ---------------------------------------------------------------------------------------------------


def test_reception_marks_did_not_attend_after_the_start_time(world):
    practice, clinician, patient = world
    appointment = make_appointment(patient, make_slot(clinician, NOW - timedelta(minutes=15)))
    assert booking.mark_did_not_attend(actor_for(make_staff(practice)), appointment.id).status == "dna"


def test_did_not_attend_is_refused_before_the_start_time(world):
    practice, clinician, patient = world
    appointment = make_appointment(patient, make_slot(clinician, NOW + timedelta(minutes=15)))
    with pytest.raises(DomainError, match="after its start time"):
        booking.mark_did_not_attend(actor_for(make_staff(practice)), appointment.id)


def test_did_not_attend_is_refused_for_an_arrived_patient(world):
    practice, clinician, patient = world
    appointment = make_appointment(patient, make_slot(clinician, NOW - timedelta(minutes=15)), status="arrived")
    with pytest.raises(DomainError, match="arrived"):
        booking.mark_did_not_attend(actor_for(make_staff(practice)), appointment.id)


# Finding free slots --------------------------------------------------------------------------------------------


def offered(practice, kind="gp", clinician_id=None, start=None):
    week = booking.free_week(practice, kind=kind, clinician_id=clinician_id, start=start)
    return [s.id for _, slots in week.days for s in slots]


def test_free_week_lists_free_released_future_slots_of_the_kind(world):
    practice, clinician, patient = world
    free = make_slot(clinician, TOMORROW_10)
    make_slot(clinician, TOMORROW_10 + timedelta(minutes=10), released_online=False)
    make_slot(clinician, TOMORROW_10 + timedelta(minutes=20), kind="nurse")
    make_slot(clinician, NOW - timedelta(minutes=10))
    make_appointment(patient, make_slot(clinician, TOMORROW_10 + timedelta(minutes=30)))
    assert offered(practice) == [free.id]


def test_free_week_narrows_to_one_clinician(world):
    practice, clinician, _ = world
    other = make_clinician(practice, display_name="Dr B Other")
    mine = make_slot(clinician, TOMORROW_10)
    make_slot(other, TOMORROW_10)
    assert offered(practice, clinician_id=clinician.id) == [mine.id]


def test_free_week_groups_slots_by_london_day(world):
    practice, clinician, _ = world
    make_slot(clinician, datetime(2026, 6, 11, 22, 30))  # 23:30 on the 11th in London
    make_slot(clinician, datetime(2026, 6, 11, 23, 30))  # 00:30 on the 12th in London
    week = booking.free_week(practice, kind="gp", clinician_id=None, start=None)
    assert [day for day, _ in week.days] == [date(2026, 6, 11), date(2026, 6, 12)]


def test_first_week_has_no_previous_link_and_a_next_one(world):
    week = booking.free_week(world[0], kind="gp", clinician_id=None, start=None)
    assert (week.start, week.end, week.previous, week.next) == (
        date(2026, 6, 10),
        date(2026, 6, 16),
        None,
        date(2026, 6, 17),
    )


def test_last_week_stops_at_the_horizon(world):
    week = booking.free_week(world[0], kind="gp", clinician_id=None, start=date(2026, 7, 7))
    assert (week.end, week.next, week.previous) == (date(2026, 7, 8), None, date(2026, 6, 30))


def test_a_start_before_today_starts_today(world):
    assert booking.free_week(world[0], kind="gp", clinician_id=None, start=date(2026, 1, 1)).start == date(2026, 6, 10)


# Clock changes ---------------------------------------------------------------------------------------------------


def sessions_on(practice, clinician, day):
    create_session(
        actor_for(make_staff(practice)),
        clinician,
        day,
        time(0),
        time(4),
        length_minutes=30,
        kind="gp",
        released_online=True,
    )


def labels(practice, start):
    week = booking.free_week(practice, kind="gp", clinician_id=None, start=start)
    return [slot_time(s.starts_at) for day, slots in week.days if day == start for s in slots]


def test_slots_on_the_october_change_are_all_offered_and_told_apart(world, time_machine):
    practice, clinician, _ = world
    time_machine.move_to(datetime(2026, 10, 20, 9, 0, tzinfo=UTC), tick=False)
    sessions_on(practice, clinician, date(2026, 10, 25))
    assert labels(practice, date(2026, 10, 25)) == [
        "00:00",
        "00:30",
        "01:00 BST",
        "01:30 BST",
        "01:00 GMT",
        "01:30 GMT",
        "02:00",
        "02:30",
        "03:00",
        "03:30",
    ]


def test_slots_on_the_march_change_skip_the_missing_hour_without_doubling(world, time_machine):
    practice, clinician, _ = world
    time_machine.move_to(datetime(2027, 3, 24, 9, 0, tzinfo=UTC), tick=False)
    sessions_on(practice, clinician, date(2027, 3, 28))
    assert labels(practice, date(2027, 3, 28)) == ["00:00", "00:30", "02:00", "02:30", "03:00", "03:30"]


def test_booking_the_second_half_past_one_in_october_leaves_the_first_free(world, time_machine):
    practice, clinician, patient = world
    time_machine.move_to(datetime(2026, 10, 20, 9, 0, tzinfo=UTC), tick=False)
    sessions_on(practice, clinician, date(2026, 10, 25))
    book(patient, booking.offered_slot(practice, _slot_at(datetime(2026, 10, 25, 1, 30)).id))  # 01:30 GMT
    assert "01:30 BST" in labels(practice, date(2026, 10, 25))
    assert "01:30 GMT" not in labels(practice, date(2026, 10, 25))


def _slot_at(utc: datetime):
    from kiosk.models import Slot

    return Slot.get(Slot.starts_at == utc)


# What patients see ---------------------------------------------------------------------------------------------


def test_upcoming_holds_live_appointments_and_recent_the_rest(world):
    practice, clinician, patient = world
    later = make_appointment(patient, make_slot(clinician, TOMORROW_10))
    cancelled = make_appointment(patient, make_slot(clinician, TOMORROW_10 + timedelta(hours=1)), status="cancelled")
    seen = make_appointment(patient, make_slot(clinician, NOW - timedelta(days=3)), status="seen")
    upcoming, recent = booking.patient_appointments(practice.id, patient.id)
    assert ([a.id for a in upcoming], [a.id for a in recent]) == ([later.id], [cancelled.id, seen.id])


@pytest.mark.parametrize(
    ("minutes", "phrase"), [(120, "2 hours"), (60, "1 hour"), (90, "90 minutes"), (1440, "1 day"), (2880, "2 days")]
)
def test_cut_off_is_said_as_a_person_would(minutes, phrase):
    assert booking.duration_phrase(minutes) == phrase


# The demo --------------------------------------------------------------------------------------------------------


def test_readme_demo_patient_can_book_online(app, monkeypatch):
    from kiosk.models import OnlineAccount
    from kiosk.services.demo import READY, load_demo
    from tests.builders import password_hash

    monkeypatch.setattr("kiosk.services.demo.hash_password", lambda _password: password_hash())
    load_demo(patients=100, weeks=1)
    george = OnlineAccount.get(OnlineAccount.account_id == READY["account_id"]).patient
    practice = george.practice
    week = booking.free_week(practice, kind="gp", clinician_id=None, start=None)
    first_free = week.days[0][1][0]
    appointment = booking.book(patient_actor(george), george.id, first_free.id, token="demo")
    assert (appointment.booked_via, booking.bookings_left(practice, george.id)) == ("online", 1)


def test_readme_demo_patient_has_an_appointment_booked_by_reception(app, monkeypatch):
    from kiosk.models import OnlineAccount
    from kiosk.services.demo import READY, load_demo
    from tests.builders import password_hash

    monkeypatch.setattr("kiosk.services.demo.hash_password", lambda _password: password_hash())
    load_demo(patients=100, weeks=1)
    george = OnlineAccount.get(OnlineAccount.account_id == READY["account_id"]).patient
    upcoming, _ = booking.patient_appointments(george.practice_id, george.id)
    assert [a.booked_via for a in upcoming] == ["staff"]
