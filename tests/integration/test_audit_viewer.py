"""A practice manager reads the audit log: filtered by patient, member of staff, action and dates, newest first, a
page at a time; and downloads the same as CSV, with formula cells escaped and the download itself audited."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.models import AuditEvent
from kiosk.services.audit import append
from kiosk.services.audit_log import PAGE_SIZE
from tests.builders import actor_for, make_patient, make_practice, make_staff, make_staff_session
from tests.pages import check_html

START = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)  # 10:00 in London


@pytest.fixture
def manager(client, practice):
    staff = make_staff(practice, "manager", name="Mark Mensah")
    make_staff_session(client, staff)
    return staff


def event(who, action="record.view", patient=None, detail=""):
    return append(actor_for(who), action, patient_id=patient.id if patient else None, detail=detail)


def shown(client, query: str = "") -> list[str]:
    """The detail column of each row shown, top to bottom."""
    tree = check_html(client.get(f"/staff/practice/audit/{query}").get_data(as_text=True))
    return [row.css("td")[4].text(strip=True) for row in tree.css("tbody tr")]


def tree(client, query: str = ""):
    return check_html(client.get(f"/staff/practice/audit/{query}").get_data(as_text=True))


def downloaded(client, query: str = "") -> list[list[str]]:
    response = client.get(f"/staff/practice/audit/export.csv{query}")
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_events_are_shown_newest_first(client, practice, manager):
    clerk = make_staff(practice)
    for n in range(3):
        event(clerk, detail=f"event {n}")
    assert shown(client, "?action=record.view") == ["event 2", "event 1", "event 0"]


def test_a_page_holds_a_small_number_of_events_with_a_link_to_older_ones(client, practice, manager):
    clerk = make_staff(practice)
    for n in range(PAGE_SIZE + 5):
        event(clerk, detail=f"event {n}")
    page = tree(client, "?action=record.view")
    links = [a.text() for a in page.css("nav.app-pager a")]
    assert (len(page.css("tbody tr")), links) == (PAGE_SIZE, ["Older events"])


def test_the_next_page_holds_the_older_events_and_links_back(client, practice, manager):
    clerk = make_staff(practice)
    for n in range(PAGE_SIZE + 5):
        event(clerk, detail=f"event {n}")
    page = tree(client, "?action=record.view&page=2")
    details = [row.css("td")[4].text(strip=True) for row in page.css("tbody tr")]
    assert (details, [a.text() for a in page.css("nav.app-pager a")]) == (
        ["event 4", "event 3", "event 2", "event 1", "event 0"],
        ["Newer events"],
    )


def test_paging_keeps_the_filters(client, practice, manager):
    clerk = make_staff(practice)
    for _ in range(PAGE_SIZE + 1):
        event(clerk)
    link = tree(client, "?action=record.view").css_first("nav.app-pager a").attributes["href"]
    assert "action=record.view" in link and "page=2" in link


def test_a_full_page_of_long_events_stays_inside_the_page_budget(client, practice, manager):
    clerk = make_staff(practice, name="A" * 120)
    someone = make_patient(practice, given_name="B" * 80, family_name="C" * 80)
    for n in range(PAGE_SIZE):
        event(clerk, patient=someone, detail=f"{n} " + "detail that does not compress well " * 30)
    assert len(tree(client).css("tbody tr")) == PAGE_SIZE  # check_html fails on a page over 14 KB compressed


@pytest.mark.parametrize("number", ["0", "10001", "two"])
def test_a_page_number_out_of_bounds_is_not_found(client, practice, manager, number):
    assert client.get(f"/staff/practice/audit/?page={number}").status_code == 404


def test_a_page_past_the_last_says_nothing_matches(client, practice, manager):
    assert "No events match these filters" in client.get("/staff/practice/audit/?page=50").get_data(as_text=True)


def test_events_of_another_practice_are_never_shown(client, practice, manager):
    event(make_staff(make_practice()), detail="elsewhere")
    event(make_staff(practice), detail="here")
    assert shown(client, "?action=record.view") == ["here"]


# Filters.


def test_an_nhs_number_search_shows_only_that_patients_events(client, practice, manager):
    clerk = make_staff(practice)
    ours, theirs = make_patient(practice), make_patient(practice)
    event(clerk, patient=ours, detail="ours")
    event(clerk, patient=theirs, detail="theirs")
    assert shown(client, f"?patient_search={ours.nhs_number}") == ["ours"]


def test_a_patient_search_is_itself_audited(client, practice, manager):
    ours = make_patient(practice)
    client.get(f"/staff/practice/audit/?patient_search={ours.nhs_number}")
    assert AuditEvent.get(AuditEvent.action == "patient.search").actor_id == manager.id


def test_a_name_matching_several_patients_offers_each_to_choose(client, practice, manager):
    make_patient(practice, family_name="Okafor", given_name="Ada")
    make_patient(practice, family_name="Okafor", given_name="Ben")
    page = tree(client, "?patient_search=okafor")
    choices = [a.text() for a in page.css("main ul.nhsuk-list a")]
    assert ([c.split(",")[0] for c in choices], page.css_first("tbody")) == (["Ada Okafor", "Ben Okafor"], None)


def test_choosing_a_patient_filters_by_them(client, practice, manager):
    clerk = make_staff(practice)
    ada = make_patient(practice, family_name="Okafor", given_name="Ada")
    ben = make_patient(practice, family_name="Okafor", given_name="Ben")
    event(clerk, patient=ada, detail="ada")
    event(clerk, patient=ben, detail="ben")
    link = next(a for a in tree(client, "?patient_search=okafor").css("main ul.nhsuk-list a") if "Ben" in a.text())
    assert shown(client, link.attributes["href"].removeprefix("/staff/practice/audit/")) == ["ben"]


def test_a_search_that_matches_nobody_says_so_next_to_the_field(client, practice, manager):
    page = tree(client, "?patient_search=Nobodyhere")
    assert (page.css_first("#patient_search-error").text(strip=True).endswith("Try an NHS number or a surname"),
            page.css_first("title").text().startswith("Error: ")) == (True, True)  # fmt: skip


def test_another_practices_patient_is_not_found(client, practice, manager):
    elsewhere = make_patient(make_practice())
    assert client.get(f"/staff/practice/audit/?patient={elsewhere.id}").status_code == 404


def test_a_search_does_not_find_another_practices_patient(client, practice, manager):
    elsewhere = make_patient(make_practice())
    assert tree(client, f"?patient_search={elsewhere.nhs_number}").css_first("#patient_search-error") is not None


def test_the_staff_filter_shows_only_what_they_did(client, practice, manager):
    rosa, sam = make_staff(practice, name="Rosa Reid"), make_staff(practice, name="Sam Shah")
    event(rosa, detail="rosa")
    event(sam, detail="sam")
    assert shown(client, f"?staff={rosa.id}&action=record.view") == ["rosa"]


def test_the_staff_filter_offers_this_practices_staff_only(client, practice, manager):
    make_staff(practice, name="Rosa Reid")
    make_staff(make_practice(), name="Elsewhere Person")
    options = [o.text() for o in tree(client).css("#staff option")]
    assert ("Rosa Reid (receptionist)" in options, any("Elsewhere" in o for o in options)) == (True, False)


def test_another_practices_member_of_staff_is_not_found(client, practice, manager):
    elsewhere = make_staff(make_practice())
    assert client.get(f"/staff/practice/audit/?staff={elsewhere.id}").status_code == 404


def test_the_action_filter_shows_only_that_action(client, practice, manager):
    clerk = make_staff(practice)
    event(clerk, action="letter.view", detail="letter")
    event(clerk, action="record.view", detail="record")
    assert shown(client, "?action=letter.view") == ["letter"]


def test_the_action_filter_offers_the_actions_the_log_holds(client, practice, manager):
    event(make_staff(practice), action="letter.view")
    assert "letter.view" in [o.attributes["value"] for o in tree(client).css("#action option")]


def test_the_date_range_takes_whole_london_days(client, practice, manager, time_machine):
    clerk = make_staff(practice)
    for days, name in [(0, "10 June"), (1, "11 June"), (2, "12 June"), (3, "13 June")]:
        time_machine.move_to(START + timedelta(days=days), tick=False)
        event(clerk, detail=name)
    # 23:30 in London on 12 June is 22:30 UTC the same day: still the 12th.
    time_machine.move_to(datetime(2026, 6, 12, 22, 30, tzinfo=UTC), tick=False)
    event(clerk, detail="12 June late")
    assert shown(client, "?action=record.view&date_from=11/06/2026&date_to=12/06/2026") == [
        "12 June late",
        "12 June",
        "11 June",
    ]


def test_a_to_date_before_the_from_date_is_refused_next_to_it(client, practice, manager):
    page = tree(client, "?date_from=12/06/2026&date_to=11/06/2026")
    assert page.css_first("#date_to-error").text(strip=True).endswith("same as or after the from date")


def test_a_date_that_is_not_real_is_refused_next_to_it(client, practice, manager):
    assert tree(client, "?date_from=31/02/2026").css_first("#date_from-error") is not None


# CSV download.


def test_the_download_has_a_heading_row_and_the_filtered_events(client, practice, manager):
    clerk = make_staff(practice, name="Rosa Reid")
    ours = make_patient(practice, given_name="Ada", family_name="Okafor")
    event(clerk, patient=ours, detail="ours")
    event(clerk, patient=make_patient(practice), detail="theirs")
    rows = downloaded(client, f"?patient={ours.id}&action=record.view")
    assert (rows[0][:4], [(r[1], r[5], r[9]) for r in rows[1:]]) == (
        ["When (UK time)", "Who", "Role", "Action"],
        [("Rosa Reid", "Ada Okafor", "ours")],
    )


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"])
def test_cells_that_start_with_a_formula_character_are_escaped(client, practice, manager, dangerous):
    event(make_staff(practice), detail=dangerous)
    rows = downloaded(client, "?action=record.view")
    assert rows[1][9] == "'" + dangerous


def test_a_name_that_starts_with_a_formula_character_is_escaped(client, practice, manager):
    event(make_staff(practice, name="=cmd|' /C calc'!A0"))
    assert downloaded(client, "?action=record.view")[1][1] == "'=cmd|' /C calc'!A0"


def test_every_download_is_audited_with_its_filters_and_row_count(client, practice, manager):
    clerk = make_staff(practice)
    event(clerk)
    event(clerk)
    client.get(f"/staff/practice/audit/export.csv?action=record.view&staff={clerk.id}")
    exported = AuditEvent.get(AuditEvent.action == "audit.export")
    assert (exported.actor_id, exported.detail) == (manager.id, f"2 rows; staff {clerk.id}, action record.view")


def test_a_download_for_a_patient_is_audited_against_that_patient(client, practice, manager):
    ours = make_patient(practice)
    client.get(f"/staff/practice/audit/export.csv?patient={ours.id}")
    assert AuditEvent.get(AuditEvent.action == "audit.export").patient_id == ours.id


def test_the_page_links_to_a_download_with_the_same_filters(client, practice, manager):
    clerk = make_staff(practice)
    event(clerk)
    link = tree(client, f"?staff={clerk.id}&action=record.view").css_first("a[download]").attributes["href"]
    assert link == f"/staff/practice/audit/export.csv?staff={clerk.id}&action=record.view"


def test_a_download_for_another_practices_patient_is_not_found(client, practice, manager):
    elsewhere = make_patient(make_practice())
    assert client.get(f"/staff/practice/audit/export.csv?patient={elsewhere.id}").status_code == 404


def test_a_download_never_holds_another_practices_events(client, practice, manager):
    event(make_staff(make_practice()), detail="elsewhere")
    assert [r[9] for r in downloaded(client, "?action=record.view")[1:]] == []


# Who may read it.


@pytest.mark.parametrize("role", ["reception", "clinician"])
@pytest.mark.parametrize("url", ["/staff/practice/audit/", "/staff/practice/audit/export.csv"])
def test_other_staff_get_not_found(client, practice, role, url):
    make_staff_session(client, make_staff(practice, role))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/staff/practice/audit/", "/staff/practice/audit/export.csv"])
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    assert client.get(url).headers["Location"].startswith("/staff/sign-in")
