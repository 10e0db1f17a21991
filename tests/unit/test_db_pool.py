"""The app's connection pool: a connection is reused by the next request, whichever thread serves it."""

import threading

from kiosk.db import open_database


def _in_thread(fn):
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("value", fn()))
    thread.start()
    thread.join()
    return result["value"]


def test_a_closed_connection_goes_back_to_the_pool_and_is_reused(tmp_path):
    db = open_database(f"sqlite:///{tmp_path}/pool.sqlite3", pooled=True)
    first = db.connection()
    db.close()
    assert db.connection() is first


def test_a_pooled_sqlite_connection_serves_another_thread(tmp_path):
    # gthread workers: a connection opened by one thread is handed to another on a later request.
    db = open_database(f"sqlite:///{tmp_path}/pool.sqlite3", pooled=True)
    db.connect()
    db.close()

    def query():
        with db.connection_context():
            return db.execute_sql("SELECT 1").fetchone()[0]

    assert _in_thread(query) == 1


def test_a_plain_connection_closes_for_real(tmp_path):
    # Tests and scripts copy database files: their connections must leave no WAL behind.
    db = open_database(f"sqlite:///{tmp_path}/plain.sqlite3")
    db.connect()
    db.execute_sql("CREATE TABLE t (x)")
    db.close()
    assert not (tmp_path / "plain.sqlite3-wal").exists()


def test_the_pragmas_apply_to_pooled_connections(tmp_path):
    db = open_database(f"sqlite:///{tmp_path}/pool.sqlite3", pooled=True)
    with db.connection_context():
        assert (db.journal_mode, db.foreign_keys) == ("wal", 1)
