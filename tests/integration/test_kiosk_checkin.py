import string
from datetime import UTC, date, timedelta

import pytest

from kiosk.clock import local_today, to_local, utcnow
from kiosk.models import Appointment, AuditEvent
from kiosk.services import checkin
from tests.builders import make_appointment, make_clinician, make_patient, make_practice, make_slot
from tests.pages import check_html, csrf_token


def walk_to_confirm(client, letter="S", sex="female", dob=(14, 3, 1985)):
    client.form_post("/kiosk/letter", {"letter": letter}, token_from="/kiosk/")
    client.form_post("/kiosk/sex", {"sex": sex})
    day, month, year = dob
    return client.form_post("/kiosk/date-of-birth", {"day": day, "month": month, "year": year})


def test_matching_patient_is_checked_in_and_told_so(kiosk_client, practice):
    patient = make_patient(practice, family_name="Shaw", sex="female", date_of_birth=date(1985, 3, 14))
    appointment = make_appointment(patient)

    response = walk_to_confirm(kiosk_client)
    assert response.headers["Location"].endswith("/kiosk/confirm")
    page = kiosk_client.get("/kiosk/confirm").get_data(as_text=True)
    assert "with Dr A Patel: is this you?" in page
    assert "Shaw" not in page

    done = kiosk_client.form_post("/kiosk/confirm", {"appointment": appointment.id}, follow_redirects=True)
    assert "You are checked in. Please take a seat." in done.get_data(as_text=True)
    assert Appointment.get_by_id(appointment.id).status == "arrived"
    assert AuditEvent.select().where(AuditEvent.action == "kiosk.check_in", AuditEvent.outcome == "ok").count() == 1


# ---- the rest of the journey, its failure paths and what the kiosk forgets ----

DOB = date(1985, 3, 14)
NAMES = ("Olwen", "Shawcross")


def shaw(practice, **overrides):
    values = {"given_name": NAMES[0], "family_name": NAMES[1], "sex": "female", "date_of_birth": DOB}
    return make_patient(practice, **{**values, **overrides})


def at(minutes_from_now: int, clinician):
    return make_slot(clinician, utcnow().replace(second=0, microsecond=0) + timedelta(minutes=minutes_from_now))


def confirm_token(client) -> str:
    return csrf_token(client.get("/kiosk/confirm").get_data(as_text=True))


def events(action, outcome=None):
    query = AuditEvent.select().where(AuditEvent.action == action)
    if outcome:
        query = query.where(AuditEvent.outcome == outcome)
    return query.count()


def test_start_page_offers_a_button_for_every_letter(kiosk_client):
    tree = check_html(kiosk_client.get("/kiosk/").get_data(as_text=True))
    assert [b.attributes["value"] for b in tree.css("button[name=letter]")] == list(string.ascii_uppercase)


def test_answer_that_is_not_a_letter_is_shown_as_an_error(kiosk_client):
    response = kiosk_client.form_post("/kiosk/letter", {"letter": "7"}, token_from="/kiosk/")
    tree = check_html(response.get_data(as_text=True))
    assert (tree.css_first("title").text().startswith("Error: "), tree.css_first("#letter-error") is not None) == (
        True,
        True,
    )


def test_sex_step_before_the_letter_goes_back_to_the_start(kiosk_client):
    assert kiosk_client.get("/kiosk/sex").headers["Location"] == "/kiosk/"


def test_date_of_birth_step_before_sex_goes_back_to_the_start(kiosk_client):
    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/")
    assert kiosk_client.get("/kiosk/date-of-birth").headers["Location"] == "/kiosk/"


@pytest.mark.parametrize(
    ("dob", "message"),
    [
        ((31, 2, 1985), "Date of birth must be a real date"),
        (("", 3, 1985), "Date of birth must include a day"),
        ((14, 3, 85), "Year must be 4 numbers, like 1985"),
        ((14, 3, 2999), "Date of birth must be in the past"),
    ],
)
def test_date_of_birth_that_is_not_usable_is_shown_as_an_error(kiosk_client, dob, message):
    response = walk_to_confirm(kiosk_client, dob=dob)
    tree = check_html(response.get_data(as_text=True))
    assert message in tree.css_first(".nhsuk-error-summary").text()


