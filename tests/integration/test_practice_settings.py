"""A practice manager changes the practice's settings: each bound holds, nonsense is refused next to its field, every
change is audited with its old and new value, and a change applies at once (sign-out times included)."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.clock import local_today
from kiosk.models import AuditEvent, Practice
from kiosk.services.practice_settings import GROUPS
from tests.builders import (
    make_letter,
    make_patient,
    make_practice,
    make_registered_account,
    make_staff,
    make_staff_session,
)
from tests.pages import check_html

NUMBERS = [(g.slug, s) for g in GROUPS for s in g.settings if s.minimum is not None]
START = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def manager(client, practice):
    staff = make_staff(practice, "manager", name="Mark Mensah")
    make_staff_session(client, staff)
    return staff


def form_values(practice_id: int, slug: str, **changes) -> dict:
    """What the group's form sends when the manager changes only `changes`."""
    practice = Practice.get_by_id(practice_id)
    group = next(g for g in GROUPS if g.slug == slug)
    return {**{s.name: getattr(practice, s.name) for s in group.settings}, **changes}


def save(client, practice, slug, **changes):
    url = f"/staff/practice/settings/{slug}"
    return client.form_post(url, form_values(practice.id, slug, **changes))


def letters(client, day: date, confirmed: bool = False):
    data = {"letters_from_day": day.day, "letters_from_month": day.month, "letters_from_year": day.year}
    if confirmed:
        data["confirmed"] = "1"
    return client.form_post("/staff/practice/settings/letters", data)


def error_next_to(response, field_id: str) -> str:
    tree = check_html(response.get_data(as_text=True))
    node = tree.css_first(f"#{field_id}-error")
    return node.text(strip=True).removeprefix("Error:").strip() if node else ""


def stored(practice, name):
    return getattr(Practice.get_by_id(practice.id), name)


# Each bound of each number: below and above are refused next to the field, at either end is saved.


@pytest.mark.parametrize(("slug", "setting"), NUMBERS, ids=[s.name for _, s in NUMBERS])
def test_a_number_below_its_minimum_is_refused_next_to_the_field(client, practice, manager, slug, setting):
    response = save(client, practice, slug, **{setting.name: setting.minimum - 1})
    assert error_next_to(response, setting.name) == setting.bounds_message


@pytest.mark.parametrize(("slug", "setting"), NUMBERS, ids=[s.name for _, s in NUMBERS])
def test_a_number_above_its_maximum_is_refused_next_to_the_field(client, practice, manager, slug, setting):
    response = save(client, practice, slug, **{setting.name: setting.maximum + 1})
    assert error_next_to(response, setting.name) == setting.bounds_message


@pytest.mark.parametrize(("slug", "setting"), NUMBERS, ids=[s.name for _, s in NUMBERS])
def test_a_refused_number_is_not_saved(client, practice, manager, slug, setting):
    before = stored(practice, setting.name)
    save(client, practice, slug, **{setting.name: setting.maximum + 1})
    assert stored(practice, setting.name) == before


@pytest.mark.parametrize(("slug", "setting"), NUMBERS, ids=[s.name for _, s in NUMBERS])
def test_a_number_at_its_minimum_is_saved(client, practice, manager, slug, setting):
    response = save(client, practice, slug, **{setting.name: setting.minimum})
    assert (response.status_code, stored(practice, setting.name)) == (303, setting.minimum)


@pytest.mark.parametrize(("slug", "setting"), NUMBERS, ids=[s.name for _, s in NUMBERS])
def test_a_number_at_its_maximum_is_saved(client, practice, manager, slug, setting):
    response = save(client, practice, slug, **{setting.name: setting.maximum})
    assert (response.status_code, stored(practice, setting.name)) == (303, setting.maximum)


@pytest.mark.parametrize(("slug", "setting"), NUMBERS, ids=[s.name for _, s in NUMBERS])
def test_every_number_has_a_hint_saying_what_it_changes(client, practice, manager, slug, setting):
    tree = check_html(client.get(f"/staff/practice/settings/{slug}").get_data(as_text=True))
    assert tree.css_first(f"#{setting.name}-hint").text(strip=True) == setting.hint


def test_a_late_window_longer_than_a_day_says_what_is_allowed(client, practice, manager):
    response = save(client, practice, "check-in", check_in_late_minutes=24 * 60 + 1)
    assert error_next_to(response, "check_in_late_minutes") == (
        "How late patients can check in must be between 0 and 120 minutes"
    )


