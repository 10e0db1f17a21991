"""Drive Debian's lynx against the live server, one keystroke at a time, and read each page as it renders it.

lynx reads its keystrokes from `-cmd_script=FILE`, one `key X` line per key (`key a`, `key <space>`,
`key Down Arrow`, `key ^J` for Enter). Here FILE is a named pipe the test writes to, so a session can look at the
page before deciding what to press, instead of a script written blind that counts Down Arrows. The method:

- Numbers, not arrow counts. With `-number_fields` every link and form field carries a number (`[3]____`,
  `[7]( ) Approve`, `([9]BUTTON) Save`); typing the number, `g` and Enter moves to it, whatever comes before it
  on the page. The numbers are read from the page itself (see `number_of`), never written into a test. Debian's
  lynx.cfg leaves digits acting as arrow keys even with `-number_fields`: the private config sets
  DEFAULT_KEYPAD_MODE so that they reach the numbers.
- Reading the page. `text()` prints the current page through a private "printer" defined in a private lynx.cfg
  (`cat %s > page.txt`), reached from the print menu by searching for its name: the file is what `lynx -dump
  -number_fields` would show for that page, references list included, with this session's cookies. lynx reads the
  next keystroke only once the page has loaded, so by the time the file appears every earlier key has been acted on.
- Text fields need activation (`-tna`): on a field, Enter starts editing and Enter ends it, so the digits of the
  next `Ng` never land in a field by mistake.
- Each session has its own HOME, config, cookie jar and pipe under a temporary folder: runs share no state.
  Every key sent is also written to `keys.txt` beside them, a plain cmd_script that replays the session by hand:
  `lynx -cfg=lynx.cfg -tna -number_fields -nopause -accept_all_cookies -cmd_script=keys.txt URL`.
- Spaces are typed as `key <space>` (a bare `key ` line is ignored); `keys()` turns any string into these lines.

Example: what `sign_in_patient` sends once the sign-in page is shown (Account ID is field 3, Password 4, the
button 5), then the print that reads the page it lands on:

    key 3 / key g / key ^J               move to field 3
    key ^J / key A / key C / ... / key ^J     start editing, type the Account ID, stop (lynx moves to field 4)
    key 4 / key g / key ^J / key ^J / key Q / key u / ... / key ^J     the password, likewise
    key 5 / key g / key ^J / key ^J      move to the button and press it
    key p / key / / key K / key e / ... / key ^J / key ^J     print menu, find our printer, print to page.txt

(one `key` line each in the file; shown here with `/` between them).
"""

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from tests import builders

LYNX = shutil.which("lynx") or "/usr/bin/lynx"
PRINTER = "Keep this page for the kiosk test"
_KEY_NAMES = {" ": "<space>", "\n": "^J", "\t": "^I"}


def keys(text: str) -> list[str]:
    """cmd_script lines that type `text`, one key per character."""
    return [f"key {_KEY_NAMES.get(c, c)}" for c in text]


def number_of(page: str, what: str) -> int:
    """The number lynx gave the link, button, choice or field called `what` on `page` (the text of `text()`).

    Tried in order: a link or a plain submit button whose text starts with `what` (`[12]Book an appointment`); a
    <button> (`([9]BUTTON) Sign in`); a radio button or check box labelled `what` (`[7]( ) Approve`, `[4][ ] Amlodipine
    5mg`); else the first field after the text `what` (a label: `Password [4]____`).
    """
    words = r"\s+".join(re.escape(w) for w in what.split())
    body = _body(page)
    for pattern in (
        rf"\[(\d+)\]{words}",
        rf"\(\[(\d+)\][^)\]]*\)\s+{words}",  # a <button>: ([9]BUTTON), or its value when named: ([9]clear)
        rf"\[(\d+)\](?:\([ *]\)|\[[ X]\])\s*{words}",
    ):
        numbers = {int(n) for n in re.findall(pattern, body)}
        if len(numbers) > 1:
            # The first of two "Mark arrived" buttons may be another patient's: the test must name the one it means.
            raise AssertionError(f"{what!r} names {len(numbers)} things on this page; say which:\n{page}")
        if numbers:
            return numbers.pop()
    found = re.search(rf"{words}.*?\[(\d+)\]", body, re.S)
    if found:
        return int(found.group(1))
    raise AssertionError(f"nothing called {what!r} on this page:\n{page}")


def _body(page: str) -> str:
    return page.split("\nReferences\n", 1)[0]


class LynxError(AssertionError):
    pass


