"""kiosk.services.checkin: matching today's appointments inside the practice's window, confirming, throttling."""

from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.models import Appointment, AuditEvent
from kiosk.services import checkin
from tests.builders import (
    actor_for,
    make_appointment,
    make_clinician,
    make_kiosk,
    make_patient,
    make_practice,
    make_slot,
)

NOW = datetime(2026, 6, 10, 9, 0)  # 10:00 in London (BST)
DOB = date(1985, 3, 14)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW.replace(tzinfo=UTC), tick=False)


def shaw(practice, **overrides):
    return make_patient(practice, **{"family_name": "Shaw", "sex": "female", "date_of_birth": DOB, **overrides})


def book(patient, minutes_from_now: int, clinician=None, **overrides) -> Appointment:
    clinician = clinician or make_clinician(patient.practice)
    return make_appointment(patient, make_slot(clinician, NOW + timedelta(minutes=minutes_from_now)), **overrides)


def find(kiosk, letter="S", sex="female", dob=DOB):
    return checkin.find(actor_for(kiosk), letter, sex, dob)


def audit(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


@pytest.mark.parametrize("minutes", [60, 0, -10])
def test_appointment_inside_the_default_window_matches(app, minutes):
    practice = make_practice()
    appointment = book(shaw(practice), minutes)
    assert [c.appointment_id for c in find(make_kiosk(practice))] == [appointment.id]


def test_appointment_more_than_sixty_minutes_ahead_does_not_match(app):
    practice = make_practice()
    book(shaw(practice), 61)
    assert find(make_kiosk(practice)) == []


def test_appointment_more_than_ten_minutes_ago_does_not_match(app):
    practice = make_practice()
    book(shaw(practice), -11)
    assert find(make_kiosk(practice)) == []


def test_practice_setting_narrows_the_early_window(app):
    practice = make_practice(check_in_early_minutes=15)
    book(shaw(practice), 20)
    assert find(make_kiosk(practice)) == []


def test_practice_setting_widens_the_late_window(app):
    practice = make_practice(check_in_late_minutes=30)
    appointment = book(shaw(practice), -25)
    assert [c.appointment_id for c in find(make_kiosk(practice))] == [appointment.id]


def test_surname_letter_matches_whatever_the_case_of_the_surname(app):
    practice = make_practice()
    appointment = book(shaw(practice, family_name="de Souza"), 20)
    assert [c.appointment_id for c in find(make_kiosk(practice), letter="D")] == [appointment.id]


@pytest.mark.parametrize(
    "answers", [{"letter": "T"}, {"sex": "male"}, {"dob": date(1985, 3, 15)}], ids=["letter", "sex", "date of birth"]
)
def test_one_wrong_answer_means_no_match(app, answers):
    practice = make_practice()
    book(shaw(practice), 20)
    assert find(make_kiosk(practice), **answers) == []


def test_no_match_records_one_failed_event_without_a_patient(app):
    practice = make_practice()
    find(make_kiosk(practice))
    assert [(e.outcome, e.patient_id) for e in audit(checkin.MATCH)] == [("failed", None)]


def test_no_match_records_nothing_but_the_failed_event(app):
    practice = make_practice()
    kiosk = make_kiosk(practice)
    appointment = book(shaw(practice), 20)
    before = AuditEvent.select().count()
    find(kiosk, letter="T")
    assert (AuditEvent.select().count(), Appointment.get_by_id(appointment.id).status) == (before + 1, "booked")


def test_match_outside_the_window_is_audited_as_refused(app):
    practice = make_practice()
    patient = shaw(practice)
    book(patient, 90)
    find(make_kiosk(practice))
    assert [(e.outcome, e.patient_id) for e in audit(checkin.MATCH)] == [("refused", patient.id)]


def test_match_is_audited_with_the_kiosk_as_actor_and_device(app):
    practice = make_practice()
    kiosk = make_kiosk(practice, name="Waiting room 2")
    book(shaw(practice), 20)
    find(kiosk)
    event = audit(checkin.MATCH)[0]
    assert (event.actor_kind, event.actor_id, event.role, event.device) == (
        "kiosk",
        kiosk.id,
        "kiosk",
        f"kiosk {kiosk.id} (Waiting room 2)",
    )


def test_finding_does_not_check_anyone_in(app):
    practice = make_practice()
    appointment = book(shaw(practice), 20)
    find(make_kiosk(practice))
    assert Appointment.get_by_id(appointment.id).status == "booked"


@pytest.mark.parametrize("status", ["cancelled", "arrived", "seen", "dna"])
def test_appointment_that_is_not_booked_does_not_match(app, status):
    practice = make_practice()
    book(shaw(practice), 20, status=status)
    assert find(make_kiosk(practice)) == []


def test_same_details_at_another_practice_do_not_match(app):
    other = make_practice()
    book(shaw(other), 20)
    assert find(make_kiosk(make_practice())) == []


def test_appointment_just_after_midnight_is_not_today(app, time_machine):
    time_machine.move_to(datetime(2026, 6, 10, 22, 40, tzinfo=UTC), tick=False)  # 23:40 in London
    practice = make_practice()
    clinician = make_clinician(practice)
    make_appointment(shaw(practice), make_slot(clinician, datetime(2026, 6, 10, 23, 10)))  # 00:10 tomorrow
    assert find(make_kiosk(practice)) == []


def test_two_matching_appointments_are_both_offered_in_time_order(app):
    practice = make_practice()
    patient = shaw(practice)
    later = book(patient, 40)
    sooner = book(patient, 5)
    assert [c.appointment_id for c in find(make_kiosk(practice))] == [sooner.id, later.id]


def test_choice_shows_london_time_and_clinician_only(app):
    practice = make_practice()
    book(shaw(practice), 30, clinician=make_clinician(practice, display_name="Dr J Okafor"))
    (choice,) = find(make_kiosk(practice))
    assert (choice.time, choice.clinician, set(vars(choice))) == (
        "10:30",
        "Dr J Okafor",
        {"appointment_id", "time", "clinician"},
    )


def test_confirm_marks_the_appointment_arrived_now(app):
    practice = make_practice()
    appointment = book(shaw(practice), 20)
    checkin.confirm(actor_for(make_kiosk(practice)), appointment.id)
    saved = Appointment.get_by_id(appointment.id)
    assert (saved.status, saved.arrived_at) == ("arrived", NOW)


def test_confirm_is_audited_with_the_patient(app):
    practice = make_practice()
    patient = shaw(practice)
    appointment = book(patient, 20)
    checkin.confirm(actor_for(make_kiosk(practice)), appointment.id)
    assert [(e.outcome, e.patient_id, e.object_id) for e in audit(checkin.CHECK_IN)] == [
        ("ok", patient.id, appointment.id)
    ]


def test_confirming_twice_gives_the_same_answer(app):
    practice = make_practice()
    kiosk = make_kiosk(practice)
    appointment = book(shaw(practice), 20)
    first = checkin.confirm(actor_for(kiosk), appointment.id)
    assert checkin.confirm(actor_for(kiosk), appointment.id) == first


def test_confirming_twice_records_one_check_in(app):
    practice = make_practice()
    kiosk = make_kiosk(practice)
    appointment = book(shaw(practice), 20)
    checkin.confirm(actor_for(kiosk), appointment.id)
    checkin.confirm(actor_for(kiosk), appointment.id)
    assert len(audit(checkin.CHECK_IN)) == 1


def test_confirming_another_practices_appointment_is_refused(app):
    other = book(shaw(make_practice()), 20)
    assert checkin.confirm(actor_for(make_kiosk(make_practice())), other.id) is None


def test_refused_confirmation_leaves_the_other_practices_appointment_booked(app):
    other = book(shaw(make_practice()), 20)
    checkin.confirm(actor_for(make_kiosk(make_practice())), other.id)
    assert Appointment.get_by_id(other.id).status == "booked"


def test_refused_confirmation_is_audited_without_a_patient(app):
    other = book(shaw(make_practice()), 20)
    checkin.confirm(actor_for(make_kiosk(make_practice())), other.id)
    assert [(e.outcome, e.patient_id) for e in audit(checkin.CHECK_IN)] == [("refused", None)]


def test_confirming_after_the_window_closed_is_refused(app, time_machine):
    practice = make_practice()
    appointment = book(shaw(practice), 5)
    time_machine.shift(timedelta(minutes=16))
    assert checkin.confirm(actor_for(make_kiosk(practice)), appointment.id) is None


def test_confirming_a_cancelled_appointment_is_refused(app):
    practice = make_practice()
    appointment = book(shaw(practice), 5, status="cancelled")
    assert checkin.confirm(actor_for(make_kiosk(practice)), appointment.id) is None


def test_check_in_tells_how_late_the_clinician_is_running_today(app):
    practice = make_practice()
    clinician = make_clinician(practice, running_late_minutes=20, running_late_on=date(2026, 6, 10))
    appointment = book(shaw(practice), 5, clinician=clinician)
    assert checkin.confirm(actor_for(make_kiosk(practice)), appointment.id).running_late_minutes == 20


def test_running_late_set_yesterday_is_not_reported(app):
    practice = make_practice()
    clinician = make_clinician(practice, running_late_minutes=20, running_late_on=date(2026, 6, 9))
    appointment = book(shaw(practice), 5, clinician=clinician)
    assert checkin.confirm(actor_for(make_kiosk(practice)), appointment.id).running_late_minutes == 0


def fail_matches(kiosk, times):
    for _ in range(times):
        find(kiosk, letter="Q")


def throttled(app, kiosk) -> bool:
    """Asked as the kiosk routes ask it, with the installation's limits."""
    config = app.config
    return checkin.is_throttled(
        actor_for(kiosk),
        failures_allowed=config["KIOSK_FAILURES_ALLOWED"],
        window_minutes=config["KIOSK_FAILURE_WINDOW_MINUTES"],
    )


def test_kiosk_is_throttled_after_the_allowed_failed_matches(app):
    kiosk = make_kiosk(make_practice())
    fail_matches(kiosk, app.config["KIOSK_FAILURES_ALLOWED"])
    assert throttled(app, kiosk)


def test_kiosk_is_not_throttled_one_failure_before_the_limit(app):
    kiosk = make_kiosk(make_practice())
    fail_matches(kiosk, app.config["KIOSK_FAILURES_ALLOWED"] - 1)
    assert not throttled(app, kiosk)


def test_failures_older_than_the_window_no_longer_throttle(app, time_machine):
    kiosk = make_kiosk(make_practice())
    fail_matches(kiosk, app.config["KIOSK_FAILURES_ALLOWED"])
    time_machine.shift(timedelta(minutes=app.config["KIOSK_FAILURE_WINDOW_MINUTES"], seconds=1))
    assert not throttled(app, kiosk)


def test_failures_on_another_kiosk_do_not_throttle_this_one(app):
    practice = make_practice()
    fail_matches(make_kiosk(practice, token="other-kiosk"), app.config["KIOSK_FAILURES_ALLOWED"])
    assert not throttled(app, make_kiosk(practice))


def test_matches_outside_the_window_count_as_failures(app):
    practice = make_practice()
    kiosk = make_kiosk(practice)
    book(shaw(practice), 120)
    for _ in range(app.config["KIOSK_FAILURES_ALLOWED"]):
        find(kiosk)
    assert throttled(app, kiosk)


def test_successful_matches_do_not_count_as_failures(app):
    practice = make_practice()
    kiosk = make_kiosk(practice)
    book(shaw(practice), 20)
    for _ in range(app.config["KIOSK_FAILURES_ALLOWED"]):
        find(kiosk)
    assert not throttled(app, kiosk)
