"""The uptake report (R10): registered patients against the list and the 10% commitment, by service and by identity
method, and a CSV a spreadsheet cannot turn into formulas."""

import csv
import io
from datetime import datetime

import pytest

from tests.builders import (
    make_identity_check,
    make_patient,
    make_practice,
    make_registered_account,
    make_staff,
    make_staff_session,
)
from tests.pages import check_html

REGISTERED = datetime(2026, 5, 1, 9, 0)


def registered(practice, method="documents", **services):
    """A registered patient whose latest identity check used `method`."""
    account = make_registered_account(practice, make_patient(practice), **services)
    make_identity_check(account, method=method)
    return account


@pytest.fixture
def twenty(practice):
    """20 patients on the list; three of them count as registered."""
    registered(practice, "documents", appointments=True)
    registered(practice, "vouching", prescriptions=True, record_level="summary")
    later = registered(practice, "documents", appointments=True)
    make_identity_check(later, method="vouching_confirmation")  # the latest check is the one that counts
    # Not counted: registered with nothing on; suspended; services on but never registered; proxy-only; elsewhere.
    make_registered_account(practice, make_patient(practice))
    make_registered_account(practice, make_patient(practice), appointments=True, suspended_at=REGISTERED)
    make_registered_account(practice, make_patient(practice), appointments=True, registered_at=None)
    make_registered_account(practice, appointments=True)
    other = make_practice()
    make_registered_account(other, make_patient(other), appointments=True)
    while practice.patients.count() < 20:
        make_patient(practice)
    return practice


@pytest.fixture
def manager(client, practice):
    make_staff_session(client, make_staff(practice, "manager"))


def page_text(client) -> str:
    response = client.get("/staff/reports/uptake")
    assert response.status_code == 200
    return " ".join(check_html(response.get_data(as_text=True)).body.text(separator=" ").split())


def table(client, caption: str) -> dict[str, str]:
    tree = check_html(client.get("/staff/reports/uptake").get_data(as_text=True))
    for t in tree.css("table"):
        if t.css_first("caption").text(strip=True) == caption:
            rows = [[c.text(strip=True) for c in tr.css("td")] for tr in t.css("tbody tr")]
            return dict(rows)
    raise AssertionError(f"no table {caption!r}")


def csv_rows(client) -> list[list[str]]:
    response = client.get("/staff/reports/uptake.csv")
    assert response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_share_of_the_list_registered_against_the_commitment(client, twenty, manager):
    text = page_text(client)
    assert "15.0% of the practice list (3 of 20 patients)" in text
    assert "Meets the 10% commitment" in text


def test_below_the_commitment_says_so(client, practice, manager):
    registered(practice, appointments=True)
    for _ in range(19):
        make_patient(practice)
    text = page_text(client)
    assert "5.0% of the practice list (1 of 20 patients)" in text
    assert "Below the 10% commitment" in text


def test_an_empty_practice_reports_nothing_registered(client, practice, manager):
    assert "0.0% of the practice list (0 of 0 patients)" in page_text(client)


def test_uptake_by_service(client, twenty, manager):
    assert table(client, "By service") == {
        "Appointments": "2",
        "Repeat prescriptions": "1",
        "Record access (any level)": "1",
    }


def test_uptake_by_identity_method_counts_each_patients_latest_check(client, twenty, manager):
    assert table(client, "By identity verification method") == {
        "Identity documents": "1",
        "Vouched for by a member of staff who knows them": "1",
        "Vouching with confirmation questions": "1",
    }


def test_csv_carries_the_same_numbers(client, twenty, manager):
    rows = csv_rows(client)
    assert ["Patients on the list", "20"] in rows
    assert ["Registered for at least one online service", "3"] in rows
    assert ["Percentage", "15.0"] in rows
    assert ["Appointments", "2"] in rows
    assert ["Identity documents", "1"] in rows


def test_csv_is_a_download_named_after_the_practice(client, practice, manager):
    response = client.get("/staff/reports/uptake.csv")
    assert response.headers["Content-Disposition"] == f'attachment; filename="uptake-{practice.ods_code}.csv"'
    assert response.headers["Cache-Control"] == "no-store, no-cache, private"


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.test","Click")', "+44 20 7946 0000", "-1+2", "@SUM(A1:A9)"])
def test_csv_cells_that_could_run_as_formulas_are_escaped(client, manager, practice, name):
    practice.name = name
    practice.save()
    assert csv_rows(client)[0] == ["Practice", "'" + name]


def test_csv_leaves_ordinary_names_alone(client, manager, practice):
    practice.name = "Riverside Medical Practice"
    practice.save()
    assert csv_rows(client)[0] == ["Practice", "Riverside Medical Practice"]
