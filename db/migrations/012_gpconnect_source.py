"""GP Connect import: each imported entry, letter and medicine keeps the source resource id, so re-import is
idempotent, and imported entries remember a fingerprint of what the source sent."""

import peewee as pw
from peewee_migrate import Migrator

TABLES = ("coded_entry", "letter", "medicine")
COLUMNS = (
    ("source_id", pw.CharField(max_length=120, default=""), "VARCHAR(120) NOT NULL DEFAULT ''"),
    ("source_digest", pw.CharField(max_length=64, default=""), "VARCHAR(64) NOT NULL DEFAULT ''"),
)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    for table in TABLES:
        for name, field, sql_type in COLUMNS:
            migrator.orm[table]._meta.add_field(name, field)
            migrator.sql(f'ALTER TABLE {table} ADD COLUMN "{name}" {sql_type}')
        # Practice first, like every index a page or an import reads through (011).
        migrator.sql(
            f"CREATE INDEX {table}_practice_id_patient_id_source_id ON {table} (practice_id, patient_id, source_id)"
        )


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    for table in TABLES:
        migrator.sql(f"DROP INDEX {table}_practice_id_patient_id_source_id")
        migrator.remove_fields(table, *(name for name, _, _ in COLUMNS))