def test_a_parental_cut_off_age_of_17_is_refused_saying_16_at_the_latest(client, practice, manager):
    response = save(client, practice, "proxies", parental_proxy_end_age=17)
    assert error_next_to(response, "parental_proxy_end_age") == (
        "Parental proxy access must end at an age from 11 to 16: 16 at the latest"
    )


def test_a_number_that_is_not_a_number_is_refused(client, practice, manager):
    response = save(client, practice, "check-in", check_in_early_minutes="an hour")
    assert error_next_to(response, "check_in_early_minutes") == "How early patients can check in must be a whole number"


def test_an_empty_number_is_refused(client, practice, manager):
    response = save(client, practice, "booking", booking_horizon_days="")
    assert error_next_to(response, "booking_horizon_days") == "Enter how far ahead patients can book"


def test_a_refused_form_has_an_error_title_and_keeps_what_was_typed(client, practice, manager):
    tree = check_html(save(client, practice, "check-in", check_in_late_minutes=5000).get_data(as_text=True))
    assert (
        tree.css_first("title").text().startswith("Error: "),
        tree.css_first("#check_in_late_minutes").attributes["value"],
    ) == (
        True,
        "5000",
    )


def test_the_error_summary_links_to_the_field(client, practice, manager):
    tree = check_html(save(client, practice, "check-in", check_in_late_minutes=5000).get_data(as_text=True))
    assert [a.attributes["href"] for a in tree.css(".nhsuk-error-summary a")] == ["#check_in_late_minutes"]


# The practice's details.


def test_the_practice_details_are_saved(client, practice, manager):
    save(client, practice, "practice", name="Riverside Surgery", address="1 River Lane, Leeds", phone="0113 496 0000")
    saved = Practice.get_by_id(practice.id)
    assert (saved.name, saved.address, saved.phone) == ("Riverside Surgery", "1 River Lane, Leeds", "0113 496 0000")


def test_the_practice_name_cannot_be_empty(client, practice, manager):
    assert error_next_to(save(client, practice, "practice", name="  "), "name") == "Enter the practice name"


def test_a_practice_name_of_120_characters_is_saved(client, practice, manager):
    save(client, practice, "practice", name="R" * 120)
    assert stored(practice, "name") == "R" * 120


def test_a_practice_name_of_121_characters_is_refused(client, practice, manager):
    response = save(client, practice, "practice", name="R" * 121)
    assert error_next_to(response, "name") == "Practice name must be 120 characters or fewer"


def test_a_phone_number_of_31_characters_is_refused(client, practice, manager):
    response = save(client, practice, "practice", phone="0" * 31)
    assert error_next_to(response, "phone") == "Phone number must be 30 characters or fewer"


def test_the_ods_code_is_shown_but_cannot_be_changed(client, practice, manager):
    page = client.get("/staff/practice/settings/practice").get_data(as_text=True)
    save(client, practice, "practice", ods_code="X99999")
    assert (practice.ods_code in page, 'name="ods_code"' in page, stored(practice, "ods_code")) == (
        True,
        False,
        practice.ods_code,
    )


# Audit: one row per changed field, with the old and the new value.


def test_each_changed_setting_is_audited_with_its_old_and_new_value(client, practice, manager):
    save(client, practice, "check-in", check_in_early_minutes=30, check_in_late_minutes=20)
    events = AuditEvent.select().where(AuditEvent.action == "practice.setting_change").order_by(AuditEvent.id)
    assert [e.detail for e in events] == ["check_in_early_minutes: 60 → 30", "check_in_late_minutes: 10 → 20"]


def test_the_audit_row_says_who_changed_it(client, practice, manager):
    save(client, practice, "check-in", check_in_late_minutes=20)
    event = AuditEvent.get(AuditEvent.action == "practice.setting_change")
    assert (event.actor_id, event.actor_name, event.role, event.practice_id, event.object_type) == (
        manager.id,
        "Mark Mensah",
        "manager",
        practice.id,
        "practice",
    )


def test_the_audit_row_says_when(client, practice, manager, time_machine):
    time_machine.move_to(START, tick=False)
    save(client, practice, "check-in", check_in_late_minutes=20)
    assert AuditEvent.get(AuditEvent.action == "practice.setting_change").at == START.replace(tzinfo=None)


