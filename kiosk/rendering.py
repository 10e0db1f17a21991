"""The one place that decides between a whole page and an htmx fragment, and the only reader of HX-* headers."""

from urllib.parse import urlsplit

from flask import make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def _hx(header: str) -> bool:
    return request.headers.get(header) == "true"


def wants_fragment() -> bool:
    """An htmx request that is not a boosted navigation wants only the block it swaps."""
    return _hx("HX-Request") and not _hx("HX-Boosted") and not _hx("HX-History-Restore-Request")


def from_htmx() -> bool:
    """The request came from htmx (a boosted link or form, or a partial swap): JavaScript is running."""
    return _hx("HX-Request")


def page_path() -> str:
    """The page this request is for. A partial swap answers for the page around it, not for the fragment's own URL
    (after signing in again, reception wants the arrivals page, not its bare list)."""
    if wants_fragment() and request.headers.get("HX-Current-URL"):
        where = urlsplit(request.headers["HX-Current-URL"])
        if where.netloc == request.host:
            return where.path + (f"?{where.query}" if where.query else "")
    return request.full_path.rstrip("?")


def redirect_page(location: str, code: int = 302):
    """Send the whole window to `location`. An XMLHttpRequest follows a plain redirect by itself and htmx would swap
    the page it lands on into the fragment that asked (a sign-in page inside the arrivals list), so an htmx request
    gets HX-Redirect instead: a full navigation."""
    if from_htmx():
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
    else:
        response = redirect(location, code)
    response.vary.add("HX-Request")
    return response


def render(template: str, *, block: str | None = None, status: int = 200, **context):
    """Render the page, or only `block` of it for an htmx swap. The same URL serves both, so responses vary."""
    if block and wants_fragment():
        body = render_block(template, block, **context)
    else:
        body = render_template(template, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def render_form_errors(template: str, form, **context):
    """A form that failed validation: the same page, an error summary, and a title that starts 'Error: '."""
    return render(template, form=form, has_errors=True, **context)
