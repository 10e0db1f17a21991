"""The audit log's hash chain: an edit or deletion made by someone who dropped the append-only triggers still shows,
on SQLite and on PostgreSQL, and `flask audit-verify` names the first broken row."""

import contextlib

import pytest

from kiosk.db import database, is_postgres
from kiosk.models import AuditEvent
from kiosk.models.audit import chain_hash
from kiosk.services.audit import append, verify_chain
from tests.builders import actor_for, make_practice, make_staff


@contextlib.contextmanager
def triggers_dropped():
    """What a database owner could do. Put back afterwards: PostgreSQL's schema is shared by the next tests."""
    if is_postgres():
        database.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
        try:
            yield
        finally:
            database.execute_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
    else:
        database.execute_sql("DROP TRIGGER audit_event_no_update")
        database.execute_sql("DROP TRIGGER audit_event_no_delete")
        yield  # each SQLite test has its own copy of the database


def by_hand(sql: str, *params) -> None:
    database.execute_sql(sql.replace("?", database.obj.param), params)


@pytest.fixture
def events(app):
    """Five events at one practice, and two at another in between."""
    here, there = make_staff(make_practice()), make_staff(make_practice())
    made = []
    for n in range(5):
        made.append(append(actor_for(here), "test.event", detail=f"event {n}"))
        if n % 2:
            append(actor_for(there), "test.event")
    return made


def run_verify(app):
    return app.test_cli_runner().invoke(args=["audit-verify"])


def test_an_untouched_log_verifies(app, events):
    result = run_verify(app)
    assert (result.exit_code, "Audit chain intact: 7 rows" in result.output) == (0, True)


def test_a_hand_edited_row_is_caught(app, events):
    with triggers_dropped():
        by_hand("UPDATE audit_event SET detail = 'nothing to see' WHERE id = ?", events[2].id)
    assert verify_chain().broken_id == events[2].id
    result = run_verify(app)
    assert result.exit_code == 1
    assert f"broken at row {events[2].id}" in result.output


def test_a_hand_deleted_row_is_caught_at_the_next_row_of_its_practice(app, events):
    with triggers_dropped():
        by_hand("DELETE FROM audit_event WHERE id = ?", events[1].id)
    assert verify_chain().broken_id == events[2].id


def test_rewriting_the_edited_rows_own_hash_does_not_hide_the_edit(app, events):
    forged = chain_hash("", {**events[3].chained_values(), "detail": "x"})
    with triggers_dropped():
        by_hand("UPDATE audit_event SET detail = 'x', hash = ? WHERE id = ?", forged, events[3].id)
    assert verify_chain().broken_id == events[3].id


def test_a_rolled_back_append_leaves_no_break(app, events):
    with pytest.raises(RuntimeError), database.atomic():
        append(actor_for(make_staff(events[0].practice)), "test.event")
        raise RuntimeError("the change failed, so its audit record goes too")
    append(actor_for(make_staff(events[0].practice)), "test.event")
    assert verify_chain().ok


def test_each_row_chains_to_the_previous_row_of_its_own_practice(app, events):
    second = AuditEvent.get_by_id(events[1].id)
    assert second.hash == chain_hash(events[0].hash, second.chained_values())