def test_unusable_date_of_birth_looks_nothing_up(kiosk_client):
    walk_to_confirm(kiosk_client, dob=(31, 2, 1985))
    assert events(checkin.MATCH) == 0


def test_single_match_asks_is_this_you_with_time_and_clinician(kiosk_client, practice):
    clinician = make_clinician(practice, display_name="Dr A Patel")
    slot = at(30, clinician)
    make_appointment(shaw(practice), slot)
    walk_to_confirm(kiosk_client)
    h1 = check_html(kiosk_client.get("/kiosk/confirm").get_data(as_text=True)).css_first("h1").text()
    assert h1 == f"Your appointment at {to_local(slot.starts_at):%H:%M} with Dr A Patel: is this you?"


def test_no_match_says_please_see_reception(kiosk_client, practice):
    response = walk_to_confirm(kiosk_client)
    page = kiosk_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "We could not check you in. Please see reception." in page


def test_no_match_goes_to_see_reception(kiosk_client, practice):
    make_appointment(shaw(practice), at(20, make_clinician(practice)))
    assert walk_to_confirm(kiosk_client, sex="male").headers["Location"] == "/kiosk/see-reception"


def test_no_match_records_only_a_failed_match(kiosk_client, practice):
    appointment = make_appointment(shaw(practice), at(20, make_clinician(practice)))
    walk_to_confirm(kiosk_client, sex="male")
    assert (
        [(e.action, e.outcome) for e in AuditEvent.select()],
        Appointment.get_by_id(appointment.id).status,
    ) == ([(checkin.MATCH, "failed")], "booked")


def test_appointment_too_far_ahead_is_not_checked_in(kiosk_client, practice):
    appointment = make_appointment(shaw(practice), at(90, make_clinician(practice)))
    response = walk_to_confirm(kiosk_client)
    assert (response.headers["Location"], Appointment.get_by_id(appointment.id).status) == (
        "/kiosk/see-reception",
        "booked",
    )


def test_appointment_too_long_ago_is_not_checked_in(kiosk_client, practice):
    make_appointment(shaw(practice), at(-15, make_clinician(practice)))
    assert walk_to_confirm(kiosk_client).headers["Location"] == "/kiosk/see-reception"


def test_practice_window_setting_is_used_by_the_kiosk(kiosk_client, practice):
    practice.check_in_early_minutes = 120
    practice.save()
    make_appointment(shaw(practice), at(90, make_clinician(practice)))
    assert walk_to_confirm(kiosk_client).headers["Location"] == "/kiosk/confirm"


def test_two_matches_offer_a_choice_of_both(kiosk_client, practice):
    clinician = make_clinician(practice)
    patient = shaw(practice)
    first = make_appointment(patient, at(5, clinician))
    second = make_appointment(patient, at(45, clinician))
    walk_to_confirm(kiosk_client)
    tree = check_html(kiosk_client.get("/kiosk/confirm").get_data(as_text=True))
    assert [int(r.attributes["value"]) for r in tree.css("button[name=appointment]")] == [first.id, second.id]


def test_choosing_one_of_two_checks_in_only_that_one(kiosk_client, practice):
    clinician = make_clinician(practice)
    patient = shaw(practice)
    first = make_appointment(patient, at(5, clinician))
    second = make_appointment(patient, at(45, clinician))
    walk_to_confirm(kiosk_client)
    kiosk_client.form_post("/kiosk/confirm", {"appointment": second.id})
    assert (Appointment.get_by_id(first.id).status, Appointment.get_by_id(second.id).status) == ("booked", "arrived")


def test_choosing_nothing_of_two_asks_again(kiosk_client, practice):
    clinician = make_clinician(practice)
    patient = shaw(practice)
    make_appointment(patient, at(5, clinician))
    make_appointment(patient, at(45, clinician))
    walk_to_confirm(kiosk_client)
    tree = check_html(kiosk_client.form_post("/kiosk/confirm", {}).get_data(as_text=True))
    assert "Choose your appointment" in tree.css_first(".nhsuk-error-summary").text()