def test_a_text_change_is_audited_with_both_values_quoted(client, practice, manager):
    save(client, practice, "practice", phone="0113 496 0000")
    assert AuditEvent.get(AuditEvent.action == "practice.setting_change").detail == "phone: '' → '0113 496 0000'"


def test_saving_without_a_change_writes_no_audit_row(client, practice, manager):
    save(client, practice, "booking")
    assert not AuditEvent.select().where(AuditEvent.action == "practice.setting_change").exists()


def test_saving_returns_to_the_settings_saying_what_was_saved(client, practice, manager):
    response = save(client, practice, "check-in", check_in_late_minutes=20)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (response.headers["Location"], "Kiosk check-in: 1 setting saved" in page) == (
        "/staff/practice/settings/",
        True,
    )


def test_the_settings_page_shows_the_saved_value(client, practice, manager):
    save(client, practice, "check-in", check_in_late_minutes=25)
    tree = check_html(client.get("/staff/practice/settings/").get_data(as_text=True))
    row = next(r for r in tree.css(".nhsuk-summary-list__row") if "How late patients can check in" in r.text())
    assert row.css_first("dd").text(strip=True) == "25 minutes"


# Letters: the date from which cleared letters show, checked before it is saved.


@pytest.fixture
def cleared_letters(practice):
    """Cleared letters on both sides of a move from 31 March 2017 to 1 January 2020, and some that stay hidden."""
    patient = make_patient(practice)
    for received in (date(2016, 6, 1), date(2017, 1, 1), date(2018, 5, 5), date(2019, 12, 31), date(2021, 1, 1)):
        make_letter(patient, status="cleared", received_on=received)
    make_letter(patient, received_on=date(2018, 1, 1))  # awaiting review
    make_letter(patient, status="withheld", withhold_reason="harm", received_on=date(2016, 1, 1))
    other = make_patient(make_practice())
    make_letter(other, status="cleared", received_on=date(2018, 1, 1))
    return patient


def test_a_later_letters_date_says_how_many_cleared_letters_would_disappear(client, practice, manager, cleared_letters):
    tree = check_html(letters(client, date(2020, 1, 1)).get_data(as_text=True))
    assert (tree.css_first("#letters-disappear").text(), tree.css_first("#letters-appear").text()) == ("2", "0")


def test_an_earlier_letters_date_says_how_many_cleared_letters_would_appear(client, practice, manager, cleared_letters):
    tree = check_html(letters(client, date(2016, 1, 1)).get_data(as_text=True))
    assert (tree.css_first("#letters-appear").text(), tree.css_first("#letters-disappear").text()) == ("2", "0")


def test_checking_a_letters_date_saves_nothing(client, practice, manager, cleared_letters):
    letters(client, date(2020, 1, 1))
    assert (
        stored(practice, "letters_from"),
        AuditEvent.select().where(AuditEvent.action == "practice.setting_change").count(),
    ) == (
        date(2017, 3, 31),
        0,
    )


def test_the_check_page_saves_the_date_it_shows(client, practice, manager, cleared_letters):
    tree = check_html(letters(client, date(2020, 1, 1)).get_data(as_text=True))
    form = tree.css_first("main form")
    data = {n.attributes["name"]: n.attributes["value"] for n in form.css("input[type=hidden]")}
    response = client.post(form.attributes["action"], data=data)
    assert (response.status_code, stored(practice, "letters_from")) == (303, date(2020, 1, 1))


def test_a_confirmed_letters_date_is_audited_with_old_and_new(client, practice, manager):
    letters(client, date(2020, 1, 1), confirmed=True)
    event = AuditEvent.get(AuditEvent.action == "practice.setting_change")
    assert event.detail == "letters_from: 2017-03-31 → 2020-01-01"


def test_the_letters_date_takes_effect_for_patients_at_once(client, practice, manager, cleared_letters):
    from kiosk.services.record import visible_letters

    before = visible_letters(Practice.get_by_id(practice.id), cleared_letters.id, "full").count()
    letters(client, date(2020, 1, 1), confirmed=True)
    after = visible_letters(Practice.get_by_id(practice.id), cleared_letters.id, "full").count()
    assert (before, after) == (3, 1)


def test_todays_date_is_accepted_for_letters(client, practice, manager):
    letters(client, local_today(), confirmed=True)
    assert stored(practice, "letters_from") == local_today()


def test_a_letters_date_in_the_future_is_refused_next_to_the_date(client, practice, manager):
    response = letters(client, local_today() + timedelta(days=1), confirmed=True)
    assert error_next_to(response, "letters-from") == "The date letters show from cannot be in the future"


