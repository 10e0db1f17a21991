"""Repeat prescriptions: medicines, requests and their items; nominated pharmacy; the ordering window."""

import peewee as pw
from peewee_migrate import Migrator


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add repeat prescriptions."""
    migrator.add_fields("practice", order_days_before_due=pw.IntegerField(default=7))
    migrator.add_fields("patient", nominated_pharmacy=pw.CharField(max_length=200, default=""))

    @migrator.create_model
    class Medicine(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name="practice_id", field="id", model=migrator.orm["practice"],
                                      on_delete="CASCADE")
        patient = pw.ForeignKeyField(column_name="patient_id", field="id", model=migrator.orm["patient"],
                                     on_delete="CASCADE")
        name = pw.CharField(max_length=120)
        strength = pw.CharField(max_length=60, default="")
        dose = pw.CharField(max_length=200)
        quantity = pw.CharField(max_length=60)
        kind = pw.CharField(max_length=10, default="repeat")
        interval_days = pw.IntegerField(default=28)
        last_issued_on = pw.DateField(null=True)
        issues_left = pw.IntegerField(default=6)
        review_on = pw.DateField(null=True)
        stopped_at = pw.DateTimeField(null=True)
        stopped_reason = pw.TextField(default="")
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "medicine"

    @migrator.create_model
    class PrescriptionRequest(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name="practice_id", field="id", model=migrator.orm["practice"],
                                      on_delete="CASCADE")
        patient = pw.ForeignKeyField(column_name="patient_id", field="id", model=migrator.orm["patient"],
                                     on_delete="CASCADE")
        requested_by = pw.ForeignKeyField(column_name="requested_by_id", field="id",
                                          model=migrator.orm["online_account"], null=True, on_delete="SET NULL")
        note = pw.CharField(max_length=500, default="")
        pharmacy = pw.CharField(max_length=200, default="")
        token = pw.CharField(max_length=64, unique=True)
        status = pw.CharField(max_length=20, default="requested")
        created_at = pw.DateTimeField()
        decided_at = pw.DateTimeField(null=True)
        fulfilled_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "prescription_request"

    @migrator.create_model
    class RequestItem(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(column_name="practice_id", field="id", model=migrator.orm["practice"],
                                      on_delete="CASCADE")
        request = pw.ForeignKeyField(column_name="request_id", field="id", model=migrator.orm["prescription_request"],
                                     on_delete="CASCADE")
        medicine = pw.ForeignKeyField(column_name="medicine_id", field="id", model=migrator.orm["medicine"],
                                      on_delete="CASCADE")
        status = pw.CharField(max_length=20, default="requested")
        reason = pw.TextField(default="")
        decided_by = pw.ForeignKeyField(column_name="decided_by_id", field="id", model=migrator.orm["staff_user"],
                                        null=True, on_delete="SET NULL")
        decided_at = pw.DateTimeField(null=True)

        class Meta:
            table_name = "request_item"
            indexes = [(("request", "medicine"), True)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove repeat prescriptions."""
    migrator.remove_model("request_item")
    migrator.remove_model("prescription_request")
    migrator.remove_model("medicine")
    migrator.remove_fields("patient", "nominated_pharmacy")
    migrator.remove_fields("practice", "order_days_before_due")
