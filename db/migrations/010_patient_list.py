"""The patient list: contact details, leaving or death, and staged practice-list imports."""

import peewee as pw
from peewee_migrate import Migrator

# (name, field for peewee-migrate's picture of the table, SQL type with its default)
PATIENT_COLUMNS = (
    ("title", pw.CharField(max_length=20, default=""), "VARCHAR(20) NOT NULL DEFAULT ''"),
    ("address", pw.CharField(max_length=300, default=""), "VARCHAR(300) NOT NULL DEFAULT ''"),
    ("postcode", pw.CharField(max_length=10, default=""), "VARCHAR(10) NOT NULL DEFAULT ''"),
    ("mobile", pw.CharField(max_length=20, default=""), "VARCHAR(20) NOT NULL DEFAULT ''"),
    ("email", pw.CharField(max_length=254, default=""), "VARCHAR(254) NOT NULL DEFAULT ''"),
    ("left_on", pw.DateField(null=True), "DATE"),
    ("left_reason", pw.CharField(max_length=20, default=""), "VARCHAR(20) NOT NULL DEFAULT ''"),
)


def _is_postgres(database) -> bool:
    return isinstance(getattr(database, "obj", database), pw.PostgresqlDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the patient columns in place and the staging table.

    ALTER TABLE ... ADD COLUMN rather than peewee-migrate's add_fields, which rebuilds a SQLite table to add a NOT NULL
    column: a rebuild of patient, which every other table references, is slow on a full list and needs foreign keys
    off."""
    timestamp = "TIMESTAMP" if _is_postgres(database) else "DATETIME"
    columns = (*PATIENT_COLUMNS, ("left_recorded_at", pw.DateTimeField(null=True), timestamp))
    for name, field, sql_type in columns:
        migrator.orm["patient"]._meta.add_field(name, field)
        migrator.sql(f'ALTER TABLE patient ADD COLUMN "{name}" {sql_type}')

    @migrator.create_model
    class PatientImport(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(
            column_name="practice_id", field="id", model=migrator.orm["practice"], on_delete="CASCADE"
        )
        uploaded_by = pw.ForeignKeyField(
            column_name="uploaded_by_id", field="id", model=migrator.orm["staff_user"], null=True, on_delete="SET NULL"
        )
        filename = pw.CharField(default="", max_length=200)
        content = pw.TextField(default="")
        digest = pw.CharField(max_length=64)
        created_at = pw.DateTimeField()
        committed_at = pw.DateTimeField(null=True)
        added = pw.IntegerField(default=0)
        updated = pw.IntegerField(default=0)
        unchanged = pw.IntegerField(default=0)

        class Meta:
            table_name = "patient_import"


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop the staging table and the columns."""
    migrator.remove_model("patient_import")
    migrator.remove_fields("patient", *(name for name, _, _ in PATIENT_COLUMNS), "left_recorded_at")
