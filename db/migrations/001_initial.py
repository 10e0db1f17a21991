"""The first schema: practices, people, staff, slots and appointments, kiosks, audit, sessions."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Create the first schema."""
    @migrator.create_model
    class Practice(pw.Model):
        id = pw.AutoField()
        name = pw.CharField(max_length=120)
        ods_code = pw.CharField(max_length=10, unique=True)
        phone = pw.CharField(default='', max_length=30)
        check_in_early_minutes = pw.IntegerField(default=60)
        check_in_late_minutes = pw.IntegerField(default=10)
        kiosk_idle_seconds = pw.IntegerField(default=60)
        is_demo = pw.BooleanField(default=False)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "practice"

    @migrator.create_model
    class Clinician(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], on_delete='CASCADE')
        display_name = pw.CharField(max_length=80)
        profession = pw.CharField(max_length=20)
        active = pw.BooleanField(default=True)
        running_late_minutes = pw.IntegerField(default=0)
        running_late_on = pw.DateField(null=True)

        class Meta:
            table_name = "clinician"

    @migrator.create_model
    class Slot(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], on_delete='CASCADE')
        clinician = pw.ForeignKeyField(column_name='clinician_id', field='id', model=migrator.orm['clinician'], on_delete='CASCADE')
        starts_at = pw.DateTimeField(index=True)
        length_minutes = pw.IntegerField()
        kind = pw.CharField(max_length=20)
        released_online = pw.BooleanField(default=False)

        class Meta:
            table_name = "slot"
            indexes = [(('clinician', 'starts_at'), True)]

    @migrator.create_model
    class Patient(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], on_delete='CASCADE')
        nhs_number = pw.CharField(max_length=10)
        given_name = pw.CharField(max_length=80)
        family_name = pw.CharField(max_length=80)
        date_of_birth = pw.DateField()
        sex = pw.CharField(max_length=10)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "patient"
            indexes = [(('practice', 'nhs_number'), True), (('practice', 'date_of_birth'), False)]

    @migrator.create_model
    class Appointment(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], on_delete='CASCADE')
        slot = pw.ForeignKeyField(column_name='slot_id', field='id', model=migrator.orm['slot'], on_delete='CASCADE')
        patient = pw.ForeignKeyField(column_name='patient_id', field='id', model=migrator.orm['patient'], on_delete='CASCADE')
        status = pw.CharField(default='booked', max_length=20)
        booked_via = pw.CharField(default='staff', max_length=20)
        booked_at = pw.DateTimeField()
        arrived_at = pw.DateTimeField(null=True)
        cancelled_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "appointment"

    @migrator.create_model
    class AuditEvent(pw.Model):
        id = pw.AutoField()
        at = pw.DateTimeField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], null=True, on_delete='RESTRICT')
        actor_kind = pw.CharField(max_length=20)
        actor_id = pw.IntegerField(null=True)
        actor_name = pw.CharField(default='', max_length=120)
        role = pw.CharField(default='', max_length=20)
        action = pw.CharField(max_length=60)
        patient = pw.ForeignKeyField(column_name='patient_id', field='id', model=migrator.orm['patient'], null=True, on_delete='RESTRICT')
        object_type = pw.CharField(default='', max_length=40)
        object_id = pw.IntegerField(null=True)
        device = pw.CharField(default='', max_length=120)
        outcome = pw.CharField(default='ok', max_length=20)
        detail = pw.TextField(default='')

        class Meta:
            table_name = "audit_event"
            indexes = [(('practice', 'action', 'at'), False), (('actor_kind', 'actor_id', 'at'), False)]

    @migrator.create_model
    class StaffUser(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], on_delete='CASCADE')
        email = pw.CharField(max_length=254, unique=True)
        name = pw.CharField(max_length=120)
        role = pw.CharField(max_length=20)
        clinician = pw.ForeignKeyField(column_name='clinician_id', field='id', model=migrator.orm['clinician'], null=True, on_delete='SET NULL')
        password_hash = pw.CharField(max_length=255)
        failed_attempts = pw.IntegerField(default=0)
        locked_until = pw.DateTimeField(null=True)
        disabled_at = pw.DateTimeField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "staff_user"

    @migrator.create_model
    class Kiosk(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name='practice_id', field='id', model=migrator.orm['practice'], on_delete='CASCADE')
        name = pw.CharField(max_length=80)
        token_hash = pw.CharField(max_length=64, unique=True)
        enrolled_by = pw.ForeignKeyField(column_name='enrolled_by_id', field='id', model=migrator.orm['staff_user'], on_delete='RESTRICT')
        enrolled_at = pw.DateTimeField()
        revoked_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "kiosk"

    @migrator.create_model
    class WebSession(pw.Model):
        key = pw.CharField(max_length=64, primary_key=True)
        data = pw.TextField(default='{}')
        user_kind = pw.CharField(default='', max_length=20)
        user_id = pw.IntegerField(null=True)
        created_at = pw.DateTimeField()
        last_seen_at = pw.DateTimeField()

        class Meta:
            table_name = "web_session"
            indexes = [(('user_kind', 'user_id'), False)]

    # One live booking per slot, decided by the database (cancelled rows stay for the record).
    migrator.sql(
        "CREATE UNIQUE INDEX appointment_one_live_per_slot ON appointment (slot_id) WHERE status <> 'cancelled'"
    )
    # The audit log is append-only (R12): the database itself refuses edits and deletions.
    if isinstance(getattr(database, "obj", database), pw.PostgresqlDatabase):
        migrator.sql(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$"
        )
        migrator.sql(
            "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            migrator.sql(
                f"CREATE TRIGGER audit_event_no_{event.lower()} BEFORE {event} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
            )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the first schema."""
    
    migrator.remove_model('web_session')

    migrator.remove_model('kiosk')

    migrator.remove_model('staff_user')

    migrator.remove_model('audit_event')

    migrator.remove_model('appointment')

    migrator.remove_model('patient')

    migrator.remove_model('slot')

    migrator.remove_model('clinician')

    migrator.remove_model('practice')
