"""Static assets: content-hashed names, served pre-compressed and cacheable for a year; nothing else is served."""

import gzip
import hashlib
import re

import brotli
import pytest
from flask.testing import FlaskClient

from kiosk.assets import DIST, NODE, STATIC, compile_scss
from kiosk.config import ROOT
from tests.pages import check_html

# Assets are files on disk, not rows: one backend is enough.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

YEAR = 31536000


def plain_client(app) -> FlaskClient:
    return FlaskClient(app, app.response_class)


def assets(app) -> list[str]:
    return sorted(app.config["ASSET_MANIFEST"].values())


def test_there_is_one_stylesheet_and_one_script_to_serve(app):
    assert {"app.css", "app.js"} <= set(app.config["ASSET_MANIFEST"])
    assert [n for n in app.config["ASSET_MANIFEST"] if n.endswith((".css", ".js"))] == ["app.css", "app.js"]


def test_the_script_is_htmx_from_npm_then_ours(app):
    # One request instead of two on a first visit; htmx is read from node_modules at build time, never committed.
    script = (DIST / app.config["ASSET_MANIFEST"]["app.js"]).read_bytes()
    htmx = (NODE / "htmx.org" / "dist" / "htmx.min.js").read_bytes().rstrip()
    ours = (STATIC / "src" / "app.js").read_bytes()
    assert (script.startswith(htmx + b";\n"), script.endswith(ours), len(script)) == (
        True,
        True,
        len(htmx) + 2 + len(ours),
    )


def test_the_icon_is_inline_and_costs_no_request(client):
    tree = check_html(client.get("/staff/sign-in").get_data(as_text=True))
    assert [n.attributes["href"][:19] for n in tree.css("link[rel=icon]")] == ["data:image/svg+xml,"]


def test_every_asset_name_carries_the_hash_of_its_content(app):
    wrong = [n for n in assets(app) if hashlib.sha256((DIST / n).read_bytes()).hexdigest()[:12] not in n]
    assert wrong == []


@pytest.mark.parametrize(("encoding", "decompress"), [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_assets_are_served_compressed_when_accepted(app, encoding, decompress):
    client = plain_client(app)
    for name in assets(app):
        response = client.get(f"/assets/{name}", headers={"Accept-Encoding": encoding})
        assert (response.headers["Content-Encoding"], decompress(response.get_data())) == (
            encoding,
            (DIST / name).read_bytes(),
        ), name


def test_assets_are_served_plain_when_compression_is_not_accepted(app):
    client = plain_client(app)
    for name in assets(app):
        response = client.get(f"/assets/{name}")
        assert ("Content-Encoding" in response.headers, response.get_data()) == (False, (DIST / name).read_bytes())


def test_assets_are_cached_for_a_year_and_never_revalidated(app):
    client = plain_client(app)
    for name in assets(app):
        cache = client.get(f"/assets/{name}", headers={"Accept-Encoding": "br"}).cache_control
        assert (cache.max_age, cache.immutable, cache.public) == (YEAR, True, True), name


def test_assets_vary_on_accept_encoding(app):
    response = plain_client(app).get(f"/assets/{assets(app)[0]}", headers={"Accept-Encoding": "gzip"})
    assert "Accept-Encoding" in response.headers["Vary"]


@pytest.mark.parametrize(("name", "mimetype"), [("app.css", "text/css"), ("app.js", "text/javascript")])
def test_assets_have_the_right_type(app, name, mimetype):
    response = plain_client(app).get(f"/assets/{app.config['ASSET_MANIFEST'][name]}")
    assert response.mimetype == mimetype


@pytest.mark.parametrize(
    "url",
    [
        "/assets/app.000000000000.css",
        "/assets/manifest.json",
        "/assets/app.css",
        "/static/src/app.js",
        "/static/dist/manifest.json",
    ],
)
def test_anything_else_under_assets_or_static_is_not_found(client, url):
    assert client.get(url).status_code == 404


def test_pages_link_only_assets_that_exist(app, client):
    tree = check_html(client.get("/staff/sign-in").get_data(as_text=True))
    urls = [n.attributes["href"] for n in tree.css("link[rel=stylesheet]")] + [
        n.attributes["src"] for n in tree.css("script[src]")
    ]
    statuses = {u: plain_client(app).get(u).status_code for u in urls}
    assert (len(urls), set(statuses.values())) == (2, {200})


def test_the_script_is_deferred_after_the_stylesheet(client):
    # Deferred, it never holds up the first paint; after the stylesheet, it never goes ahead of it.
    tree = check_html(client.get("/staff/sign-in").get_data(as_text=True))
    head = [n.tag for n in tree.css("head link[rel=stylesheet], head script")]
    assert (head, ["defer" in n.attributes for n in tree.css("script")]) == (["link", "script"], [True])


def test_pages_use_no_other_origin(client):
    tree = check_html(client.get("/staff/sign-in").get_data(as_text=True))
    urls = [n.attributes.get("href") or n.attributes.get("src") for n in tree.css("link:not([rel=icon]), script")]
    assert [u for u in urls if not u.startswith("/")] == []


def test_stylesheet_is_within_the_20_kb_compressed_budget(app):
    css = (DIST / app.config["ASSET_MANIFEST"]["app.css"]).read_bytes()
    assert len(gzip.compress(css, 9)) <= 20 * 1024


def test_stylesheet_loads_no_web_fonts(app):
    css = (DIST / app.config["ASSET_MANIFEST"]["app.css"]).read_text()
    assert "@font-face" not in css
    assert "Frutiger" not in css


@pytest.fixture(scope="module")
def unpurged_css() -> str:
    return compile_scss()


def template_classes() -> set[str]:
    """Every class name written literally in a template's class attribute (Jinja expressions left out)."""
    names = set()
    for path in (ROOT / "kiosk" / "templates").rglob("*.html"):
        for value in re.findall(r'class="([^"]*)"', path.read_text()):
            names.update(re.sub(r"\{[{%].*?[}%]\}", " ", value).split())
    return names


def selectors(css: str) -> set[str]:
    return {sel.strip() for group in re.findall(r"(?:^|[{}])([^@{}][^{}]*)\{", css) for sel in group.split(",")}


def test_stylesheet_keeps_every_selector_whose_classes_a_template_uses(app, unpurged_css):
    built = selectors((DIST / app.config["ASSET_MANIFEST"]["app.css"]).read_text())
    used = template_classes()
    # Selectors that also test the class attribute's text ([class^=nhsuk-caption]) need classes no template has.
    candidates = {s for s in selectors(unpurged_css) if "[class" not in s}
    wanted = {s for s in candidates if (names := set(re.findall(r"\.([\w-]+)", s))) and names <= used}
    assert (len(wanted) > 100, sorted(wanted - built)) == (True, [])


def test_stylesheet_leaves_out_what_no_page_uses(app, unpurged_css):
    # nhsuk-frontend's emergency care card and its link styles are compiled in, and no kiosk page shows them.
    built = (DIST / app.config["ASSET_MANIFEST"]["app.css"]).read_text()
    unused = [".nhsuk-card--care--emergency", ".nhsuk-link--reverse", ".nhsuk-grid-column-one-quarter"]
    assert ([u in unpurged_css for u in unused], [u in built for u in unused]) == ([True] * 3, [False] * 3)
    sizes = [len(brotli.compress(css.encode(), quality=11)) for css in (built, unpurged_css)]
    assert sizes[0] < sizes[1] / 2
