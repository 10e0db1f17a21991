"""Sign-up requests: a patient asked at the kiosk for a registration letter for online services."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    @migrator.create_model
    class SignupRequest(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(
            column_name="practice_id", field="id", model=migrator.orm["practice"], on_delete="CASCADE"
        )
        appointment = pw.ForeignKeyField(
            column_name="appointment_id", field="id", model=migrator.orm["appointment"], on_delete="CASCADE", unique=True
        )
        patient = pw.ForeignKeyField(
            column_name="patient_id", field="id", model=migrator.orm["patient"], on_delete="CASCADE"
        )
        kiosk = pw.ForeignKeyField(
            column_name="kiosk_id", field="id", model=migrator.orm["kiosk"], null=True, on_delete="SET NULL"
        )
        requested_at = pw.DateTimeField()
        converted_at = pw.DateTimeField(null=True)
        converted_by = pw.ForeignKeyField(
            column_name="converted_by_id", field="id", model=migrator.orm["staff_user"], null=True, on_delete="SET NULL"
        )

        class Meta:
            table_name = "signup_request"
            indexes = ((("practice", "requested_at"), False), (("practice", "patient"), False))


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model("signup_request")
