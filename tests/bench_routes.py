"""make bench, the busiest routes: requests per second as a share of a bare hello route, with p95 latency.

Each route is measured with wrk against gunicorn (2 workers) on the demo database, once with sync workers and once
with gthread workers (4 threads each), and compared with the bare hello route served the same way, at the same
number of connections, in the same run: the machine is shared and noisy, so only the ratios mean anything.
Staff routes and the kiosk get 16 connections (a surgery's screens), patient routes 50 (signed-in patients).
"""

import json
import re
import secrets
import subprocess
import tempfile
import urllib.request
from datetime import time, timedelta
from pathlib import Path

from kiosk.access import Actor, token_digest
from kiosk.clock import local_today, utcnow
from kiosk.db import database, open_database
from kiosk.models import (
    Clinician,
    IdentityCheck,
    Kiosk,
    OnlineAccount,
    Patient,
    Practice,
    Slot,
    StaffUser,
    WebSession,
)
from kiosk.services.demo import ODS
from kiosk.services.diary import create_session
from kiosk.sessions import _digest

SECONDS = 5
STAFF_CONNECTIONS = 16
PATIENT_CONNECTIONS = 50
MODES = {
    "sync": ["-w", "2"],
    "gthread": ["-w", "2", "--worker-class", "gthread", "--threads", "4"],
}
TARGET = 0.35
THREADS = 2

# Each wrk thread takes every THREADS-th line of the data file: one request per line, a new booking token each time.
LUA = r"""
-- `id` is set in each thread by setup(): a local of that name would hide it.
local lines, n, counter = {}, 0, 0
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  local i = 0
  for line in io.lines(args[1]) do
    if i %% %(threads)d == id then table.insert(lines, line) end
    i = i + 1
  end
end
function request()
  n = n %% #lines + 1
  counter = counter + 1
  local cookie, csrf, path = lines[n]:match("([^\t]+)\t([^\t]*)\t([^\t]+)")
  local headers = {["Cookie"] = cookie, ["Accept-Encoding"] = "br, gzip"}
  if csrf == "" then return wrk.format("GET", path, headers) end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  local body = "csrf_token=" .. csrf .. "&token=bench-" .. id .. "-" .. counter
  return wrk.format("POST", path, headers, body)
end
function done(summary, latency, requests)
  local bad = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout
  io.write(string.format("RESULT %%.1f %%.1f %%d %%d\n", summary.requests / (summary.duration / 1e6),
                         latency:percentile(95) / 1000, summary.requests, bad))
end
"""


def _csrf(base: str, cookie: str, slot_id: int) -> str:
    """The token the check page's form carries for this session (valid for any form in the session)."""
    url = f"{base}/appointments/book/{slot_id}"
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - our own http URL
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        html = response.read().decode()
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _session(kind: str, user_id: int, data: dict) -> str:
    sid = secrets.token_urlsafe(32)
    WebSession.create(key=_digest(sid), data=json.dumps(data), user_kind=kind, user_id=user_id, last_seen_at=utcnow())
    return f"session={sid}"


def seed(database_url: str) -> dict:
    """Signed-in reception and clinician sessions, an enrolled kiosk, PATIENT_CONNECTIONS signed-in patients with
    full online access, and a bench clinician with free released slots enough for every booking POST."""
    connection = open_database(database_url)
    database.initialize(connection)
    with connection:
        practice = Practice.get(Practice.ods_code == ODS)
        Practice.update(max_online_bookings=1_000_000).where(Practice.id == practice.id).execute()
        staff = {s.role: s for s in StaffUser.select().where(StaffUser.practice == practice.id)}
        token = secrets.token_urlsafe(16)
        Kiosk.create(
            practice=practice, name="Bench kiosk", token_hash=token_digest(token), enrolled_by=staff["manager"]
        )
        clinician = Clinician.create(practice=practice, display_name="Nurse Bench", profession="nurse")
        actor = Actor("system", None, "bench", "system", practice.id, "bench")
        for offset in range(1, practice.booking_horizon_days + 1):
            create_session(
                actor,
                clinician,
                local_today() + timedelta(days=offset),
                time(0),
                time(23, 55),
                length_minutes=5,
                kind="nurse",
                released_online=True,
            )
        slots = [s.id for s in Slot.select(Slot.id).where(Slot.clinician == clinician.id).order_by(Slot.starts_at)]
        taken = OnlineAccount.select(OnlineAccount.patient).where(OnlineAccount.patient.is_null(False))
        patients = []
        for patient in Patient.for_practice(practice.id).where(Patient.id.not_in(taken)).limit(PATIENT_CONNECTIONS):
            account = OnlineAccount.create(
                practice=practice,
                patient=patient,
                given_name=patient.given_name,
                family_name=patient.family_name,
                date_of_birth=patient.date_of_birth,
                account_id=f"BENCH{patient.id:05d}",
                registered_at=utcnow(),
                appointments=True,
                prescriptions=True,
                record_level="full",
                services_enabled_at=utcnow(),
                services_enabled_by=staff["manager"],
            )
            IdentityCheck.create(
                practice=practice, account=account, method="documents", evidence="bench", verified_by=staff["manager"]
            )
            patients.append(_session("patient", account.id, {"account_id": account.id}))
        return {
            "reception": _session("staff", staff["reception"].id, {"staff_id": staff["reception"].id}),
            "clinician": _session("staff", staff["clinician"].id, {"staff_id": staff["clinician"].id}),
            "kiosk": f"kiosk_device={token}",
            "patients": patients,
            "slots": slots,
        }


