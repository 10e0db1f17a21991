"""The rota (kiosk.services.rota) and clinicians (kiosk.services.clinicians): generating the diary from templates,
closures, deactivation."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from kiosk.clock import local_day_bounds, to_local
from kiosk.models import Appointment, Clinician, RotaSession, Slot
from kiosk.services import DomainError, booking, clinicians, rota
from tests.builders import (
    actor_for,
    make_appointment,
    make_clinician,
    make_closure,
    make_patient,
    make_rota_session,
    make_rota_template,
    make_slot,
    make_staff,
)

NOW = datetime(2026, 6, 10, 9, 0)  # Wednesday 10 June 2026, 10:00 in London
MONDAY = date(2026, 6, 15)
MON, SUN, SAT = 0, 6, 5


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW.replace(tzinfo=UTC), tick=False)


@pytest.fixture
def manager(practice):
    return actor_for(make_staff(practice, "manager"))


@pytest.fixture
def clinician(practice):
    return make_clinician(practice, display_name="Dr A Patel", staff_name="Anita Patel")


@pytest.fixture
def monday_rota(clinician):
    """Mondays 09:00 to 10:00: six 10-minute GP slots."""
    template = make_rota_template(clinician, starts_on=date(2026, 6, 1))
    make_rota_session(template, MON)
    return template


def slots_on(clinician, day) -> list[tuple[str, int]]:
    start, end = local_day_bounds(day)
    rows = Slot.select().where(
        (Slot.clinician == clinician.id)
        & (Slot.starts_at >= start)
        & (Slot.starts_at < end)
        & Slot.withdrawn_at.is_null()
    )
    return [(f"{to_local(s.starts_at):%H:%M}", s.length_minutes) for s in rows.order_by(Slot.starts_at)]


def slot_at(clinician, day, hh_mm) -> Slot:
    return next(
        s
        for s in Slot.select().where(Slot.clinician == clinician.id)
        if to_local(s.starts_at).date() == day and f"{to_local(s.starts_at):%H:%M}" == hh_mm
    )


def book(slot, practice, **overrides) -> Appointment:
    return make_appointment(make_patient(practice), slot, **overrides)


# Generating ------------------------------------------------------------------------------------------------------


def test_generating_makes_each_weekly_session_for_the_weeks_asked(manager, clinician, monday_rota):
    rota.generate(manager, 2)  # Wednesday 10 to Wednesday 24 June: Mondays 15 and 22
    assert (len(slots_on(clinician, MONDAY)), len(slots_on(clinician, MONDAY + timedelta(days=7)))) == (6, 6)


def test_generating_twice_gives_the_same_slot_count(manager, clinician, monday_rota):
    rota.generate(manager, 2)
    first = Slot.select().count()
    rota.generate(manager, 2)
    assert (first, Slot.select().count()) == (12, 12)


def test_generating_again_reports_nothing_added_changed_or_removed(manager, clinician, monday_rota):
    rota.generate(manager, 2)
    again = rota.generate(manager, 2)
    assert (again.created, again.changed, again.removed, again.misfits) == (0, 0, 0, 0)


def test_generated_slots_start_at_the_session_times_in_london(manager, clinician, monday_rota):
    rota.generate(manager, 1)
    assert [t for t, _ in slots_on(clinician, MONDAY)] == ["09:00", "09:10", "09:20", "09:30", "09:40", "09:50"]


def test_generated_slots_carry_the_sessions_type_and_release(manager, clinician, monday_rota):
    make_rota_session(monday_rota, 2, starts=time(14), ends=time(14, 30), kind="phone", released_online=False)
    rota.generate(manager, 1)
    slot = slot_at(clinician, date(2026, 6, 17), "14:00")
    assert (slot.kind, slot.released_online, slot.from_rota) == ("phone", False, True)


def test_no_slot_is_made_before_now_today(manager, clinician):
    make_rota_session(make_rota_template(clinician), 2, starts=time(9), ends=time(11))  # today, 10:00 now
    rota.generate(manager, 1)
    assert [t for t, _ in slots_on(clinician, NOW.date())] == ["10:10", "10:20", "10:30", "10:40", "10:50"]


def test_a_template_makes_nothing_outside_its_dates(manager, clinician):
    template = make_rota_template(clinician, starts_on=date(2026, 6, 16), ends_on=date(2026, 6, 30))
    make_rota_session(template, MON)
    rota.generate(manager, 4)
    mondays = [MONDAY + timedelta(days=7 * n) for n in range(4)]
    assert [len(slots_on(clinician, d)) for d in mondays] == [0, 6, 6, 0]


def test_generation_leaves_out_deactivated_clinicians(manager, clinician, monday_rota):
    Clinician.update(active=False).where(Clinician.id == clinician.id).execute()
    rota.generate(manager, 2)
    assert Slot.select().count() == 0


def test_generation_leaves_slots_added_by_hand_alone(manager, practice, clinician, monday_rota):
    by_hand = make_slot(clinician, datetime(2026, 6, 15, 7, 0), length_minutes=30)  # 08:00 London, not in the rota
    rota.generate(manager, 1)
    assert Slot.get_by_id(by_hand.id).length_minutes == 30


def test_weeks_outside_one_to_twelve_are_refused(manager, monday_rota):
    with pytest.raises(DomainError):
        rota.generate(manager, 13)


# Clock changes: a session at 09:00 London time stays at 09:00 on the wall clock ------------------------------------


@pytest.mark.parametrize(
    ("now", "sunday"),
    [(datetime(2026, 3, 27, 12, 0), date(2026, 3, 29)), (datetime(2026, 10, 23, 12, 0), date(2026, 10, 25))],
    ids=["march", "october"],
)
def test_sessions_around_a_clock_change_start_at_nine_on_the_wall_clock(time_machine, manager, clinician, now, sunday):
    time_machine.move_to(now.replace(tzinfo=UTC), tick=False)
    template = make_rota_template(clinician, starts_on=now.date())
    for weekday in (SAT, SUN, MON):
        make_rota_session(template, weekday, ends=time(9, 10))
    rota.generate(manager, 1)
    days = [sunday - timedelta(days=1), sunday, sunday + timedelta(days=1)]
    assert [slots_on(clinician, d) for d in days] == [[("09:00", 10)]] * 3


def test_the_utc_time_of_a_nine_oclock_session_moves_with_the_clocks_in_march(time_machine, manager, clinician):
    time_machine.move_to(datetime(2026, 3, 27, 12, 0, tzinfo=UTC), tick=False)
    template = make_rota_template(clinician, starts_on=date(2026, 3, 27))
    for weekday in (SAT, SUN, MON):
        make_rota_session(template, weekday, ends=time(9, 10))
    rota.generate(manager, 1)
    hours = [s.starts_at.hour for s in Slot.select().order_by(Slot.starts_at)]
    assert hours == [9, 8, 8]  # GMT on Saturday, BST from Sunday


def test_generating_twice_across_the_october_change_makes_nothing_twice(time_machine, manager, clinician):
    time_machine.move_to(datetime(2026, 10, 23, 12, 0, tzinfo=UTC), tick=False)
    template = make_rota_template(clinician, starts_on=date(2026, 10, 23))
    make_rota_session(template, SUN, starts=time(0), ends=time(3), length_minutes=30)  # the repeated hour inside
    rota.generate(manager, 1)
    again = rota.generate(manager, 1)
    assert (Slot.select().count(), again.created) == (8, 0)


# A template changes only free slots ------------------------------------------------------------------------------


def _to_fifteen_minutes(monday_rota):
    RotaSession.delete().where(RotaSession.template == monday_rota.id).execute()
    make_rota_session(monday_rota, MON, length_minutes=15)


def test_a_changed_template_leaves_a_booked_slot_as_it_was(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    booked = book(slot_at(clinician, MONDAY, "09:20"), practice)
    _to_fifteen_minutes(monday_rota)
    rota.generate(manager, 1)
    slot = Slot.get_by_id(booked.slot_id)
    assert (slot.length_minutes, slot.withdrawn_at, Appointment.get_by_id(booked.id).status) == (10, None, "booked")


def test_a_changed_template_replaces_free_slots_around_a_booked_one(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    book(slot_at(clinician, MONDAY, "09:20"), practice)
    _to_fifteen_minutes(monday_rota)
    rota.generate(manager, 1)
    # 09:15 would overlap the booked 09:20 and is not made; the old 10-minute free slots go.
    assert slots_on(clinician, MONDAY) == [("09:00", 15), ("09:20", 10), ("09:30", 15), ("09:45", 15)]


def test_a_changed_template_lists_the_booked_slots_that_no_longer_fit(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    booked = book(slot_at(clinician, MONDAY, "09:20"), practice)
    book(slot_at(clinician, MONDAY, "09:00"), practice, status="cancelled")
    _to_fifteen_minutes(monday_rota)
    done = rota.generate(manager, 1)
    assert (done.misfits, [a.id for a in rota.misfits(practice.id, 1)]) == (1, [booked.id])


def test_a_booked_slot_that_still_fits_is_not_listed(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    book(slot_at(clinician, MONDAY, "09:20"), practice)
    assert rota.misfits(practice.id, 1) == []


def test_removing_a_session_removes_its_free_slots_when_generated_again(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    (session,) = RotaSession.select().where(RotaSession.template == monday_rota.id)
    rota.remove_session(manager, monday_rota.id, session.id)
    done = rota.generate(manager, 1)
    assert (done.removed, slots_on(clinician, MONDAY)) == (6, [])


def test_a_removed_free_slot_with_a_cancellation_is_withdrawn_and_keeps_its_history(
    manager, practice, clinician, monday_rota
):
    rota.generate(manager, 1)
    cancelled = book(slot_at(clinician, MONDAY, "09:00"), practice, status="cancelled")
    RotaSession.delete().where(RotaSession.template == monday_rota.id).execute()
    rota.generate(manager, 1)
    slot = Slot.get_by_id(cancelled.slot_id)
    assert (slot.withdrawn_at is not None, Appointment.get_by_id(cancelled.id).status) == (True, "cancelled")


def test_a_withdrawn_slot_is_not_offered_online(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    book(slot_at(clinician, MONDAY, "09:00"), practice, status="cancelled")
    RotaSession.delete().where(RotaSession.template == monday_rota.id).execute()
    rota.generate(manager, 1)
    week = booking.free_week(practice, kind="gp", clinician_id=None, start=MONDAY)
    assert week.days == []


def test_a_withdrawn_slot_comes_back_when_the_rota_wants_it_again(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    cancelled = book(slot_at(clinician, MONDAY, "09:00"), practice, status="cancelled")
    rota.add_closure(manager, clinician_id=None, day=MONDAY, starts=None, ends=None, reason="Bank holiday")
    rota.remove_closure(manager, rota.closures(practice.id)[0].id)
    rota.generate(manager, 1)
    assert Slot.get_by_id(cancelled.slot_id).withdrawn_at is None


# Closures ---------------------------------------------------------------------------------------------------------


def test_a_closure_removes_only_the_free_slots_of_that_day(manager, practice, clinician, monday_rota):
    rota.generate(manager, 2)
    book(slot_at(clinician, MONDAY, "09:30"), practice)
    _, removed = rota.add_closure(manager, clinician_id=None, day=MONDAY, starts=None, ends=None, reason="Bank holiday")
    assert (removed, slots_on(clinician, MONDAY), len(slots_on(clinician, MONDAY + timedelta(days=7)))) == (
        5,
        [("09:30", 10)],
        6,
    )


def test_a_closure_on_a_day_with_bookings_lists_them(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    booked = book(slot_at(clinician, MONDAY, "09:30"), practice)
    made, _ = rota.add_closure(manager, clinician_id=None, day=MONDAY, starts=None, ends=None, reason="Bank holiday")
    assert [a.id for a in rota.closure_bookings(practice.id, made)] == [booked.id]


def test_a_closure_between_two_times_removes_only_the_slots_it_overlaps(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    rota.add_closure(manager, clinician_id=clinician.id, day=MONDAY, starts=time(9, 15), ends=time(9, 40), reason="x")
    assert [t for t, _ in slots_on(clinician, MONDAY)] == ["09:00", "09:40", "09:50"]


def test_a_clinicians_day_off_leaves_other_clinicians_slots(manager, practice, clinician, monday_rota):
    other = make_clinician(practice, display_name="Dr J Okafor")
    make_rota_session(make_rota_template(other), MON)
    rota.generate(manager, 1)
    rota.add_closure(manager, clinician_id=clinician.id, day=MONDAY, starts=None, ends=None, reason="Annual leave")
    assert (len(slots_on(clinician, MONDAY)), len(slots_on(other, MONDAY))) == (0, 6)


def test_generation_skips_closed_times(manager, practice, clinician, monday_rota):
    make_closure(practice, MONDAY, clinician=clinician, starts=time(9), ends=time(9, 30), reason="Training")
    rota.generate(manager, 1)
    assert [t for t, _ in slots_on(clinician, MONDAY)] == ["09:30", "09:40", "09:50"]


def test_a_booked_slot_in_a_closure_is_listed_as_no_longer_fitting(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    booked = book(slot_at(clinician, MONDAY, "09:30"), practice)
    rota.add_closure(manager, clinician_id=None, day=MONDAY, starts=None, ends=None, reason="Bank holiday")
    assert [a.id for a in rota.misfits(practice.id, 1)] == [booked.id]


def test_a_closure_with_only_one_time_is_refused(manager):
    with pytest.raises(DomainError, match="both"):
        rota.add_closure(manager, clinician_id=None, day=MONDAY, starts=time(13), ends=None, reason="Training")


def test_a_closure_ending_before_it_starts_is_refused(manager):
    with pytest.raises(DomainError, match="after"):
        rota.add_closure(manager, clinician_id=None, day=MONDAY, starts=time(13), ends=time(12), reason="Training")


def test_a_closure_for_another_practices_clinician_is_refused(manager):
    from tests.builders import make_practice

    stranger = make_clinician(make_practice())
    with pytest.raises(Clinician.DoesNotExist):
        rota.add_closure(manager, clinician_id=stranger.id, day=MONDAY, starts=None, ends=None, reason="x")


# Templates and sessions: validation ----------------------------------------------------------------------------


def test_a_session_ending_before_it_starts_is_refused(manager, monday_rota):
    with pytest.raises(DomainError, match="after the start"):
        rota.add_session(
            manager, monday_rota.id, weekday=1, starts=time(12), ends=time(9), length_minutes=10, kind="gp",
            released_online=True,
        )  # fmt: skip


def test_a_session_shorter_than_one_slot_is_refused(manager, monday_rota):
    with pytest.raises(DomainError, match="shorter than one slot"):
        rota.add_session(
            manager, monday_rota.id, weekday=1, starts=time(9), ends=time(9, 5), length_minutes=10, kind="gp",
            released_online=True,
        )  # fmt: skip


def test_a_session_overlapping_another_on_the_same_day_is_refused(manager, monday_rota):
    with pytest.raises(DomainError, match="overlaps"):
        rota.add_session(
            manager, monday_rota.id, weekday=MON, starts=time(9, 30), ends=time(11), length_minutes=10, kind="gp",
            released_online=True,
        )  # fmt: skip


def test_the_last_partial_slot_of_a_session_is_dropped(manager, clinician):
    make_rota_session(make_rota_template(clinician), MON, ends=time(9, 25))
    rota.generate(manager, 1)
    assert [t for t, _ in slots_on(clinician, MONDAY)] == ["09:00", "09:10"]


def test_a_template_whose_last_date_is_before_its_first_is_refused(manager, clinician):
    with pytest.raises(DomainError, match="after the first"):
        rota.add_template(manager, clinician_id=clinician.id, room="", starts_on=MONDAY, ends_on=date(2026, 6, 1))


def test_a_template_on_one_day_is_allowed(manager, clinician):
    made = rota.add_template(manager, clinician_id=clinician.id, room="Room 2", starts_on=MONDAY, ends_on=MONDAY)
    assert made.covers(MONDAY)


def test_two_templates_for_one_clinician_on_the_same_dates_are_refused(manager, clinician, monday_rota):
    with pytest.raises(DomainError, match="already has a rota"):
        rota.add_template(manager, clinician_id=clinician.id, room="", starts_on=date(2026, 9, 1), ends_on=None)


def test_a_template_after_an_ended_one_is_allowed(manager, clinician):
    make_rota_template(clinician, starts_on=date(2026, 6, 1), ends_on=date(2026, 8, 31))
    made = rota.add_template(manager, clinician_id=clinician.id, room="", starts_on=date(2026, 9, 1), ends_on=None)
    assert made.id


# Clinicians ------------------------------------------------------------------------------------------------------


def test_an_added_clinician_has_both_names_role_and_room(manager, practice):
    made = clinicians.add(
        manager, display_name="Dr B Khan", staff_name="Bilal Khan", profession="physio", room="Room 4"
    )
    assert (made.staff_label, made.profession_label, made.room) == (
        "Bilal Khan (Dr B Khan)",
        "Physiotherapist",
        "Room 4",
    )


def test_a_clinician_from_before_roles_had_labels_reads_as_a_practice_nurse(practice):
    assert make_clinician(practice, profession="nurse").profession_label == "Practice nurse"


def test_two_clinicians_with_the_name_patients_see_are_refused(manager, clinician):
    with pytest.raises(DomainError, match="already has this name"):
        clinicians.add(manager, display_name="Dr A Patel", staff_name="Arun Patel", profession="gp", room="")


def test_an_unknown_role_is_refused(manager):
    with pytest.raises(DomainError):
        clinicians.add(manager, display_name="Dr C", staff_name="C", profession="surgeon", room="")


def test_deactivation_lists_the_future_booked_appointments_first(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    booked = book(slot_at(clinician, MONDAY, "09:30"), practice)
    preview = clinicians.deactivation(practice.id, clinician.id)
    assert ([a.id for a in preview.bookings], preview.free_slots, preview.clinician.active) == ([booked.id], 5, True)


def test_deactivating_removes_future_free_slots_and_keeps_booked_ones(manager, practice, clinician, monday_rota):
    rota.generate(manager, 1)
    booked = book(slot_at(clinician, MONDAY, "09:30"), practice)
    done = clinicians.deactivate(manager, clinician.id)
    assert (done.free_slots, [a.id for a in done.bookings], slots_on(clinician, MONDAY)) == (
        5,
        [booked.id],
        [("09:30", 10)],
    )


def test_deactivating_keeps_past_appointments_and_the_clinician(manager, practice, clinician):
    seen = book(make_slot(clinician, NOW - timedelta(days=2)), practice, status="seen")
    clinicians.deactivate(manager, clinician.id)
    assert (Appointment.get_by_id(seen.id).status, Clinician.get_by_id(clinician.id).active) == ("seen", False)


def test_deactivating_twice_is_refused(manager, clinician):
    clinicians.deactivate(manager, clinician.id)
    with pytest.raises(DomainError, match="already"):
        clinicians.deactivate(manager, clinician.id)


def test_a_reactivated_clinician_gets_slots_from_the_rota_again(manager, clinician, monday_rota):
    clinicians.deactivate(manager, clinician.id)
    clinicians.reactivate(manager, clinician.id)
    rota.generate(manager, 1)
    assert len(slots_on(clinician, MONDAY)) == 6


# The demo practice is built through the rota --------------------------------------------------------------------


@pytest.fixture
def demo(app, monkeypatch):
    from kiosk.models import Practice
    from kiosk.services.demo import ODS, load_demo
    from tests.builders import password_hash

    monkeypatch.setattr("kiosk.services.demo.hash_password", lambda _password: password_hash())
    load_demo(patients=80, weeks=1)
    return Practice.get(Practice.ods_code == ODS)


def test_the_demo_gives_every_clinician_a_rota(demo):
    views = rota.templates(demo.id)
    assert sorted(v.clinician.display_name for v in views) == [
        "Dr A Patel",
        "Dr J Okafor",
        "Dr S Morgan",
        "Nurse K Lewis",
    ]


def test_the_demo_diary_is_generated_from_its_rota(demo):
    made_by_hand = Slot.for_practice(demo.id).where(~Slot.from_rota).count()
    assert made_by_hand <= 1  # only the kiosk patient's slot, when it falls outside every session


def test_generating_the_demo_diary_again_adds_nothing(demo):
    reception = actor_for(make_staff(demo, "reception"))
    assert rota.generate(reception, 1).created == 0


def test_a_demo_at_the_weekend_still_has_sessions_today(time_machine, app, monkeypatch):
    time_machine.move_to(datetime(2026, 6, 13, 9, 0, tzinfo=UTC), tick=False)  # a Saturday
    from kiosk.models import Practice
    from kiosk.services.demo import ODS, load_demo
    from tests.builders import password_hash

    monkeypatch.setattr("kiosk.services.demo.hash_password", lambda _password: password_hash())
    load_demo(patients=80, weeks=1)
    start, end = local_day_bounds(date(2026, 6, 13))
    practice = Practice.get(Practice.ods_code == ODS)
    assert Slot.for_practice(practice.id).where((Slot.starts_at >= start) & (Slot.starts_at < end)).count() > 0