def test_double_tap_on_confirm_checks_in_once(kiosk_client, practice):
    appointment = make_appointment(shaw(practice), at(10, make_clinician(practice)))
    walk_to_confirm(kiosk_client)
    token = confirm_token(kiosk_client)
    for _ in range(2):
        kiosk_client.post("/kiosk/confirm", data={"csrf_token": token, "appointment": appointment.id})
    assert events(checkin.CHECK_IN) == 1


def test_double_tap_on_confirm_shows_the_success_page(kiosk_client, practice):
    appointment = make_appointment(shaw(practice), at(10, make_clinician(practice)))
    walk_to_confirm(kiosk_client)
    token = confirm_token(kiosk_client)
    kiosk_client.post("/kiosk/confirm", data={"csrf_token": token, "appointment": appointment.id})
    second = kiosk_client.post(
        "/kiosk/confirm", data={"csrf_token": token, "appointment": appointment.id}, follow_redirects=True
    )
    assert "You are checked in. Please take a seat." in second.get_data(as_text=True)


def test_appointment_not_among_the_choices_is_refused(kiosk_client, practice):
    clinician = make_clinician(practice)
    mine = make_appointment(shaw(practice), at(10, clinician))
    someone_else = make_appointment(make_patient(practice), at(20, clinician))
    walk_to_confirm(kiosk_client)
    kiosk_client.form_post("/kiosk/confirm", {"appointment": someone_else.id})
    assert (Appointment.get_by_id(someone_else.id).status, Appointment.get_by_id(mine.id).status) == (
        "booked",
        "booked",
    )


def test_appointment_from_another_practice_is_refused(kiosk_client, practice):
    make_appointment(shaw(practice), at(10, make_clinician(practice)))
    other = make_practice()
    foreign = make_appointment(shaw(other), at(10, make_clinician(other)))
    walk_to_confirm(kiosk_client)
    kiosk_client.form_post("/kiosk/confirm", {"appointment": foreign.id})
    assert (Appointment.get_by_id(foreign.id).status, events(checkin.CHECK_IN)) == ("booked", 0)


def test_done_page_shows_how_late_the_clinician_is_running(kiosk_client, practice):
    clinician = make_clinician(
        practice, display_name="Dr J Okafor", running_late_minutes=20, running_late_on=local_today()
    )
    appointment = make_appointment(shaw(practice), at(10, clinician))
    walk_to_confirm(kiosk_client)
    done = kiosk_client.form_post("/kiosk/confirm", {"appointment": appointment.id}, follow_redirects=True)
    assert "Dr J Okafor is running about 20 minutes late today." in done.get_data(as_text=True)


def test_done_page_is_shown_once(kiosk_client, practice):
    appointment = make_appointment(shaw(practice), at(10, make_clinician(practice)))
    walk_to_confirm(kiosk_client)
    kiosk_client.form_post("/kiosk/confirm", {"appointment": appointment.id})
    kiosk_client.get("/kiosk/done")
    assert kiosk_client.get("/kiosk/done").headers["Location"] == "/kiosk/"


def test_start_page_forgets_what_was_typed(kiosk_client, practice):
    make_appointment(shaw(practice), at(10, make_clinician(practice)))
    walk_to_confirm(kiosk_client)
    kiosk_client.get("/kiosk/")
    assert kiosk_client.get("/kiosk/confirm").headers["Location"] == "/kiosk/"


def test_answers_expire_after_the_practices_idle_time(kiosk_client, practice, time_machine):
    time_machine.move_to(utcnow().replace(tzinfo=UTC), tick=False)
    make_appointment(shaw(practice), at(10, make_clinician(practice)))
    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/")
    kiosk_client.form_post("/kiosk/sex", {"sex": "female"})
    token = csrf_token(kiosk_client.get("/kiosk/date-of-birth").get_data(as_text=True))
    time_machine.shift(timedelta(seconds=practice.kiosk_idle_seconds + 1))
    response = kiosk_client.post(
        "/kiosk/date-of-birth", data={"csrf_token": token, "day": 14, "month": 3, "year": 1985}
    )
    assert (response.headers["Location"], events(checkin.MATCH)) == ("/kiosk/", 0)


