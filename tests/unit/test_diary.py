from datetime import date, datetime, time, timedelta

import pytest

from kiosk.clock import to_local
from kiosk.services import DomainError
from kiosk.services.diary import session_slot_times

SPRING = date(2026, 3, 29)  # clocks go forward at 01:00 GMT: 01:00-01:59 does not exist
AUTUMN = date(2026, 10, 25)  # clocks go back at 02:00 BST: 01:00-01:59 happens twice


def gaps(times):
    return {b - a for a, b in zip(times, times[1:], strict=False)}


def test_morning_session_is_cut_into_equal_slots():
    times = session_slot_times(date(2026, 6, 10), time(8, 30), time(12), 10)
    assert (len(times), gaps(times)) == (21, {timedelta(minutes=10)})


def test_slots_start_at_the_london_wall_clock_time():
    times = session_slot_times(date(2026, 6, 10), time(8, 30), time(9), 10)
    assert [to_local(t).strftime("%H:%M") for t in times] == ["08:30", "08:40", "08:50"]


def test_a_slot_that_would_overrun_the_session_is_left_out():
    assert len(session_slot_times(date(2026, 6, 10), time(9), time(9, 25), 10)) == 2


def test_morning_session_on_spring_change_day_keeps_its_wall_clock_times():
    times = session_slot_times(SPRING, time(8, 30), time(12), 10)
    assert (to_local(times[0]).strftime("%H:%M"), len(times)) == ("08:30", 21)


def test_morning_session_on_autumn_change_day_keeps_its_wall_clock_times():
    times = session_slot_times(AUTUMN, time(8, 30), time(12), 10)
    assert (to_local(times[0]).strftime("%H:%M"), len(times)) == ("08:30", 21)


def test_overnight_session_across_spring_change_doubles_no_slot():
    # 00:00 to 04:00 on the wall clock is three real hours: six half-hour slots, all different.
    times = session_slot_times(SPRING, time(0), time(4), 30)
    assert len(set(times)) == len(times) == 6


def test_overnight_session_across_spring_change_has_equal_real_gaps():
    times = session_slot_times(SPRING, time(0), time(4), 30)
    assert gaps(times) == {timedelta(minutes=30)}


def test_overnight_session_across_autumn_change_loses_no_slot():
    # 00:00 to 03:00 on the wall clock is four real hours: eight half-hour slots, the repeated hour included.
    times = session_slot_times(AUTUMN, time(0), time(3), 30)
    assert (len(times), gaps(times)) == (8, {timedelta(minutes=30)})


def test_overnight_session_across_autumn_change_runs_from_start_to_end_in_utc():
    times = session_slot_times(AUTUMN, time(0), time(3), 30)
    assert (times[0], times[-1]) == (datetime(2026, 10, 24, 23, 0), datetime(2026, 10, 25, 2, 30))


def test_session_ending_before_it_starts_is_refused():
    with pytest.raises(DomainError):
        session_slot_times(date(2026, 6, 10), time(12), time(9), 10)


def test_zero_length_slots_are_refused():
    with pytest.raises(DomainError):
        session_slot_times(date(2026, 6, 10), time(9), time(12), 0)
