"""The rota: clinicians' staff names and rooms, weekly templates of sessions, closures, and slots that know whether
the rota made them or they were withdrawn.

Existing clinicians keep working unchanged: their profession keys (gp, nurse, hca, pharmacist) are the ones the
models still use ("nurse" reads as "Practice nurse"), and the new columns default to empty.
"""

import peewee as pw
from peewee_migrate import Migrator


def _is_postgres(database) -> bool:
    return isinstance(getattr(database, "obj", database), pw.PostgresqlDatabase)


def _columns(database):
    boolean = "BOOLEAN NOT NULL DEFAULT false" if _is_postgres(database) else "INTEGER NOT NULL DEFAULT 0"
    timestamp = "TIMESTAMP" if _is_postgres(database) else "DATETIME"
    return (
        ("clinician", "staff_name", pw.CharField(max_length=160, default=""), "VARCHAR(160) NOT NULL DEFAULT ''"),
        ("clinician", "room", pw.CharField(max_length=80, default=""), "VARCHAR(80) NOT NULL DEFAULT ''"),
        ("slot", "from_rota", pw.BooleanField(default=False), boolean),
        ("slot", "withdrawn_at", pw.DateTimeField(null=True), timestamp),
    )


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the columns in place and the rota tables.

    ALTER TABLE ... ADD COLUMN rather than peewee-migrate's add_fields, which rebuilds a SQLite table to add a NOT NULL
    column: slot and clinician are referenced by other tables, and a rebuild needs foreign keys off."""
    for table, name, field, sql_type in _columns(database):
        migrator.orm[table]._meta.add_field(name, field)
        migrator.sql(f'ALTER TABLE {table} ADD COLUMN "{name}" {sql_type}')

    @migrator.create_model
    class RotaTemplate(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(
            column_name="practice_id", field="id", model=migrator.orm["practice"], on_delete="CASCADE"
        )
        clinician = pw.ForeignKeyField(
            column_name="clinician_id", field="id", model=migrator.orm["clinician"], on_delete="CASCADE"
        )
        room = pw.CharField(max_length=80, default="")
        starts_on = pw.DateField()
        ends_on = pw.DateField(null=True)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "rota_template"

    @migrator.create_model
    class RotaSession(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(
            column_name="practice_id", field="id", model=migrator.orm["practice"], on_delete="CASCADE"
        )
        template = pw.ForeignKeyField(
            column_name="template_id", field="id", model=migrator.orm["rota_template"], on_delete="CASCADE"
        )
        weekday = pw.IntegerField()
        starts = pw.TimeField()
        ends = pw.TimeField()
        length_minutes = pw.IntegerField()
        kind = pw.CharField(max_length=20)
        released_online = pw.BooleanField(default=False)

        class Meta:
            table_name = "rota_session"

    @migrator.create_model
    class Closure(pw.Model):
        id = pw.AutoField()
        practice = pw.ForeignKeyField(
            column_name="practice_id", field="id", model=migrator.orm["practice"], on_delete="CASCADE"
        )
        clinician = pw.ForeignKeyField(
            column_name="clinician_id", field="id", model=migrator.orm["clinician"], null=True, on_delete="CASCADE"
        )
        day = pw.DateField()
        starts = pw.TimeField(null=True)
        ends = pw.TimeField(null=True)
        reason = pw.CharField(max_length=120)
        created_at = pw.DateTimeField()

        class Meta:
            table_name = "closure"
            indexes = [(("practice", "day"), False)]


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove the rota (the new columns stay: dropping a column rebuilds a SQLite table)."""
    migrator.remove_model("closure")
    migrator.remove_model("rota_session")
    migrator.remove_model("rota_template")
