"""Front-end assets: built at set-up from npm packages and our SCSS, named by content hash, served pre-compressed.

`python -m kiosk.assets` builds kiosk/static/dist/. Nothing third-party is committed: htmx and nhsuk-frontend come
from node_modules.
"""

import gzip
import hashlib
import json
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

import brotli
from flask import Blueprint, abort, current_app, request, send_file, url_for

from kiosk.access import public
from kiosk.config import ROOT

STATIC = ROOT / "kiosk" / "static"
DIST = STATIC / "dist"
NODE = ROOT / "node_modules"
YEAR = 365 * 24 * 3600
TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml"}

bp = Blueprint("assets", __name__)


def compile_scss() -> str:
    return subprocess.run(  # noqa: S603 - fixed arguments, no user input
        [
            str(NODE / ".bin" / "sass"),
            f"--load-path={NODE}",
            "--style=compressed",
            "--no-source-map",
            "--quiet-deps",
            "--silence-deprecation=import",
            str(STATIC / "src" / "app.scss"),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def build() -> dict[str, str]:
    DIST.mkdir(parents=True, exist_ok=True)
    css = used_css(compile_scss()).encode()
    htmx = (NODE / "htmx.org" / "dist" / "htmx.min.js").read_bytes()
    sources = {
        "app.css": css,
        # One script, one request on a first visit: htmx, then our enhancements, in the order two deferred tags ran.
        # The semicolon and newline keep our opening parenthesis from calling whatever htmx's last expression is.
        "app.js": htmx.rstrip() + b";\n" + (STATIC / "src" / "app.js").read_bytes(),
        "icon.svg": (STATIC / "src" / "icon.svg").read_bytes(),
    }
    manifest = {}
    for name, content in sources.items():
        stem, ext = name.rsplit(".", 1)
        hashed = f"{stem}.{hashlib.sha256(content).hexdigest()[:12]}.{ext}"
        (DIST / hashed).write_bytes(content)
        (DIST / f"{hashed}.gz").write_bytes(gzip.compress(content, 9, mtime=0))
        (DIST / f"{hashed}.br").write_bytes(brotli.compress(content, quality=11))
        manifest[name] = hashed
    (DIST / "manifest.json").write_text(json.dumps(manifest, indent=2))
    # Earlier builds stay: a server started before this build still serves the names in its own manifest.
    return manifest


def used_css(compiled: str) -> str:
    """Only the selectors our templates, scripts and Python can produce (purgecss.config.cjs says where it looks):
    the stylesheet is paid for before every first paint, and nhsuk-frontend brings far more than kiosk shows."""
    with tempfile.NamedTemporaryFile("w", suffix=".css", encoding="utf-8") as source:
        source.write(compiled)
        source.flush()
        out = subprocess.run(  # noqa: S603 - fixed arguments, no user input
            [str(NODE / ".bin" / "purgecss"), "--config", str(ROOT / "purgecss.config.cjs"), "--css", source.name],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
    return json.loads(out)[0]["css"]


def load_manifest() -> dict[str, str]:
    path = DIST / "manifest.json"
    if not path.exists():
        raise RuntimeError("Assets are not built: run `make assets` (make run and make test do it for you)")
    return json.loads(path.read_text())


def asset_url(name: str) -> str:
    return url_for("assets.serve", filename=current_app.config["ASSET_MANIFEST"][name])


def inline_icon(manifest: dict[str, str]) -> str:
    """The icon as a data: URL in the page itself: a separate file would cost every first visit a request (and a
    page without an icon link makes browsers ask for /favicon.ico instead). Under 300 bytes, before compression."""
    return "data:image/svg+xml," + quote((DIST / manifest["icon.svg"]).read_text().strip(), safe=":/=")


def icon_url() -> str:
    return current_app.config["ASSET_ICON"]


@bp.get("/assets/<filename>")
@public
def serve(filename: str):
    if filename not in current_app.config["ASSET_FILES"]:
        abort(404)
    path: Path = DIST / filename
    accepted = request.accept_encodings
    encoding = "br" if accepted["br"] else "gzip" if accepted["gzip"] else None
    if encoding:
        path = DIST / f"{filename}.{'br' if encoding == 'br' else 'gz'}"
    response = send_file(path, mimetype=TYPES[Path(filename).suffix], max_age=YEAR, conditional=True, etag=True)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.vary.add("Accept-Encoding")
    # The name changes whenever the content does, so browsers never need to ask again.
    response.cache_control.immutable = True
    response.cache_control.public = True
    return response


if __name__ == "__main__":
    for source, hashed in build().items():
        print(f"{source} -> {hashed}")
