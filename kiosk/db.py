"""Database connection: SQLite by default, PostgreSQL through DATABASE_URL."""

from urllib.parse import urlparse

import peewee as pw
from playhouse.pool import PooledDatabase, PooledPostgresqlDatabase, PooledSqliteDatabase

database = pw.DatabaseProxy()

# The app keeps its connections between requests: opening one cost more than a whole bare route (four pragmas on
# SQLite, and closing the last one checkpoints the WAL; a TCP handshake and authentication on PostgreSQL). A worker
# uses one connection per thread at a time; a request that finds all in use waits up to `timeout` seconds for one.
# Connections are replaced after `stale_timeout` seconds, so a restarted or moved database is picked up again.
POOL = {"max_connections": 20, "stale_timeout": 300, "timeout": 10}


def open_database(url: str, pooled: bool = False) -> pw.Database:
    """`pooled` for the app: close() then hands the connection back. Scripts and tests that copy, delete or
    template database files need close() to close for real (a pooled SQLite connection keeps its WAL unmerged)."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        return (PooledSqliteDatabase if pooled else pw.SqliteDatabase)(
            path,
            # Transactions take the write lock up front, so two writers queue instead of deadlocking.
            lock_type="IMMEDIATE",
            pragmas={"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000, "synchronous": "normal"},
            # A pooled connection is handed to one thread at a time, but not always the thread that opened it.
            **({**POOL, "check_same_thread": False} if pooled else {}),
        )
    if parsed.scheme in ("postgres", "postgresql"):
        return (PooledPostgresqlDatabase if pooled else pw.PostgresqlDatabase)(
            parsed.path.lstrip("/"),
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            **(POOL if pooled else {}),
        )
    raise ValueError(f"unsupported DATABASE_URL scheme: {parsed.scheme}")


def release_connection(discard: bool = False) -> None:
    """The request is done with its connection: back to the pool, or closed for good after a database error, so
    that a connection which saw the disk fill up or the server go away is never handed to the next request."""
    if database.is_closed():
        return
    if discard and isinstance(database.obj, PooledDatabase):
        database.obj.manual_close()
    else:
        database.close()


def is_postgres() -> bool:
    return isinstance(database.obj, pw.PostgresqlDatabase)