def test_a_letters_date_in_the_future_is_not_saved(client, practice, manager):
    letters(client, local_today() + timedelta(days=1), confirmed=True)
    assert stored(practice, "letters_from") == date(2017, 3, 31)


def test_the_earliest_letters_date_is_accepted(client, practice, manager):
    letters(client, date(1990, 1, 1), confirmed=True)
    assert stored(practice, "letters_from") == date(1990, 1, 1)


def test_a_letters_date_before_the_earliest_is_refused(client, practice, manager):
    response = letters(client, date(1989, 12, 31), confirmed=True)
    assert error_next_to(response, "letters-from") == "The date letters show from must be 1 January 1990 or later"


def test_a_letters_date_that_is_not_a_real_date_is_refused(client, practice, manager):
    response = client.form_post(
        "/staff/practice/settings/letters",
        {"letters_from_day": 31, "letters_from_month": 2, "letters_from_year": 2020},
    )
    assert error_next_to(response, "letters-from") == "Enter a real date"


def test_the_same_letters_date_again_needs_no_check(client, practice, manager):
    assert letters(client, date(2017, 3, 31)).status_code == 303


# Sign-out idle times are the practice's, read per request.


def test_staff_are_signed_out_after_the_practices_idle_time(client, app, time_machine):
    time_machine.move_to(START, tick=False)
    practice = make_practice(staff_idle_minutes=5)
    make_staff_session(client, make_staff(practice))
    time_machine.shift(timedelta(minutes=5, seconds=1))
    assert client.get("/staff/").status_code == 302


def test_a_longer_staff_idle_time_keeps_staff_signed_in(client, app, time_machine):
    time_machine.move_to(START, tick=False)
    practice = make_practice(staff_idle_minutes=60)
    make_staff_session(client, make_staff(practice))
    time_machine.shift(timedelta(minutes=59))
    assert client.get("/staff/").status_code == 200


def test_a_changed_staff_idle_time_applies_to_sessions_already_open(client, practice, manager, time_machine):
    time_machine.move_to(START, tick=False)
    save(client, practice, "sign-out", staff_idle_minutes=5)
    time_machine.shift(timedelta(minutes=6))
    assert client.get("/staff/").status_code == 302


def test_patients_on_a_phone_are_signed_out_after_the_practices_idle_time(client, time_machine):
    from tests.builders import make_patient_session

    time_machine.move_to(START, tick=False)
    practice = make_practice(patient_idle_minutes=3)
    make_patient_session(client, make_registered_account(practice, make_patient(practice)))
    time_machine.shift(timedelta(minutes=3, seconds=1))
    assert client.get("/home").status_code == 302


def test_the_phone_pages_warn_a_minute_before_the_practices_idle_time(client):
    from tests.builders import make_patient_session

    practice = make_practice(patient_idle_minutes=4)
    make_patient_session(client, make_registered_account(practice, make_patient(practice)))
    main = check_html(client.get("/home").get_data(as_text=True)).css_first("main")
    assert (main.attributes["data-warn-after"], main.attributes["data-session-seconds"]) == ("180", "240")


def test_the_kiosk_pages_reset_after_the_practices_kiosk_idle_time(client):
    from tests.builders import make_patient_session

    practice = make_practice(patient_kiosk_idle_seconds=45)
    make_patient_session(client, make_registered_account(practice, make_patient(practice)), on_kiosk=True)
    from tests.builders import make_kiosk

    make_kiosk(practice, token="settings-kiosk")
    client.set_cookie("kiosk_device", "settings-kiosk")
    main = check_html(client.get("/home").get_data(as_text=True)).css_first("main")
    assert main.attributes["data-reset-after"] == "45"


# Who may change settings.


@pytest.mark.parametrize("role", ["reception", "clinician"])
@pytest.mark.parametrize("url", ["/staff/practice/", "/staff/practice/settings/", "/staff/practice/settings/check-in"])
def test_other_staff_get_not_found(client, practice, role, url):
    make_staff_session(client, make_staff(practice, role))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_other_staff_cannot_post_a_change(client, practice, role):
    make_staff_session(client, make_staff(practice, role))
    client.form_post("/staff/practice/settings/check-in", {"check_in_late_minutes": 30}, token_from="/staff/")
    assert stored(practice, "check_in_late_minutes") == 10


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/staff/practice/settings/check-in")
    assert response.headers["Location"].startswith("/staff/sign-in")