def test_longer_idle_setting_keeps_the_answers(kiosk_client, practice, time_machine):
    practice.kiosk_idle_seconds = 180
    practice.save()
    time_machine.move_to(utcnow().replace(tzinfo=UTC), tick=False)
    make_appointment(shaw(practice), at(10, make_clinician(practice)))
    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/")
    kiosk_client.form_post("/kiosk/sex", {"sex": "female"})
    token = csrf_token(kiosk_client.get("/kiosk/date-of-birth").get_data(as_text=True))
    time_machine.shift(timedelta(seconds=120))
    response = kiosk_client.post(
        "/kiosk/date-of-birth", data={"csrf_token": token, "day": 14, "month": 3, "year": 1985}
    )
    assert response.headers["Location"] == "/kiosk/confirm"


def test_question_pages_return_to_the_start_without_javascript_after_the_idle_time(kiosk_client, practice):
    practice.kiosk_idle_seconds = 45
    practice.save()
    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/")
    tree = check_html(kiosk_client.get("/kiosk/sex").get_data(as_text=True))
    assert tree.css_first('noscript meta[http-equiv="refresh"]').attributes["content"] == "45;url=/kiosk/"


def fail_matches(client, times):
    for _ in range(times):
        walk_to_confirm(client, letter="Q")


def test_kiosk_pauses_after_the_allowed_failed_matches(kiosk_client, app):
    fail_matches(kiosk_client, app.config["KIOSK_FAILURES_ALLOWED"])
    page = kiosk_client.get("/kiosk/").get_data(as_text=True)
    assert ("Check-in on this screen is paused" in page, 'action="/kiosk/letter"' in page) == (True, False)


def test_paused_kiosk_does_not_look_up_even_a_real_appointment(kiosk_client, app, practice):
    appointment = make_appointment(shaw(practice), at(10, make_clinician(practice)))
    fail_matches(kiosk_client, app.config["KIOSK_FAILURES_ALLOWED"])
    kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/staff/sign-in")
    kiosk_client.form_post("/kiosk/sex", {"sex": "female"})
    response = kiosk_client.form_post("/kiosk/date-of-birth", {"day": 14, "month": 3, "year": 1985})
    assert (response.headers["Location"], events(checkin.MATCH), Appointment.get_by_id(appointment.id).status) == (
        "/kiosk/see-reception",
        app.config["KIOSK_FAILURES_ALLOWED"],
        "booked",
    )


def test_pause_lifts_after_the_failure_window(kiosk_client, app, time_machine):
    time_machine.move_to(utcnow().replace(tzinfo=UTC), tick=False)
    fail_matches(kiosk_client, app.config["KIOSK_FAILURES_ALLOWED"])
    time_machine.shift(timedelta(minutes=app.config["KIOSK_FAILURE_WINDOW_MINUTES"], seconds=1))
    assert 'action="/kiosk/letter"' in kiosk_client.get("/kiosk/").get_data(as_text=True)


def test_no_kiosk_page_shows_a_patients_name(kiosk_client, app, practice):
    clinician = make_clinician(practice)
    patient = shaw(practice)
    first = make_appointment(patient, at(5, clinician))
    make_appointment(patient, at(40, clinician))
    pages = [kiosk_client.get("/kiosk/")]
    pages.append(kiosk_client.form_post("/kiosk/letter", {"letter": "?"}, token_from="/kiosk/"))
    pages.append(kiosk_client.form_post("/kiosk/letter", {"letter": "S"}, token_from="/kiosk/", follow_redirects=True))
    pages.append(kiosk_client.form_post("/kiosk/sex", {"sex": "female"}, follow_redirects=True))
    pages.append(kiosk_client.form_post("/kiosk/date-of-birth", {"day": "x"}))
    pages.append(
        kiosk_client.form_post("/kiosk/date-of-birth", {"day": 14, "month": 3, "year": 1985}, follow_redirects=True)
    )
    pages.append(kiosk_client.form_post("/kiosk/confirm", {}))
    pages.append(kiosk_client.form_post("/kiosk/confirm", {"appointment": first.id}, follow_redirects=True))
    fail_matches(kiosk_client, app.config["KIOSK_FAILURES_ALLOWED"])
    pages.append(kiosk_client.get("/kiosk/see-reception"))
    pages.append(kiosk_client.get("/kiosk/"))
    text = "\n".join(p.get_data(as_text=True) for p in pages)
    assert ("checked in" in text, [n for n in NAMES if n in text]) == (True, [])
