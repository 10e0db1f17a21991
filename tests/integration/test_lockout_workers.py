"""Ten failed sign-ins lock a patient's account even when they race through two gunicorn workers at once.

A real gunicorn with two worker processes on its own SQLite file: a failure count kept in a process, or read and
written back in two steps, would lose some of the racing failures and leave the account open.
"""

import http.cookiejar
import re
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import pytest

from kiosk.db import database, open_database
from kiosk.models import AuditEvent, OnlineAccount
from kiosk.services.patient_auth import SIGN_IN_FAILED
from tests import builders
from tests.e2e.server import ROOT, VENV_BIN, LiveServer
from tests.pages import csrf_token

ATTEMPTS = 10


class LoggingServer(LiveServer):
    """The e2e server, with an access log that names the worker process behind each answer."""

    def start(self) -> None:
        subprocess.run(
            [VENV_BIN / "flask", "--app", "wsgi", "migrate"], cwd=ROOT, env=self.env(), check=True, capture_output=True
        )
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [
                    VENV_BIN / "gunicorn",
                    "--no-control-socket",
                    "-w",
                    "2",
                    "-b",
                    f"127.0.0.1:{self.port}",
                    "--access-logfile",
                    "-",
                    "--access-logformat",
                    "worker=%(p)s %(m)s %(U)s %(s)s",
                    "wsgi:app",
                ],
                cwd=ROOT,
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_healthy()

    def _wait_until_healthy(self, timeout: float = 60) -> None:
        # On a loaded machine the first answer can take longer than the health check's own 2 s read timeout.
        deadline = time.monotonic() + timeout
        while True:
            try:
                return super()._wait_until_healthy(timeout=max(1.0, deadline - time.monotonic()))
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise

    def workers_that_answered(self, method: str, path: str) -> set[str]:
        pattern = re.compile(rf"worker=<?(\d+)>? {method} {re.escape(path)} ")
        return {m.group(1) for m in pattern.finditer(self.log.read_text())}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = LoggingServer(tmp_path_factory.mktemp("lockout"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def account(server):
    connection = open_database(server.database_url)
    database.initialize(connection)
    connection.connect()
    practice = builders.make_practice()
    account = builders.make_registered_account(practice, builders.make_patient(practice), appointments=True)
    yield account
    connection.close()


class Browser:
    """One visitor with their own cookies: fetches the sign-in form, then posts it."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with self.opener.open(f"{base_url}/sign-in", timeout=30) as response:
            self.token = csrf_token(response.read().decode())

    def sign_in(self, account_id: str, password: str) -> tuple[str, str]:
        data = urllib.parse.urlencode({"csrf_token": self.token, "account_id": account_id, "password": password})
        with self.opener.open(f"{self.base_url}/sign-in", data=data.encode(), timeout=60) as response:
            return urllib.parse.urlparse(response.geturl()).path, response.read().decode()


def test_ten_racing_failures_in_two_workers_lock_the_account(server, account):
    browsers = [Browser(server.url) for _ in range(ATTEMPTS)]
    start = threading.Barrier(ATTEMPTS)
    answers: list[str] = []

    def fail(browser: Browser) -> None:
        start.wait()
        answers.append(browser.sign_in(account.account_id, "not the password, guessed in a hurry")[0])

    threads = [threading.Thread(target=fail, args=(b,)) for b in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert answers == ["/sign-in"] * ATTEMPTS
    assert len(server.workers_that_answered("POST", "/sign-in")) == 2, "both workers should have taken failures"

    path, page = Browser(server.url).sign_in(account.account_id, builders.PASSWORD)
    assert path == "/sign-in"
    assert SIGN_IN_FAILED in page

    locked = OnlineAccount.get_by_id(account.id)
    assert locked.locked_until is not None
    outcomes = [e.outcome for e in AuditEvent.select().where(AuditEvent.action == "patient.sign_in")]
    assert sorted(outcomes) == ["failed"] * ATTEMPTS + ["refused"]
