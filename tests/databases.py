"""Test databases: SQLite always, PostgreSQL when reachable. Each test starts from an empty migrated schema."""

import os
import shutil
from pathlib import Path

import peewee as pw

from kiosk.db import database, open_database
from kiosk.models import ALL_MODELS
from kiosk.schema import migrate

# Each run empties every table between tests: people running the suite side by side point this at a database of
# their own. Under pytest-xdist each worker (gw0, gw1, ...) gets its own database beside it, made on first use.
BASE_PG_URL = os.environ.get("KIOSK_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
PG_URL = f"{BASE_PG_URL}_{_WORKER}" if _WORKER else BASE_PG_URL


def postgres_reachable() -> bool:
    try:
        if PG_URL != BASE_PG_URL:
            _create_worker_database()
        db = open_database(PG_URL)
        db.connect()
        db.close()
        return True
    except pw.OperationalError:
        return False


def _create_worker_database() -> None:
    admin = open_database(BASE_PG_URL)
    admin.connect()
    name = PG_URL.rsplit("/", 1)[1]
    if not admin.execute_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        admin.execute_sql(f'CREATE DATABASE "{name}"')
    admin.close()


class SqliteTemplate:
    """Migrate once into a template file; every test gets a fresh copy (a file copy takes a millisecond)."""

    def __init__(self, folder: Path):
        self.template = folder / "template.sqlite3"
        db = open_database(f"sqlite:///{self.template}")
        database.initialize(db)
        migrate(db)
        db.close()
        self.count = 0

    def fresh_url(self, folder: Path) -> str:
        self.count += 1
        path = folder / f"test-{self.count}.sqlite3"
        shutil.copyfile(self.template, path)
        return f"sqlite:///{path}"


class PostgresTemplate:
    """Migrate once; between tests empty every table.

    DELETE with triggers off (session_replication_role = replica: the audit log's append-only triggers and the
    foreign-key checks stand aside) takes milliseconds where TRUNCATE takes most of a second on this machine.
    Sequences carry on counting: no test may rely on an id's value.
    """

    def __init__(self):
        db = open_database(PG_URL)
        database.initialize(db)
        db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        migrate(db)
        db.close()

    def fresh_url(self, _folder: Path) -> str:
        db = open_database(PG_URL)
        with db.atomic():
            db.execute_sql("SET LOCAL session_replication_role = replica")
            for model in ALL_MODELS:
                db.execute_sql(f"DELETE FROM {model._meta.table_name}")  # noqa: S608 - our own table names
        db.close()
        return PG_URL