def test_an_unknown_group_is_not_found(client, practice, manager):
    assert client.get("/staff/practice/settings/nonsense").status_code == 404


def test_a_manager_changes_only_their_own_practice(client, practice, manager):
    other = make_practice()
    save(client, practice, "check-in", check_in_late_minutes=30)
    assert (stored(practice, "check_in_late_minutes"), stored(other, "check_in_late_minutes")) == (30, 10)


def test_the_practice_index_lists_each_area(client, practice, manager):
    tree = check_html(client.get("/staff/practice/").get_data(as_text=True))
    links = {a.text() for a in tree.css("main li a")}
    assert {"Settings", "Staff accounts", "Audit log", "Uptake"} <= links


def test_the_staff_menu_has_a_practice_link_for_managers_only(client, practice, manager):
    manager_menu = check_html(client.get("/staff/").get_data(as_text=True)).css("nav a")
    make_staff_session(client, make_staff(practice, "reception"))
    reception_menu = check_html(client.get("/staff/").get_data(as_text=True)).css("nav a")
    assert ("Practice" in [a.text() for a in manager_menu], "Practice" in [a.text() for a in reception_menu]) == (
        True,
        False,
    )


# Two gunicorn workers on one database: a value cached in a worker would keep answering there after the change.


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory):
    from tests.integration.test_lockout_workers import LoggingServer

    server = LoggingServer(tmp_path_factory.mktemp("settings-workers"))
    server.start()
    yield server
    server.stop()


class Visitor:
    """A signed-in member of staff talking to the live server, with their own cookies."""

    def __init__(self, base_url: str, email: str):
        import http.cookiejar
        import urllib.request

        from tests.builders import PASSWORD

        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.post("/staff/sign-in", {"email": email, "password": PASSWORD}, token_from="/staff/sign-in")

    def get(self, path: str) -> str:
        with self.opener.open(f"{self.base_url}{path}", timeout=60) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, token_from: str) -> str:
        import urllib.parse

        from tests.pages import csrf_token

        body = urllib.parse.urlencode({"csrf_token": csrf_token(self.get(token_from)), **data}).encode()
        with self.opener.open(f"{self.base_url}{path}", data=body, timeout=60) as response:
            return response.read().decode()


def late_window_seen(visitor: Visitor) -> str:
    tree = check_html(visitor.get("/staff/practice/settings/"))
    row = next(r for r in tree.css(".nhsuk-summary-list__row") if "How late patients can check in" in r.text())
    return row.css_first("dd").text(strip=True)


def answers_from_both_workers(server, visitor: Visitor) -> set[str]:
    """Read the settings page, two at a time, until both workers have answered since now; every answer seen."""
    import threading

    offset = len(server.log.read_text())
    seen: set[str] = set()
    for _ in range(40):
        pages: list[str] = []
        threads = [
            threading.Thread(target=lambda found=pages: found.append(late_window_seen(visitor))) for _ in range(2)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        seen.update(pages)
        log = server.log.read_text()[offset:]
        if len(set(re.findall(r"worker=<?(\d+)>? GET /staff/practice/settings/ ", log))) == 2:
            return seen
    raise AssertionError("one worker answered every request")


def test_a_change_applies_at_once_in_every_worker(two_workers):
    from kiosk.db import database, open_database

    connection = open_database(two_workers.database_url)
    database.initialize(connection)
    connection.connect()
    try:
        practice = make_practice()
        boss = make_staff(practice, "manager")
        visitor = Visitor(two_workers.url, boss.email)
        before = answers_from_both_workers(two_workers, visitor)
        visitor.post(
            "/staff/practice/settings/check-in",
            {"check_in_early_minutes": 60, "check_in_late_minutes": 35, "kiosk_idle_seconds": 60},
            token_from="/staff/practice/settings/check-in",
        )
        after = answers_from_both_workers(two_workers, visitor)
    finally:
        connection.close()
    assert (before, after) == ({"10 minutes"}, {"35 minutes"})


def test_the_letters_page_starts_on_the_current_date(client, practice, manager):
    tree = check_html(client.get("/staff/practice/settings/letters").get_data(as_text=True))
    boxes = [tree.css_first(f"#letters_from_{part}").attributes["value"] for part in ("day", "month", "year")]
    assert boxes == ["31", "3", "2017"]
