"""Requests no page could have sent are refused before any view or form reads them.

Forms here are HTML forms. Flask-WTF would read a JSON body as form data (so lists and numbers reach fields that
expect text), and a file part arrives wherever a field of that name is read. Only the upload routes take files, and
only in the fields they name. Ids in URLs are bounded, so an id no row can have is a plain 404.
"""

import re
from urllib.parse import unquote, urlsplit

from flask import current_app, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from kiosk.forms.fields import ID_MAX
from kiosk.rendering import render

FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
SUBMIT_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class IdConverter(IntegerConverter):
    """`<int:...>` for ids: 1 to 2**63 - 1. Past that SQLite cannot even bind the number, so it is a 404 here."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=ID_MAX, signed=False):  # noqa: A002 - Werkzeug's names
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def accepts_uploads(*names: str, max_bytes: int | None = None):
    """Marks a view whose form has file fields `names`: the only file parts it may be sent. `max_bytes` raises
    the request size limit for this view alone (a GP Connect bundle may be 20 MB; everything else stays small)."""

    def decorator(view):
        view.upload_fields = frozenset(names)
        view.max_upload = max_bytes
        return view

    return decorator


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode()
    except UnicodeDecodeError:
        return False
    return True


def _refuse(message: str, status: int):
    return render("errors/unreadable.html", status=status, message=message)


def refuse_unreadable_requests():
    """Before every request: a body that is not an HTML form, a file where none belongs, or an address with
    control characters in its query gets a 4xx page, and nothing runs."""
    if any(_CONTROL.search(key) or _CONTROL.search(value) for key, value in request.args.items(multi=True)):
        return _refuse("The address of this page has characters in it that it cannot have.", 400)
    if request.method not in SUBMIT_METHODS:
        return None
    limit = getattr(current_app.view_functions.get(request.endpoint), "max_upload", None)
    if limit:
        request.max_content_length = limit
    has_body = bool(request.content_length) or request.headers.get("Transfer-Encoding", "").lower() == "chunked"
    if has_body and request.mimetype not in FORM_TYPES:
        return _refuse("This page takes only what its form sends. Go back and send the form again.", 415)
    if request.mimetype == "application/x-www-form-urlencoded" and not _is_utf8(request.get_data(cache=True)):
        # Werkzeug would drop the whole form, and the page would blame a stale CSRF token.
        return _refuse("The form sent characters that could not be read. Go back and type them again.", 400)
    if request.mimetype == "multipart/form-data" and request.files:
        view = current_app.view_functions.get(request.endpoint)
        allowed = getattr(view, "upload_fields", frozenset())
        if set(request.files) - allowed:
            return _refuse("A file was sent where this form asks for text. Go back and send the form again.", 400)
    return None


# Printable ASCII only, no backslash: browsers drop tabs and newlines from a Location and read "\" as "/", so
# "/\t/evil.example" or "/\\evil.example" would leave the site.
_PLAIN_PATH = re.compile(r"/[!-\[\]-~]*")


def same_site_path(target: str | None, default: str) -> str:
    """`target` when it is the address of one of this site's pages, else `default`: never an open redirect."""
    if not target or len(target) > 2000 or not _PLAIN_PATH.fullmatch(target) or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    try:
        current_app.url_map.bind("localhost").match(unquote(parts.path), method="GET")
    except HTTPException:  # not a page here, not one to GET, or one that only redirects elsewhere
        return default
    return target
