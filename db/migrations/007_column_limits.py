"""Columns wide enough for what the forms let through: a name at both form limits (80 + 80) and a proxy's
"proxy <name>" must fit the audit log and the appointment's cancelled_by."""

import peewee as pw
from peewee_migrate import Migrator

WIDENED = (("audit_event", "actor_name", 120, 200), ("appointment", "cancelled_by", 160, 200))


def _is_postgres(database) -> bool:
    return isinstance(getattr(database, "obj", database), pw.PostgresqlDatabase)


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Widen the name columns. SQLite does not enforce VARCHAR lengths, and rebuilding audit_event there would drop
    its append-only triggers, so only PostgreSQL changes (in place: no row is rewritten, no trigger fires)."""
    if _is_postgres(database):
        for table, column, _, wide in WIDENED:
            migrator.sql(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR({wide})")


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Narrow them again (fails if a longer value has been stored since)."""
    if _is_postgres(database):
        for table, column, narrow, _ in WIDENED:
            migrator.sql(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR({narrow})")
