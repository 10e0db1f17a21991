"""Hardening: sign-in attempt counters, per-practice source limit, letter key revocation after wrong attempts,
staff email unique per practice, and a hash chain over the audit log (backfilled for existing rows)."""

import peewee as pw
from peewee_migrate import Migrator


def _is_postgres(database) -> bool:
    return isinstance(getattr(database, "obj", database), pw.PostgresqlDatabase)


def _backfill_audit_chain(database):
    """Chain the rows already there, oldest first per practice. The append-only triggers stand aside meanwhile."""
    from kiosk.models.audit import CHAINED_FIELDS, chain_hash

    columns = ", ".join(["id", *CHAINED_FIELDS])
    heads: dict = {}
    rows = database.execute_sql(f"SELECT {columns} FROM audit_event ORDER BY id").fetchall()  # noqa: S608
    updates = []
    for row in rows:
        values = dict(zip(CHAINED_FIELDS, row[1:], strict=True))
        digest = chain_hash(heads.get(values["practice_id"], ""), values)
        heads[values["practice_id"]] = digest
        updates.append((digest, row[0]))
    if not updates:
        return
    placeholder = "%s" if _is_postgres(database) else "?"
    if _is_postgres(database):
        database.execute_sql("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change")
    else:
        database.execute_sql("DROP TRIGGER audit_event_no_update")
    for digest, event_id in updates:
        database.execute_sql(
            f"UPDATE audit_event SET hash = {placeholder} WHERE id = {placeholder}",  # noqa: S608
            (digest, event_id),
        )
    if _is_postgres(database):
        database.execute_sql("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change")
    else:
        database.execute_sql(
            "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
            "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"
        )


def _add_column(migrator: Migrator, table: str, name: str, field: pw.Field, sql_type: str) -> None:
    """ALTER TABLE ... ADD COLUMN with its default, on both backends. peewee_migrate's add_fields would rebuild a
    SQLite table to make a column NOT NULL, and the rebuild silently drops the table's triggers (the audit log's
    append-only guard among them)."""
    migrator.orm[table]._meta.add_field(name, field)
    migrator.sql(f'ALTER TABLE {table} ADD COLUMN "{name}" {sql_type}')


def migrate(migrator: Migrator, database: pw.Database, *, fake=False):
    """Add the hardening tables and columns."""

    @migrator.create_model
    class AttemptCounter(pw.Model):
        key = pw.CharField(max_length=100, primary_key=True)
        failures = pw.IntegerField(default=0)
        window_start = pw.DateTimeField()
        blocked_until = pw.DateTimeField(null=True)
        updated_at = pw.DateTimeField(index=True)

        class Meta:
            table_name = "attempt_counter"

    migrator.add_fields("practice", source_attempts_per_minute=pw.IntegerField(null=True))
    _add_column(migrator, "linkage_key", "failed_attempts", pw.IntegerField(default=0), "INTEGER NOT NULL DEFAULT 0")
    _add_column(
        migrator, "linkage_key", "revoked_reason", pw.CharField(max_length=120, default=""),
        "VARCHAR(120) NOT NULL DEFAULT ''",
    )
    # The hard lock is replaced by attempt_counter's delays.
    migrator.remove_fields("staff_user", "failed_attempts", "locked_until")
    migrator.remove_fields("online_account", "failed_attempts", "locked_until")
    # One email per practice, not per installation: see kiosk/models/staff.py.
    migrator.sql("DROP INDEX IF EXISTS staffuser_email")
    migrator.sql("CREATE UNIQUE INDEX staff_user_practice_email ON staff_user (practice_id, email)")

    _add_column(migrator, "audit_event", "hash", pw.CharField(max_length=64, default=""), "VARCHAR(64) NOT NULL DEFAULT ''")
    migrator.sql("CREATE INDEX audit_event_practice_chain ON audit_event (practice_id, id)")
    migrator.run(_backfill_audit_chain, database)


def rollback(migrator: Migrator, database: pw.Database, *, fake=False):
    """Remove the hardening tables and columns."""
    migrator.sql("DROP INDEX IF EXISTS audit_event_practice_chain")
    migrator.remove_fields("audit_event", "hash")
    migrator.sql("DROP INDEX IF EXISTS staff_user_practice_email")
    migrator.sql("CREATE UNIQUE INDEX staffuser_email ON staff_user (email)")
    migrator.add_fields("online_account", failed_attempts=pw.IntegerField(default=0),
                        locked_until=pw.DateTimeField(null=True))
    migrator.add_fields("staff_user", failed_attempts=pw.IntegerField(default=0),
                        locked_until=pw.DateTimeField(null=True))
    migrator.remove_fields("linkage_key", "failed_attempts", "revoked_reason")
    migrator.remove_fields("practice", "source_attempts_per_minute")
    migrator.remove_model("attempt_counter")
