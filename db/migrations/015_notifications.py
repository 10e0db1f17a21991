"""Text and email notifications: contact preferences, the outbox, the practice's reminder hour, and sign-in visits."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.add_fields("practice", reminder_hour=pw.IntegerField(default=18))
    migrator.add_fields(
        "online_account",
        last_visit_at=pw.DateTimeField(null=True),
        previous_visit_at=pw.DateTimeField(null=True),
    )

    @migrator.create_model
    class ContactPreference(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(
            column_name="practice_id", field="id", model=migrator.orm["practice"], on_delete="CASCADE"
        )
        account = pw.ForeignKeyField(
            column_name="account_id",
            field="id",
            model=migrator.orm["online_account"],
            null=True,
            unique=True,
            on_delete="CASCADE",
        )
        patient = pw.ForeignKeyField(
            column_name="patient_id", field="id", model=migrator.orm["patient"], null=True, unique=True, on_delete="CASCADE"
        )
        mobile = pw.CharField(max_length=20, default="")
        email = pw.CharField(max_length=254, default="")
        sms_appointments = pw.BooleanField(default=False)
        sms_prescriptions = pw.BooleanField(default=False)
        sms_letters = pw.BooleanField(default=False)
        email_appointments = pw.BooleanField(default=False)
        email_prescriptions = pw.BooleanField(default=False)
        email_letters = pw.BooleanField(default=False)
        recorded_by = pw.ForeignKeyField(
            column_name="recorded_by_id", field="id", model=migrator.orm["staff_user"], null=True, on_delete="SET NULL"
        )
        updated_at = pw.DateTimeField()

        class Meta:
            table_name = "contact_preference"

    @migrator.create_model
    class Notification(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(
            column_name="practice_id", field="id", model=migrator.orm["practice"], on_delete="CASCADE"
        )
        patient = pw.ForeignKeyField(
            column_name="patient_id", field="id", model=migrator.orm["patient"], on_delete="CASCADE"
        )
        account = pw.ForeignKeyField(
            column_name="account_id", field="id", model=migrator.orm["online_account"], null=True, on_delete="SET NULL"
        )
        recipient = pw.CharField(max_length=254)
        channel = pw.CharField(max_length=10)
        template_key = pw.CharField(max_length=40)
        personalisation = pw.TextField(default="{}")
        status = pw.CharField(max_length=20, default="queued")
        attempts = pw.IntegerField(default=0)
        next_attempt_at = pw.DateTimeField()
        claimed_until = pw.DateTimeField(null=True)
        notify_id = pw.CharField(max_length=64, default="")
        notify_status = pw.CharField(max_length=40, default="")
        last_error = pw.CharField(max_length=500, default="")
        appointment = pw.ForeignKeyField(
            column_name="appointment_id", field="id", model=migrator.orm["appointment"], null=True, on_delete="CASCADE"
        )
        once_key = pw.CharField(max_length=120, null=True, unique=True)
        created_at = pw.DateTimeField()
        sent_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "notification"
            indexes = (
                (("status", "next_attempt_at"), False),
                (("practice", "status", "created_at"), False),
                (("practice", "patient", "created_at"), False),
            )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    migrator.remove_model("notification")
    migrator.remove_model("contact_preference")
    migrator.remove_fields("online_account", "last_visit_at", "previous_visit_at")
    migrator.remove_fields("practice", "reminder_hour")
