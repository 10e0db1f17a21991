"""GET /healthz tells a load balancer whether this instance can reach its database."""

import pytest

from kiosk import create_app


def test_health_check_is_ok_with_the_database(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


UNREACHABLE = {
    "sqlite": "sqlite:////nonexistent-directory/for/kiosk/tests.sqlite3",
    "postgres": "postgresql://postgres@127.0.0.1:1/test",  # nothing listens on port 1
}


@pytest.mark.parametrize("backend", list(UNREACHABLE))
def test_health_check_is_503_without_the_database(backend):
    app = create_app({"DATABASE_URL": UNREACHABLE[backend], "TESTING": True, "SECRET_KEY": "test-secret"})
    response = app.test_client().get("/healthz")
    assert (response.status_code, response.json) == (503, {"status": "database unreachable"})


def test_health_check_is_503_when_the_database_goes_away(app, client, tmp_path):
    from kiosk.db import database, open_database

    database.initialize(open_database(f"sqlite:///{tmp_path}/gone/away.sqlite3"))
    assert client.get("/healthz").status_code == 503
