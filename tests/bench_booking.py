"""make bench, appointments: the slot finder and the booking POST with 50 simulated users.

wrk holds 50 connections open, each a signed-in patient of the demo practice, for a few seconds per route: the
finder is GET /appointments/book, the booking is the check page's form POSTed for a different free slot each time
(so every request books for real; a slot that ran out would answer the polite refusal instead, and is counted).
Latency is wrk's p95; throughput is compared with the bare hello route measured the same way in the same run.
"""

import json
import re
import secrets
import subprocess
import tempfile
import urllib.request
from datetime import time, timedelta
from pathlib import Path

from kiosk.access import Actor
from kiosk.clock import local_today, utcnow
from kiosk.db import database, open_database
from kiosk.models import Clinician, OnlineAccount, Patient, Practice, Slot, WebSession
from kiosk.services.demo import ODS
from kiosk.services.diary import create_session
from kiosk.sessions import _digest

USERS = 50
SECONDS = 5
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


def _seed(database_url: str, slots_needed: int) -> tuple[list[str], list[int]]:
    """USERS signed-in patients with appointments on, and a bench clinician with enough free released slots."""
    connection = open_database(database_url)
    database.initialize(connection)
    with connection:
        practice = Practice.get(Practice.ods_code == ODS)
        # The bench books hundreds of times per patient: the online limit would otherwise stop it after two.
        Practice.update(max_online_bookings=1_000_000).where(Practice.id == practice.id).execute()
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
        cookies = []
        for patient in (
            Patient.for_practice(practice.id)
            .where(
                Patient.id.not_in(
                    OnlineAccount.select(OnlineAccount.patient).where(OnlineAccount.patient.is_null(False))
                )
            )
            .limit(USERS)
        ):
            account = OnlineAccount.create(
                practice=practice,
                patient=patient,
                given_name=patient.given_name,
                family_name=patient.family_name,
                date_of_birth=patient.date_of_birth,
                account_id=f"BENCH{patient.id:05d}",
                appointments=True,
            )
            sid = secrets.token_urlsafe(32)
            WebSession.create(
                key=_digest(sid),
                data=json.dumps({"account_id": account.id}),
                user_kind="patient",
                user_id=account.id,
                last_seen_at=utcnow(),
            )
            cookies.append(f"session={sid}")
    if len(slots) < slots_needed:
        raise SystemExit(f"only {len(slots)} bench slots")
    return cookies, slots


def _csrf(base: str, cookie: str, slot_id: int) -> str:
    """The token the check page's form carries for this session (valid for any form in the session)."""
    url = f"{base}/appointments/book/{slot_id}"
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - our own http URL
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        html = response.read().decode()
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _wrk(base: str, lines: list[str], folder: Path) -> tuple[float, float, int, int]:
    data, script = folder / "lines.tsv", folder / "bench.lua"
    data.write_text("\n".join(lines) + "\n")
    script.write_text(LUA % {"threads": THREADS})
    out = subprocess.run(  # noqa: S603
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{USERS}",
            f"-d{SECONDS}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            base,  # noqa: S607
            "--",
            str(data),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate, p95, count, bad = re.search(r"RESULT ([\d.]+) ([\d.]+) (\d+) (\d+)", out).groups()
    return float(rate), float(p95), int(count), int(bad)


def run(base: str, database_url: str) -> None:
    cookies, slots = _seed(database_url, slots_needed=2000)
    csrf = {cookie: _csrf(base, cookie, slots[0]) for cookie in cookies}
    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-booking-"))
    hello = _wrk(base, ["x=1\t\t/bench/hello"] * USERS, folder)
    finder = _wrk(base, [f"{c}\t\t/appointments/book?kind=gp" for c in cookies], folder)
    bookings = _wrk(
        base,
        [
            f"{cookies[i % USERS]}\t{csrf[cookies[i % USERS]]}\t/appointments/book/{slot}"
            for i, slot in enumerate(slots[1:])
        ],
        folder,
    )
    print(
        f"\nappointments (gunicorn, 2 workers, wrk {USERS} connections = {USERS} signed-in patients, {SECONDS} s each)"
    )
    print(f"  {'route':<26}{'requests/s':>12}{'p95 ms':>9}{'requests':>10}{'failed':>8}{'of hello':>10}")
    for name, (rate, p95, count, bad) in [
        ("bare hello route", hello),
        ("slot finder (GET)", finder),
        ("book a slot (POST)", bookings),
    ]:
        print(f"  {name:<26}{rate:>12.0f}{p95:>9.1f}{count:>10}{bad:>8}{rate / hello[0]:>10.2f}")
    connection = open_database(database_url)
    database.initialize(connection)
    with connection:
        from kiosk.models import Appointment

        booked = Appointment.select().join(Slot).where(Slot.id.in_(slots)).count()
    print(f"  bookings made: {booked} (one per POST that found its slot free)")
