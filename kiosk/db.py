"""Database connection: SQLite by default, PostgreSQL through DATABASE_URL."""

from urllib.parse import urlparse

import peewee as pw

database = pw.DatabaseProxy()


def open_database(url: str) -> pw.Database:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        return pw.SqliteDatabase(
            path,
            # Transactions take the write lock up front, so two writers queue instead of deadlocking.
            lock_type="IMMEDIATE",
            pragmas={"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000, "synchronous": "normal"},
        )
    if parsed.scheme in ("postgres", "postgresql"):
        return pw.PostgresqlDatabase(
            parsed.path.lstrip("/"),
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
        )
    raise ValueError(f"unsupported DATABASE_URL scheme: {parsed.scheme}")


def is_postgres() -> bool:
    return isinstance(database.obj, pw.PostgresqlDatabase)
