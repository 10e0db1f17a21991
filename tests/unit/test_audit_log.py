"""The audit log is append-only (R12): the database itself refuses to change or remove an event."""

import peewee as pw
import pytest

from kiosk.db import database
from kiosk.models import AuditEvent
from kiosk.services.audit import append
from tests.builders import actor_for, make_practice, make_staff


def an_event():
    staff = make_staff(make_practice(), "reception")
    return append(actor_for(staff), "test.event", obj=staff)


def test_events_are_numbered_in_the_order_they_happen(app):
    first, second = an_event(), an_event()
    assert second.id > first.id


def test_event_records_who_role_device_and_practice(app):
    staff = make_staff(make_practice(), "manager", name="Mark Mensah")
    event = append(actor_for(staff, device="10.0.0.7 Firefox"), "test.event")
    assert (event.actor_id, event.actor_name, event.role, event.device, event.practice_id) == (
        staff.id,
        "Mark Mensah",
        "manager",
        "10.0.0.7 Firefox",
        staff.practice_id,
    )


def test_update_of_an_event_is_refused_by_the_database(app):
    event = an_event()
    with pytest.raises(pw.DatabaseError), database.atomic():
        AuditEvent.update(outcome="changed").where(AuditEvent.id == event.id).execute()


def test_refused_update_leaves_the_event_as_it_was(app):
    event = an_event()
    with pytest.raises(pw.DatabaseError), database.atomic():
        AuditEvent.update(outcome="changed").where(AuditEvent.id == event.id).execute()
    assert AuditEvent.get_by_id(event.id).outcome == "ok"


def test_delete_of_an_event_is_refused_by_the_database(app):
    event = an_event()
    with pytest.raises(pw.DatabaseError), database.atomic():
        AuditEvent.delete().where(AuditEvent.id == event.id).execute()


def test_refused_delete_leaves_the_event_in_place(app):
    event = an_event()
    with pytest.raises(pw.DatabaseError), database.atomic():
        AuditEvent.delete().where(AuditEvent.id == event.id).execute()
    assert AuditEvent.select().where(AuditEvent.id == event.id).exists()


def test_raw_sql_update_is_refused_too(app):
    an_event()
    with pytest.raises(pw.DatabaseError), database.atomic():
        database.execute_sql("UPDATE audit_event SET detail = 'rewritten'")
