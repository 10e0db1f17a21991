"""Counting the SQL statements code sends, for tests that a page's queries do not grow with the rows it shows."""

from collections.abc import Iterator
from contextlib import contextmanager

from kiosk.db import database


@contextmanager
def counting_queries() -> Iterator[list[str]]:
    """Every statement sent through the database while the block runs, in order (BEGIN and COMMIT are not
    statements here: peewee sends them on the cursor directly)."""
    db = database.obj
    statements: list[str] = []
    send = db.execute_sql

    def execute_sql(sql, params=None):
        statements.append(sql)
        return send(sql, params)

    db.execute_sql = execute_sql  # on the instance: every query, model or raw, goes through Database.execute_sql
    try:
        yield statements
    finally:
        del db.execute_sql


def queries_for(client, url: str, **kwargs) -> list[str]:
    """The statements one GET of `url` sends, from the first request hook to the last teardown."""
    with counting_queries() as statements:
        response = client.get(url, **kwargs)
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    return statements
