"""A double-tapped order against a real gunicorn with two workers: truly parallel requests, one request written.

The in-process test client cannot race with itself, so this starts the browser tests' server (tests/e2e/server.py)
on a temporary SQLite file, and on a throwaway PostgreSQL database when PostgreSQL is reachable.
"""

import http.client
import json
import secrets
import threading
import urllib.parse

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from kiosk.clock import utcnow
from kiosk.db import database, open_database
from kiosk.models import PrescriptionRequest, RequestItem, WebSession
from kiosk.sessions import _digest
from tests import builders, databases
from tests.e2e.server import LiveServer

PARALLEL = 8


def fresh_postgres_database() -> str:
    """A database of its own next to the test one, emptied: the server's workers connect to it by name.

    Kept between runs rather than dropped: DROP DATABASE waits for a checkpoint, which takes seconds.
    """
    name = databases.PG_URL.rsplit("/", 1)[1] + "_race"
    admin = open_database(databases.PG_URL)
    if not admin.execute_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        admin.execute_sql(f'CREATE DATABASE "{name}"')
    admin.close()
    url = databases.PG_URL.rsplit("/", 1)[0] + f"/{name}"
    db = open_database(url)
    db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    db.close()
    return url


@pytest.fixture(params=["sqlite", "postgres"], scope="module")
def server(request, tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp(f"race-{request.param}"))
    if request.param == "postgres":
        if not databases.postgres_reachable():
            pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432")
        live.database_url = fresh_postgres_database()
    live.start()
    connection = open_database(live.database_url)
    database.initialize(connection)
    connection.connect()
    yield live
    connection.close()
    live.stop()


def signed_in_patient(medicines: int = 2):
    """A patient with `medicines` orderable repeats, and the session cookie of their signed-in account."""
    practice = builders.make_practice()
    patient = builders.make_patient(practice)
    account = builders.make_online_account(practice, patient, prescriptions=True)
    sid = secrets.token_urlsafe(32)
    WebSession.create(
        key=_digest(sid),
        data=json.dumps({"account_id": account.id}),
        user_kind="patient",
        user_id=account.id,
        last_seen_at=utcnow(),
    )
    chosen = [builders.make_medicine(patient, name=f"Medicine {n}") for n in range(medicines)]
    return patient, chosen, f"session={sid}"


def call(server, method: str, path: str, cookie: str, body: str | None = None) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Cookie": cookie}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    response.text = response.read().decode()
    connection.close()
    return response


def confirm_form(server, cookie: str, medicines) -> str:
    """The check page's hidden order form (CSRF token and one-time order token included), url-encoded."""
    query = urllib.parse.urlencode([("medicine", m.id) for m in medicines])
    page = call(server, "GET", f"/prescriptions/check?{query}", cookie)
    assert page.status == 200, page.text[:500]
    form = HTMLParser(page.text).css_first("form[method=post][action='/prescriptions/requests']")
    return urllib.parse.urlencode([(i.attributes["name"], i.attributes.get("value") or "") for i in form.css("input")])


def post_together(server, cookie: str, bodies: list[str]) -> list[http.client.HTTPResponse]:
    """POST every body at the same moment, one thread each."""
    start = threading.Barrier(len(bodies))
    responses: list = [None] * len(bodies)

    def send(n: int) -> None:
        start.wait()
        responses[n] = call(server, "POST", "/prescriptions/requests", cookie, bodies[n])

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return responses


def requests_of(patient) -> int:
    return PrescriptionRequest.select().where(PrescriptionRequest.patient == patient.id).count()


def test_the_same_order_sent_many_times_at_once_makes_one_request(server):
    patient, medicines, cookie = signed_in_patient()
    post_together(server, cookie, [confirm_form(server, cookie, medicines)] * PARALLEL)
    assert (
        requests_of(patient),
        RequestItem.select().join(PrescriptionRequest).where(PrescriptionRequest.patient == patient.id).count(),
    ) == (1, len(medicines))


def test_the_same_order_sent_many_times_at_once_shows_everyone_the_same_receipt(server):
    patient, medicines, cookie = signed_in_patient()
    responses = post_together(server, cookie, [confirm_form(server, cookie, medicines)] * PARALLEL)
    receipt = f"/prescriptions/requests/{PrescriptionRequest.get(PrescriptionRequest.patient == patient.id).id}"
    assert {(r.status, r.getheader("Location")) for r in responses} == {(303, receipt)}


def test_two_order_forms_for_the_same_medicines_sent_at_once_make_one_request(server):
    patient, medicines, cookie = signed_in_patient()
    forms = [confirm_form(server, cookie, medicines) for _ in range(PARALLEL)]
    post_together(server, cookie, forms)
    assert requests_of(patient) == 1
