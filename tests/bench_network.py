"""make bench, slow networks: first-contentful-paint of the pages a patient meets, cold and warm, on three network
profiles with the CPU slowed 4x, against the floor the network itself sets.

Chromium's own network emulation (CDP Network.emulateNetworkConditions) adds the latency to every request and
caps the bandwidth; Emulation.setCPUThrottlingRate slows script and layout as an old phone would. The floor is
what no page could beat on that profile: the emulated latency once per render-blocking request (the document and
the stylesheet) plus their bytes over the bandwidth. What the first paint loses above it is mostly the script
sharing the same bandwidth while the stylesheet downloads.
"""

from dataclasses import dataclass

from playwright.sync_api import Browser, BrowserContext

from kiosk.services.demo import READY


@dataclass(frozen=True)
class Profile:
    name: str
    latency_ms: int
    kbit_per_s: int

    @property
    def bytes_per_s(self) -> float:
        return self.kbit_per_s * 1000 / 8


PROFILES = [
    Profile("GPRS", 500, 50),
    Profile("Slow 3G", 2000, 400),
    Profile("WebPageTest 2G", 800, 280),
]
CPU_SLOWDOWN = 4
# The targets are for GPRS; the other profiles print against their floor only.
TARGET_COLD_S = 5.0
TARGET_WARM_S = 1.5
PAGES = [
    ("kiosk start", "/kiosk/", "kiosk"),
    ("patient sign-in", "/sign-in", None),
    ("patient home", "/home", "patient"),
    ("slot finder", "/appointments/book", "patient"),
    ("record", "/record", "patient"),
]
FCP = "() => performance.getEntriesByName('first-contentful-paint').map(e => e.startTime)[0] ?? null"


def patient_context(browser: Browser, base: str) -> BrowserContext:
    """The demo's ready patient, signed in once on an unthrottled network."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/sign-in")
    page.fill("#account_id", READY["account_id"])
    page.fill("#password", READY["password"])
    page.click("button[type=submit]")
    page.wait_for_url("**/home")
    page.close()
    return context


def _visit(context: BrowserContext, url: str, profile: Profile) -> tuple[float, int]:
    """FCP in seconds, and the bytes of the document and stylesheet (the render-blocking ones)."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": profile.latency_ms,
            "downloadThroughput": profile.bytes_per_s,
            "uploadThroughput": profile.bytes_per_s,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    types: dict[str, str] = {}
    blocking = {"bytes": 0, "requests": 0}
    cdp.on("Network.responseReceived", lambda e: types.__setitem__(e["requestId"], e["type"]))

    def finished(event):
        if types.get(event["requestId"]) in ("Document", "Stylesheet") and event["encodedDataLength"] > 0:
            blocking["bytes"] += event["encodedDataLength"]
            blocking["requests"] += 1

    cdp.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load", timeout=120_000)
    page.wait_for_function(FCP.replace("?? null", "!== undefined"), timeout=60_000)
    fcp_ms = page.evaluate(FCP)
    page.close()
    floor = blocking["requests"] * profile.latency_ms / 1000 + blocking["bytes"] / profile.bytes_per_s
    return fcp_ms / 1000, floor


def run(browser: Browser, base: str, contexts: dict) -> None:
    """Each page on each profile: cold in a fresh context holding only the sign-in cookies, then warm (the same
    context again, its cache full)."""
    contexts = {**contexts, "patient": patient_context(browser, base)}
    print(f"\nslow networks, CPU {CPU_SLOWDOWN}x slower: first-contentful-paint against the network's floor")
    print(f"{'page':<17}{'profile':<16}{'cold FCP':>9}{'floor':>7}{'warm FCP':>10}{'floor':>7}  target")
    misses = []
    for profile in PROFILES:
        for name, path, who in PAGES:
            cookies = contexts[who].cookies() if who else []
            cold_context = browser.new_context()
            cold_context.add_cookies(cookies)
            cold, cold_floor = _visit(cold_context, base + path, profile)
            warm, warm_floor = _visit(cold_context, base + path, profile)
            cold_context.close()
            target = ""
            if profile.name == "GPRS":
                met = cold <= TARGET_COLD_S and warm <= TARGET_WARM_S
                target = f"cold <= {TARGET_COLD_S:g} s, warm <= {TARGET_WARM_S:g} s: {'met' if met else 'MISSED'}"
                if not met:
                    misses.append(name)
            figures = f"{cold:>8.2f}s{cold_floor:>6.2f}s{warm:>9.2f}s{warm_floor:>6.2f}s"
            print(f"{name:<17}{profile.name:<16}{figures}  {target}")
    print("GPRS targets " + (f"missed on: {', '.join(misses)}" if misses else "met on every page"))
