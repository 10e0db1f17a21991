"""Guessing limits hold when the guesses race through two gunicorn workers at once, and lift after the wait.

A real gunicorn with two worker processes on its own SQLite file: a failure count kept in a process, or read and
written back in two steps, would lose some of the racing failures and leave the account, or the address, open.
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
from kiosk.models import AttemptCounter, AuditEvent
from kiosk.services import lockout
from tests import builders
from tests.e2e.server import ROOT, VENV_BIN, LiveServer
from tests.pages import csrf_token

ATTEMPTS = 10
FREE_FAILURES = 5
DELAY_SECONDS = 3
SOURCE_LIMIT = 12
WAIT = "Wait a minute and try again"


class LoggingServer(LiveServer):
    """The e2e server, with an access log that names the worker process behind each answer, and short waits."""

    def env(self) -> dict:
        return {
            **super().env(),
            "KIOSK_SIGN_IN_FREE_FAILURES": str(FREE_FAILURES),
            "KIOSK_SIGN_IN_FIRST_DELAY_SECONDS": str(DELAY_SECONDS),
            "KIOSK_SOURCE_ATTEMPTS_PER_MINUTE": str(SOURCE_LIMIT),
        }

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
    AttemptCounter.delete().execute()  # each test starts with a clean slate for the shared address
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


def race(server, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Send every (account id, password) sign-in at the same moment, each from its own browser."""
    browsers = [Browser(server.url) for _ in pairs]
    start = threading.Barrier(len(pairs))
    answers: list[tuple[str, str]] = []

    def send(browser: Browser, account_id: str, password: str) -> None:
        start.wait()
        answers.append(browser.sign_in(account_id, password))

    threads = [threading.Thread(target=send, args=(b, *p)) for b, p in zip(browsers, pairs, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return answers


def test_racing_failures_in_two_workers_all_count_then_the_right_password_waits_and_then_works(server, account):
    answers = race(server, [(account.account_id, "not the password, guessed in a hurry")] * ATTEMPTS)

    assert [path for path, _ in answers] == ["/sign-in"] * ATTEMPTS
    assert len(server.workers_that_answered("POST", "/sign-in")) == 2, "both workers should have taken failures"
    counter = AttemptCounter.get_by_id(lockout.identifier_key("patient", account.account_id))
    failed = AuditEvent.select().where((AuditEvent.action == "patient.sign_in") & (AuditEvent.outcome == "failed"))
    # Once the free failures are used up, later guesses are refused unhashed and uncounted.
    assert counter.failures == failed.count() >= FREE_FAILURES, "a failure was lost between the workers"

    path, page = Browser(server.url).sign_in(account.account_id, builders.PASSWORD)
    assert (path, WAIT in page) == ("/sign-in", True)

    time.sleep((counter.blocked_until - counter.updated_at).total_seconds() + 0.5)
    path, _ = Browser(server.url).sign_in(account.account_id, builders.PASSWORD)
    assert path == "/home"
    outcomes = [e.outcome for e in AuditEvent.select().where(AuditEvent.action == "patient.sign_in")]
    assert (outcomes.count("failed"), outcomes.count("refused"), outcomes[-1]) == (
        counter.failures,
        ATTEMPTS - counter.failures + 1,
        "ok",
    )


def test_spraying_across_accounts_through_two_workers_is_slowed_for_the_address(server, account):
    sprayed = [(f"NOSUCH{n:04d}", "Summer2026!Summer") for n in range(SOURCE_LIMIT)]
    race(server, sprayed)

    counter = AttemptCounter.get_by_id(lockout.source_key("127.0.0.1"))
    assert counter.failures == SOURCE_LIMIT, "a failure was lost between the workers"
    path, page = Browser(server.url).sign_in(account.account_id, builders.PASSWORD)
    assert (path, WAIT in page) == ("/sign-in", True)
