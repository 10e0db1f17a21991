from datetime import UTC, date, datetime, timedelta

import time_machine

from kiosk.clock import local_day_bounds, local_to_utc, local_today, to_local, utcnow

# 2026's clock changes in the UK: 29 March 01:00 UTC (GMT → BST) and 25 October 01:00 UTC (BST → GMT).
SPRING = date(2026, 3, 29)
AUTUMN = date(2026, 10, 25)


def test_utcnow_is_naive_utc():
    with time_machine.travel(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), tick=False):
        assert utcnow() == datetime(2026, 7, 1, 12, 0)


def test_winter_wall_clock_equals_utc():
    assert local_to_utc(datetime(2026, 1, 15, 9, 0)) == datetime(2026, 1, 15, 9, 0)


def test_summer_wall_clock_is_an_hour_ahead_of_utc():
    assert local_to_utc(datetime(2026, 7, 15, 9, 0)) == datetime(2026, 7, 15, 8, 0)


def test_to_local_shows_british_summer_time():
    assert to_local(datetime(2026, 7, 15, 8, 0)).strftime("%H:%M %Z") == "09:00 BST"


def test_to_local_round_trips_with_local_to_utc_after_the_autumn_change():
    wall = datetime(2026, 10, 25, 9, 30)
    assert to_local(local_to_utc(wall)).replace(tzinfo=None) == wall


def test_repeated_autumn_hour_takes_the_first_occurrence():
    # 01:30 happens twice on 25 October: first in BST (00:30 UTC), then in GMT (01:30 UTC).
    assert local_to_utc(datetime(2026, 10, 25, 1, 30)) == datetime(2026, 10, 25, 0, 30)


def test_ordinary_london_day_is_24_hours():
    start, end = local_day_bounds(date(2026, 6, 10))
    assert (start, end - start) == (datetime(2026, 6, 9, 23, 0), timedelta(hours=24))


def test_spring_clock_change_day_is_23_hours():
    start, end = local_day_bounds(SPRING)
    assert (start, end) == (datetime(2026, 3, 29, 0, 0), datetime(2026, 3, 29, 23, 0))


def test_autumn_clock_change_day_is_25_hours():
    start, end = local_day_bounds(AUTUMN)
    assert (start, end) == (datetime(2026, 10, 24, 23, 0), datetime(2026, 10, 26, 0, 0))


def test_consecutive_days_leave_no_gap_across_the_spring_change():
    assert local_day_bounds(SPRING)[1] == local_day_bounds(SPRING + timedelta(days=1))[0]


def test_consecutive_days_leave_no_gap_across_the_autumn_change():
    assert local_day_bounds(AUTUMN - timedelta(days=1))[1] == local_day_bounds(AUTUMN)[0]


def test_local_today_is_tomorrow_after_23_00_utc_in_summer():
    with time_machine.travel(datetime(2026, 7, 1, 23, 30, tzinfo=UTC), tick=False):
        assert local_today() == date(2026, 7, 2)


def test_local_today_is_still_today_at_23_30_utc_in_winter():
    with time_machine.travel(datetime(2026, 1, 1, 23, 30, tzinfo=UTC), tick=False):
        assert local_today() == date(2026, 1, 1)


def test_local_today_follows_the_late_hour_of_the_autumn_change_day():
    # 23:30 UTC on the 25-hour day is 23:30 GMT: still the 25th in London.
    with time_machine.travel(datetime(2026, 10, 25, 23, 30, tzinfo=UTC), tick=False):
        assert local_today() == AUTUMN
