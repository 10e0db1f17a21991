"""Indexes that start with the practice for the record and letters pages, so that with many practices on one
database each page reads its own practice's rows and never scans another's."""

from peewee_migrate import Migrator

INDEXES = (
    ("coded_entry_practice_patient_kind", "coded_entry", "practice_id, patient_id, kind, effective_on"),
    ("letter_practice_patient_received", "letter", "practice_id, patient_id, received_on"),
    ("medicine_practice_patient", "medicine", "practice_id, patient_id"),
)


def migrate(migrator: Migrator, database, *, fake=False):
    for name, table, columns in INDEXES:
        migrator.sql(f"CREATE INDEX {name} ON {table} ({columns})")


def rollback(migrator: Migrator, database, *, fake=False):
    for name, _table, _columns in INDEXES:
        migrator.sql(f"DROP INDEX {name}")
