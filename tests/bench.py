"""make bench: page weight on first and repeat visit, first paint on slow networks (tests/bench_network.py), then
the busiest routes against a bare hello route (tests/bench_routes.py).

Runs gunicorn exactly as `make run` does, on a fresh demo database. The machine is shared and noisy, so the
throughput figure that matters is the ratio between two routes measured in the same run.
"""

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

from kiosk.services.demo import STAFF

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
RECEPTION = next(s for s in STAFF if s[0] == "reception")
PAGES = [
    ("staff sign-in", "/staff/sign-in", None),
    ("staff home", "/staff/", "staff"),
    ("arrivals", "/staff/arrivals/", "staff"),
    ("kiosks", "/staff/kiosks/", "staff"),
    ("kiosk start", "/kiosk/", "kiosk"),
    ("patient sign-in", "/sign-in", None),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict, port: int, worker_args: tuple[str, ...] = ("-w", "2")) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603
        [
            str(VENV_BIN / "gunicorn"),
            "--no-control-socket",
            *worker_args,
            "-b",
            f"127.0.0.1:{port}",
            "tests.bench_app:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("server did not start")


def enrolled_contexts(browser, base: str) -> dict:
    """A signed-in receptionist, an enrolled kiosk and an anonymous visitor, each its own browser context."""
    staff = browser.new_context()
    page = staff.new_page()
    page.goto(base + "/staff/sign-in")
    page.fill("#email", RECEPTION[2])
    page.fill("#password", RECEPTION[3])
    page.click("button[type=submit]")
    page.wait_for_url("**/staff/")
    kiosk = browser.new_context()
    kpage = kiosk.new_page()
    for cookie in staff.cookies():
        kiosk.add_cookies([cookie])
    kpage.goto(base + "/staff/kiosks/")
    kpage.fill("#name", "Bench kiosk")
    # The button, not the heading above it ("Enrol this device as a kiosk") that a text match finds first.
    kpage.get_by_role("button", name="Enrol this device").click()
    kpage.get_by_text("This device is the kiosk").wait_for()
    if not any(c["name"] == "kiosk_device" for c in kiosk.cookies()):
        raise SystemExit("kiosk enrolment failed: the kiosk rows would weigh the 'not set up' page")
    kiosk.clear_cookies(name="session")
    return {None: browser.new_context(), "staff": staff, "kiosk": kiosk}


def page_weights(contexts: dict, base: str) -> None:
    """Each page twice in one browser context (the second visit uses the cache)."""
    rows = []
    for name, path, who in PAGES:
        figures = [measure(contexts[who], base + path) for _ in range(2)]
        rows.append((name, *figures[0], *figures[1]))
    print(f"{'page':<16}{'first: bytes':>14}{'requests':>10}{'repeat: bytes':>15}{'requests':>10}")
    for name, b1, r1, b2, r2 in rows:
        print(f"{name:<16}{b1:>14,}{r1:>10}{b2:>15,}{r2:>10}")


def browser_benches(base: str) -> None:
    """Page weights, then first paint on slow networks (tests/bench_network.py), in one Chromium."""
    from tests import bench_network

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        contexts = enrolled_contexts(browser, base)
        page_weights(contexts, base)
        bench_network.run(browser, base, contexts)
        browser.close()


def measure(context, url: str) -> tuple[int, int]:
    """Bytes on the wire (compressed, headers included) and requests that reached the network."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    seen = {"bytes": 0, "requests": 0, "cached": set()}
    cdp.on("Network.requestServedFromCache", lambda e: seen["cached"].add(e["requestId"]))

    def finished(event):
        if event["requestId"] not in seen["cached"] and event["encodedDataLength"] > 0:
            seen["bytes"] += event["encodedDataLength"]
            seen["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="networkidle")
    page.close()
    return seen["bytes"], seen["requests"]


def throughput(url: str, cookie: str | None) -> float:
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", "-t2", "-c16", "-d5s", "-H", "Accept-Encoding: br, gzip", *header, url],  # noqa: S603,S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} failed responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def list_import(env: dict, folder: Path) -> None:
    """A whole practice's list (10,000 rows) through the same preview and commit a staff upload runs: it has to
    finish well inside gunicorn's 30 s worker timeout."""
    from kiosk.services.demo import ODS
    from tests.builders import practice_list_csv

    path = folder / "list.csv"
    path.write_text(practice_list_csv(10_000, 500_000))
    started = time.perf_counter()
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", "import-patients", "--ods", ODS, str(path)],  # noqa: S603
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"practice list import, 10,000 rows: {time.perf_counter() - started:.1f} s (worker timeout 30 s)")


def main() -> None:
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)  # noqa: S603,S607
    folder = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}", "KIOSK_SECRET_KEY": "bench"}
    for command in (["migrate"], ["demo"]):
        subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", *command],
            cwd=ROOT,
            env=env,
            check=True,  # noqa: S603
            stdout=subprocess.DEVNULL,
        )
    list_import(env, folder)
    from tests import bench_gpconnect

    bench_gpconnect.run(env["DATABASE_URL"])
    port = free_port()
    server = start_server(env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        browser_benches(base)
    finally:
        server.terminate()
        server.wait()
    try:
        from tests import bench_routes

        bench_routes.run(env, start_server, free_port)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