class Lynx:
    """One lynx process in a private folder. Use as a context manager; every call waits for lynx to keep up."""

    def __init__(self, base_url: str, folder: Path, start: str = "/", timeout: float = 15):
        self.base_url = base_url
        self.start = start
        self.folder = folder
        self.timeout = timeout
        self.page_file = folder / "page.txt"
        self.transcript = folder / "keys.txt"
        self.process: subprocess.Popen | None = None
        self._pipe = None
        self._page = ""

    def __enter__(self) -> "Lynx":
        self.folder.mkdir(parents=True, exist_ok=True)
        home = self.folder / "home"
        home.mkdir(exist_ok=True)
        config = self.folder / "lynx.cfg"
        config.write_text(
            "INCLUDE:/etc/lynx/lynx.cfg\n"
            # -number_fields only shows the numbers: the keypad mode makes typed digits reach them.
            "DEFAULT_KEYPAD_MODE:LINKS_AND_FIELDS_ARE_NUMBERED\n"
            f"PRINTER:{PRINTER}:cat %s > {self.page_file}.part && mv {self.page_file}.part {self.page_file}:FALSE\n"
        )
        script = self.folder / "keys.fifo"
        os.mkfifo(script)
        self.transcript.write_text("")
        cookies = self.folder / "cookies.txt"
        self.process = subprocess.Popen(
            [
                LYNX,
                f"-cfg={config}",
                "-nopause",
                "-accept_all_cookies",
                f"-cookie_file={cookies}",
                f"-cookie_save_file={cookies}",
                "-number_fields",
                "-tna",
                f"-cmd_script={script}",
                self.base_url + self.start,
            ],
            stdin=subprocess.DEVNULL,
            stdout=(self.folder / "screen.out").open("wb"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "HOME": str(home), "TERM": "vt100", "LYNX_CFG": str(config)},
        )
        # Opening a pipe for writing waits for its reader: lynx opens it as it starts.
        self._pipe = self._open_pipe(script)
        return self

    def _open_pipe(self, script: Path):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                fd = os.open(script, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.02)
                continue
            os.set_blocking(fd, True)
            return open(fd, "w", buffering=1)  # noqa: SIM115 - closed in __exit__
        raise LynxError(f"lynx did not start (exit {self.process.poll()})")

    def __exit__(self, *exc) -> None:
        try:
            self.send("key Q")
            self._pipe.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    # Keystrokes -----------------------------------------------------------------------------------------------------

    def send(self, *lines: str) -> None:
        if self.process.poll() is not None:
            raise LynxError(f"lynx has exited ({self.process.returncode}); last page:\n{self._page}")
        with self.transcript.open("a") as log:
            log.write("".join(f"{line}\n" for line in lines))
        self._pipe.write("".join(f"{line}\n" for line in lines))
        self._pipe.flush()

    def go(self, path: str) -> str:
        """Open `path` on the server with lynx's goto (g), and return the page."""
        self.send("key g", "key ^U", *keys(self.base_url + path), "key ^J")
        return self.text()

    def text(self) -> str:
        """The current page as lynx renders it, numbers and references included."""
        self.page_file.unlink(missing_ok=True)
        self.send("key p", "key /", *keys(PRINTER), "key ^J", "key ^J")
        deadline = time.monotonic() + self.timeout
        while not self.page_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise LynxError(f"lynx printed nothing (exit {self.process.poll()}); keys in {self.transcript}")
            time.sleep(0.02)
        self._page = self.page_file.read_text()
        return self._page

    def move_to(self, what: str) -> None:
        """Put lynx's cursor on the link or field called `what` on the current page."""
        self.send(*keys(str(number_of(self._page or self.text(), what))), "key g", "key ^J")

    def follow(self, link: str) -> str:
        """Follow the link whose text starts with `link`, and return the page it opens."""
        self.move_to(link)
        self.send("key ^J")
        return self.text()

    def fill(self, label: str, value: str) -> None:
        """Type `value` into the empty text field labelled `label`."""
        self.move_to(label)
        self.send("key ^J", *keys(value), "key ^J")

    def choose(self, label: str) -> None:
        """Tick the radio button or check box labelled `label`."""
        self.move_to(label)
        self.send("key ^J")

    def press(self, button: str) -> str:
        """Press the button labelled `button` (submitting its form), and return the page that answers."""
        self.move_to(button)
        self.send("key ^J")
        return self.text()


def sign_in_staff(lynx: Lynx, staff) -> str:
    """Sign `staff` (made with builders.make_staff, so with builders.PASSWORD) in at /staff/sign-in; return the page."""
    lynx.go("/staff/sign-in")
    lynx.fill("Email address", staff.email)
    lynx.fill("Password", builders.PASSWORD)
    page = lynx.press("Sign in")
    if "Hello, " not in page:
        raise LynxError(f"staff sign-in did not reach the dashboard:\n{page}")
    return page


def sign_in_patient(lynx: Lynx, account) -> str:
    """Sign a registered online account (builders.make_registered_account) in at /sign-in; return the home page."""
    lynx.go("/sign-in")
    lynx.fill("Account ID", account.account_id)
    lynx.fill("Password", builders.PASSWORD)
    page = lynx.press("Sign in")
    if f"Hello, {account.given_name}" not in page:
        raise LynxError(f"patient sign-in did not reach the home page:\n{page}")
    return page
