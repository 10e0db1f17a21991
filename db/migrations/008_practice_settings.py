"""Practice settings: sign-out idle times become per-practice (they were installation settings), and a manager's
password reset makes the person choose a new password at their next sign-in."""

import peewee as pw
from peewee_migrate import Migrator

# (table, column, field, SQLite type, PostgreSQL type). Today's installation defaults become the column defaults.
COLUMNS = (
    ("practice", "staff_idle_minutes", pw.IntegerField(default=30), "INTEGER NOT NULL DEFAULT 30", None),
    ("practice", "patient_idle_minutes", pw.IntegerField(default=10), "INTEGER NOT NULL DEFAULT 10", None),
    (
        "practice",
        "patient_kiosk_idle_seconds",
        pw.IntegerField(default=120),
        "INTEGER NOT NULL DEFAULT 120",
        None,
    ),
    (
        "staff_user",
        "must_change_password",
        pw.BooleanField(default=False),
        "INTEGER NOT NULL DEFAULT 0",
        "BOOLEAN NOT NULL DEFAULT false",
    ),
)


def _is_postgres(database) -> bool:
    return isinstance(getattr(database, "obj", database), pw.PostgresqlDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the columns with plain ALTER TABLE: peewee_migrate's add_fields rebuilds a SQLite table to add a NOT NULL
    column, and a rebuild of a table others point at is needless risk."""
    for table, column, field, sqlite_type, postgres_type in COLUMNS:
        migrator.orm[table]._meta.add_field(column, field)
        sql_type = postgres_type if postgres_type and _is_postgres(database) else sqlite_type
        migrator.sql(f'ALTER TABLE {table} ADD COLUMN "{column}" {sql_type}')


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Drop them again; the installation settings they replaced are gone, so idle times fall back to the code's."""
    for table, column, *_ in reversed(COLUMNS):
        migrator.remove_fields(table, column)