def _wrk(base: str, connections: int, lines: list[str], folder: Path) -> tuple[float, float, int]:
    data, script = folder / "lines.tsv", folder / "bench.lua"
    data.write_text("\n".join(lines) + "\n")
    script.write_text(LUA % {"threads": THREADS})
    out = subprocess.run(  # noqa: S603
        ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{SECONDS}s", "--timeout", "10s", "-s", str(script), base]  # noqa: S607
        + ["--", str(data)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate, p95, _count, bad = out.split("RESULT ", 1)[1].split()[:4]
    return float(rate), float(p95), int(bad)


def _check(base: str, cookie: str, path: str, expect: str) -> None:
    """A route that answers the wrong page (a sign-in redirect, "not set up") would measure the wrong thing."""
    request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310 - our own http URL
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        html = response.read().decode()
    if expect not in html:
        raise SystemExit(f"{path} did not show {expect!r}: the bench would weigh the wrong page")


def measure(base: str, seeded: dict, slots: list[int], folder: Path) -> list[tuple[str, int, float, float, int, float]]:
    patients = seeded["patients"]
    staff_routes = [
        ("arrivals (full day)", seeded["reception"], "/staff/arrivals/?auto=1", "Arrivals"),
        ("prescriptions queue", seeded["clinician"], "/staff/prescriptions/", "Prescription requests"),
        ("kiosk start", seeded["kiosk"], "/kiosk/", "first letter of your surname"),
    ]
    patient_routes = [
        ("slot finder", "/appointments/book?kind=gp", "Book an appointment"),
        ("record overview", "/record", "GP record"),
    ]
    for _name, cookie, path, expect in staff_routes:
        _check(base, cookie, path, expect)
    for _name, path, expect in patient_routes:
        _check(base, patients[0], path, expect)
    rows = []
    hello = _wrk(base, STAFF_CONNECTIONS, ["x=1\t\t/bench/hello"] * STAFF_CONNECTIONS, folder)
    rows.append(("bare hello route", STAFF_CONNECTIONS, *hello, 1.0))
    for name, cookie, path, _expect in staff_routes:
        rate, p95, bad = _wrk(base, STAFF_CONNECTIONS, [f"{cookie}\t\t{path}"] * STAFF_CONNECTIONS, folder)
        rows.append((name, STAFF_CONNECTIONS, rate, p95, bad, rate / hello[0]))
    hello = _wrk(base, PATIENT_CONNECTIONS, ["x=1\t\t/bench/hello"] * PATIENT_CONNECTIONS, folder)
    rows.append(("bare hello route", PATIENT_CONNECTIONS, *hello, 1.0))
    for name, path, _expect in patient_routes:
        rate, p95, bad = _wrk(base, PATIENT_CONNECTIONS, [f"{c}\t\t{path}" for c in patients], folder)
        rows.append((name, PATIENT_CONNECTIONS, rate, p95, bad, rate / hello[0]))
    csrf = {c: _csrf(base, c, slots[0]) for c in patients}
    lines = [
        f"{patients[i % len(patients)]}\t{csrf[patients[i % len(patients)]]}\t/appointments/book/{slot}"
        for i, slot in enumerate(slots[1:])
    ]
    rate, p95, bad = _wrk(base, PATIENT_CONNECTIONS, lines, folder)
    rows.append(("book a slot (POST)", PATIENT_CONNECTIONS, rate, p95, bad, rate / hello[0]))
    return rows


def run(env: dict, start_server, free_port) -> None:
    seeded = seed(env["DATABASE_URL"])
    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-routes-"))
    # Each mode books its own share of the bench clinician's slots: every POST finds a free one.
    shares = iter([seeded["slots"][: len(seeded["slots"]) // 2], seeded["slots"][len(seeded["slots"]) // 2 :]])
    results = {}
    for mode, worker_args in MODES.items():
        port = free_port()
        server = start_server(env, port, worker_args)
        try:
            results[mode] = measure(f"http://127.0.0.1:{port}", seeded, next(shares), folder)
        finally:
            server.terminate()
            server.wait()
    for mode, rows in results.items():
        print(f"\nroutes against bare hello ({mode}: gunicorn {' '.join(MODES[mode])}, wrk {SECONDS} s each)")
        print(f"  {'route':<22}{'conns':>6}{'requests/s':>12}{'p95 ms':>9}{'failed':>8}{'of hello':>10}")
        for name, conns, rate, p95, bad, ratio in rows:
            flag = "" if name.startswith("bare") or ratio >= TARGET else f"  below {TARGET}"
            print(f"  {name:<22}{conns:>6}{rate:>12.0f}{p95:>9.1f}{bad:>8}{ratio:>10.2f}{flag}")
    sync, threaded = (results[m] for m in MODES)
    print("\n  gthread against sync, same route (requests/s):")
    for a, b in zip(sync, threaded, strict=True):
        print(f"  {a[0]:<22}{a[1]:>6}{b[2] / a[2]:>10.2f}x")
