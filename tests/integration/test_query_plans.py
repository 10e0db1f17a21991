"""On PostgreSQL, the hot pages' queries read through indexes that start with the practice.

With many practices on one database a query that reaches its rows through any other index (or none) reads every
practice's. Sequential scans are switched off for the EXPLAIN, so the planner's choice does not hang on how few
rows a test has: what is asserted is that a practice-first index exists for it to choose and that it is chosen.
"""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest

from kiosk.db import database
from kiosk.services.arrivals import todays_list
from kiosk.services.booking import free_week
from kiosk.services.record import current_medicines, record_overview, visible_letters
from tests.builders import (
    local_time_today,
    make_appointment,
    make_clinician,
    make_entry,
    make_medicine,
    make_patient,
    make_practice,
    make_slot,
)

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)

PRACTICE_FIRST = {
    "slot_practice_starts_at": ("slot", "practice_id, starts_at"),
    "clinician_practice_id": ("clinician", "practice_id"),
    "coded_entry_practice_patient_kind": ("coded_entry", "practice_id, patient_id, kind, effective_on"),
    "letter_practice_patient_received": ("letter", "practice_id, patient_id, received_on"),
    "medicine_practice_patient": ("medicine", "practice_id, patient_id"),
    "medicine_practice_id_patient_id_source_id": ("medicine", "practice_id, patient_id, source_id"),
    "letter_practice_id_patient_id_source_id": ("letter", "practice_id, patient_id, source_id"),
    "coded_entry_practice_id_patient_id_source_id": ("coded_entry", "practice_id, patient_id, source_id"),
}


@contextmanager
def statements():
    db = database.obj
    sent: list[tuple[str, tuple]] = []
    send = db.execute_sql

    def execute_sql(sql, params=None):
        sent.append((sql, tuple(params or ())))
        return send(sql, params)

    db.execute_sql = execute_sql
    try:
        yield sent
    finally:
        del db.execute_sql


def plan(sql: str, params: tuple) -> str:
    with database.atomic():
        database.execute_sql("SET LOCAL enable_seqscan = off")
        rows = database.execute_sql(f"EXPLAIN {sql}", params).fetchall()
    return "\n".join(row[0] for row in rows)


def plans_of(call) -> list[str]:
    with statements() as sent:
        call()
    return [plan(sql, params) for sql, params in sent if sql.lstrip().upper().startswith("SELECT")]


@pytest.fixture
def two_practices(app):
    """Ours, and another with rows of its own, so that a practice filter has something to leave out."""
    ours, theirs = make_practice(), make_practice(ods_code="B88888")
    for practice in (ours, theirs):
        clinician = make_clinician(practice)
        patient = make_patient(practice)
        make_appointment(patient, make_slot(clinician, local_time_today(9)))
        make_slot(clinician, local_time_today(9) + timedelta(days=1))
        make_entry(patient, "allergy")
        make_medicine(patient)
    return ours


def our_indexes() -> dict[str, tuple[str, str]]:
    rows = database.execute_sql(
        "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
    ).fetchall()
    return {name: (table, definition.split("(", 1)[1].rstrip(")")) for name, table, definition in rows}


def indexes_read(explained: str) -> set[str]:
    """The indexes a plan reads through: "Index Scan using X on t", "Bitmap Index Scan on X"."""
    found = re.findall(r"Index (?:Only )?Scan (?:Backward )?using (\w+)", explained)
    return set(found) | set(re.findall(r"Bitmap Index Scan on (\w+)", explained))


def test_the_practice_first_indexes_exist(app):
    found = our_indexes()
    assert {name: found.get(name) for name in PRACTICE_FIRST} == PRACTICE_FIRST


def test_arrivals_reads_slots_by_practice_and_time(two_practices):
    (explained,) = plans_of(lambda: todays_list(two_practices.id))
    assert "slot_practice_starts_at" in explained and "Seq Scan" not in explained, explained


def test_the_slot_finder_reads_slots_and_clinicians_by_practice(two_practices):
    (explained,) = plans_of(lambda: free_week(two_practices, kind="gp", clinician_id=None, start=None))
    assert "slot_practice_starts_at" in explained and "Seq Scan" not in explained, explained


def test_the_record_overview_reads_entries_by_practice_and_patient(two_practices):
    patient_id = two_practices.patients.get().id
    explained = plans_of(lambda: record_overview(two_practices, patient_id, "full", blocked=False))
    assert explained and all("coded_entry_practice_patient_kind" in p for p in explained), explained
    assert not any("Seq Scan" in p for p in explained), explained


def test_medicines_and_letters_read_by_practice_and_patient(two_practices):
    """Either practice-first index on a table will do (the planner picks by cost); any other will not."""
    patient_id = two_practices.patients.get().id
    medicines = "\n".join(plans_of(lambda: current_medicines(two_practices, patient_id, "full", blocked=False)))
    letters = "\n".join(plans_of(lambda: list(visible_letters(two_practices, patient_id, "full"))))
    indexes = our_indexes()
    read = {"medicine": indexes_read(medicines), "letter": indexes_read(letters)}
    assert "Seq Scan" not in medicines + letters, (medicines, letters)
    # Per table: the indexes read on it (the R4 check's read of coded entries, by patient, is not in question here).
    on_table = {table: {name for name in names if indexes[name][0] == table} for table, names in read.items()}
    assert all(on_table.values()), (medicines, letters)
    assert {
        table: {name for name in names if not indexes[name][1].startswith("practice_id, patient_id")}
        for table, names in on_table.items()
    } == {"medicine": set(), "letter": set()}, (medicines, letters)
