"""The migrated schema is the one the models declare, on SQLite and on PostgreSQL.

Migrations are written by hand and the models are what the code reads and writes: a column or index that one has and
the other lacks shows up only at run time, and often on one backend only. Compared here, on the database the test
templates migrate (tests/databases.py): tables, columns (name, nullability, type family, primary key), indexes
(columns, uniqueness, the predicate of a partial index) and triggers.
"""

import re

import peewee as pw
import pytest

from kiosk.db import open_database
from kiosk.models import ALL_MODELS

# peewee-migrate's record of the migrations applied: no model, by design.
MIGRATION_TABLES = {"migratehistory"}

# Partial unique indexes: uniqueness among the live rows only, so history (cancelled bookings, used keys, ended
# links) stays in the table. They exist only in the migrations: the models declare indexes as Meta.indexes tuples,
# which carry no WHERE clause. (table, columns, unique, predicate as normalised by _predicate)
MIGRATION_ONLY_INDEXES = {
    # 001: one live booking per slot.
    ("appointment", ("slot_id",), True, "status <> 'cancelled'"),
    # 002: one live registration key per account (R2).
    ("linkage_key", ("account_id",), True, "used_at is null and revoked_at is null"),
    # 002: one active proxy link per proxy and patient.
    ("proxy_link", ("proxy_id", "patient_id"), True, "status = 'active'"),
}

# The audit log's append-only guard (R12): triggers, which a model cannot declare. SQLite has no UPDATE OR DELETE
# trigger, so it has one per event; PostgreSQL has one trigger calling audit_event_append_only().
MIGRATION_ONLY_TRIGGERS = {
    "sqlite": {("audit_event", "audit_event_no_update"), ("audit_event", "audit_event_no_delete")},
    "postgres": {("audit_event", "audit_event_no_change")},
}

# Type families: what the two backends report for one peewee field type, reduced to one word.
FAMILIES = {
    "integer": "integer",
    "int": "integer",
    "serial": "integer",
    "bigint": "integer",
    "bigserial": "integer",
    "smallint": "integer",
    "varchar": "string",
    "character varying": "string",
    "text": "text",
    "datetime": "timestamp",
    "timestamp": "timestamp",
    "timestamp without time zone": "timestamp",
    "date": "date",
    "time": "time",
    "time without time zone": "time",
    "boolean": "boolean",
    "bool": "boolean",
    "blob": "binary",
    "bytea": "binary",
    "real": "float",
    "double precision": "float",
    "numeric": "decimal",
    "decimal": "decimal",
}


@pytest.fixture
def db(database_url):
    database = open_database(database_url)
    database.connect()
    yield database
    database.close()


def _backend(db) -> str:
    return "postgres" if isinstance(db, pw.PostgresqlDatabase) else "sqlite"


def _family(sql_type: str) -> str:
    base = sql_type.lower().split("(")[0].strip()
    return FAMILIES.get(base, f"unknown {sql_type!r}")


def _length(sql_type: str) -> int | None:
    match = re.search(r"\((\d+)\)", sql_type)
    return int(match.group(1)) if match else None


def _predicate(index_sql: str | None) -> str | None:
    """The WHERE clause of a partial index, spelt the same way for both backends (PostgreSQL adds casts and
    brackets: "((status)::text <> 'cancelled'::text)")."""
    if not index_sql or " where " not in index_sql.lower():
        return None
    text = index_sql.lower().split(" where ", 1)[1]
    text = re.sub(r"::(character varying|\w+)", "", text)
    text = text.replace("(", " ").replace(")", " ").replace('"', "")
    return " ".join(text.split())


def _model_type(field: pw.Field, db) -> str:
    # The type peewee would create on this backend (SQLite stores booleans as INTEGER).
    field_type = field.field_type
    return db.get_context_options()["field_types"].get(field_type, field_type)


def _model_columns(model, db) -> dict:
    columns = {}
    for field in model._meta.sorted_fields:
        sql_type = _model_type(field, db)
        # SQLite ignores VARCHAR lengths; on PostgreSQL a column narrower than max_length refuses what forms accept.
        length = getattr(field, "max_length", None) if _backend(db) == "postgres" else None
        columns[field.column_name] = (_family(sql_type), length, field.null, field.primary_key)
    return columns


def _db_columns(db, table: str) -> dict:
    columns = {}
    for column in db.get_columns(table):
        family = _family(column.data_type)
        length = _length(column.full_type or "") if _backend(db) == "postgres" and family == "string" else None
        columns[column.name] = (family, length, column.null, column.primary_key)
    return columns


def _model_indexes(model) -> set:
    indexes = set()
    for index in model._meta.fields_to_index():
        columns = tuple(part.column_name for part in index._expressions)
        assert index._where is None, f"{model.__name__} declares a partial index: add it to this test's comparison"
        indexes.add((model._meta.table_name, columns, bool(index._unique), None))
    return indexes


def _db_indexes(db, table: str) -> set:
    primary_key = tuple(column.name for column in db.get_columns(table) if column.primary_key)
    indexes = set()
    for index in db.get_indexes(table):
        columns = tuple(index.columns)
        if index.unique and columns == primary_key:
            continue  # the primary key's own index (PostgreSQL's *_pkey, SQLite's autoindex for a text key)
        indexes.add((table, columns, bool(index.unique), _predicate(index.sql)))
    return indexes


def _db_triggers(db) -> set:
    if _backend(db) == "postgres":
        rows = db.execute_sql(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE NOT t.tgisinternal AND n.nspname = current_schema()"
        ).fetchall()
    else:
        rows = db.execute_sql("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'").fetchall()
    return {tuple(row) for row in rows}


def _tables(db) -> set:
    return set(db.get_tables()) - MIGRATION_TABLES


def test_the_tables_are_the_models_tables(db):
    assert _tables(db) == {model._meta.table_name for model in ALL_MODELS}


def test_every_column_is_as_its_model_declares(db):
    models = {model._meta.table_name: model for model in ALL_MODELS}
    actual = {table: _db_columns(db, table) for table in sorted(_tables(db) & set(models))}
    expected = {table: _model_columns(models[table], db) for table in actual}
    # One table at a time, so that a failure names the table and pytest's dict diff names the column.
    for table in actual:
        assert (table, actual[table]) == (table, expected[table])


def test_the_indexes_are_the_models_and_the_listed_partial_ones(db):
    actual = set().union(*(_db_indexes(db, table) for table in _tables(db)))
    expected = set().union(*(_model_indexes(model) for model in ALL_MODELS)) | MIGRATION_ONLY_INDEXES
    assert sorted(expected - actual) == [], "declared but missing from the migrated database"
    assert sorted(actual - expected) == [], "in the migrated database but not declared by a model (or listed here)"


def test_the_audit_log_keeps_its_append_only_triggers(db):
    assert _db_triggers(db) == MIGRATION_ONLY_TRIGGERS[_backend(db)]
