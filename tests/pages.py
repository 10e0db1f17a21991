"""Checks every HTML page gets, whichever test fetched it: so nobody has to remember them."""

import gzip
import re
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from selectolax.lexbor import LexborHTMLParser as HTMLParser

BUDGET_BYTES = 14 * 1024
TRANSLATIONS = Path(__file__).resolve().parents[1] / "kiosk" / "translations"


@cache
def error_prefixes() -> tuple[str, ...]:
    """'Error: ' and its translation in each shipped language: an error page's title starts with one of them."""
    prefixes = ["Error: "]
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            message = read_po(f).get("Error:")
        if message is not None and message.string:
            prefixes.append(f"{message.string} ")
    return tuple(prefixes)


class PageProblem(AssertionError):
    pass


def check_html(html: str, url: str = "") -> HTMLParser:
    tree = HTMLParser(html)
    where = f" on {url}" if url else ""
    title = tree.css_first("title")
    if title is None or not title.text().strip():
        raise PageProblem(f"no <title>{where}")
    if tree.css_first("h1") is None:
        raise PageProblem(f"no <h1>{where}")
    ids = [n.attributes["id"] for n in tree.css("[id]")]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise PageProblem(f"duplicate ids {sorted(duplicates)}{where}")
    _check_fields_and_forms(tree, where)
    _check_error_summary(tree, title.text(), set(ids), where)
    if re.search(r"<(script|style)(?![^>]*\bsrc=)[^>]*>\s*\S", html) or " style=" in html:
        raise PageProblem(f"inline script or style{where}")
    if len(gzip.compress(html.encode(), 9)) > BUDGET_BYTES:
        raise PageProblem(f"page is over {BUDGET_BYTES} bytes compressed{where}")
    return tree


def _check_fields_and_forms(tree, where: str) -> None:
    labelled = {n.attributes.get("for") for n in tree.css("label[for]")}
    for field in tree.css("input, select, textarea"):
        kind = field.attributes.get("type", "text")
        if kind in ("hidden", "submit", "button"):
            continue
        if field.attributes.get("id") not in labelled and not field.attributes.get("aria-label"):
            raise PageProblem(f"unlabelled field {field.attributes.get('name')!r}{where}")
    for form in tree.css("form"):
        if not form.attributes.get("action"):
            raise PageProblem(f"form without action{where}")
        if (form.attributes.get("method") or "get").lower() == "post":
            if not form.css_first("[name=csrf_token]"):
                raise PageProblem(f"POST form without a CSRF token ({form.attributes.get('action')}){where}")
            check_no_unchosen_radio_group(form, where)


def _check_error_summary(tree, title: str, ids: set[str], where: str) -> None:
    if tree.css_first(".nhsuk-error-summary") and not title.startswith(error_prefixes()):
        raise PageProblem(f"error summary shown but the title does not start 'Error: '{where}")
    for link in tree.css(".nhsuk-error-summary a[href]"):
        target = link.attributes["href"]
        # Each message links to the field it is about, so that following it puts the cursor there.
        if not target.startswith("#") or target[1:] not in ids:
            raise PageProblem(f"error summary links to {target!r}, which is not a field on the page{where}")


def check_no_unchosen_radio_group(form, where: str = "") -> None:
    """A POST form's radio group must start with an answer every browser shows: lynx, following HTML 2.0, submits the
    first button of a group with nothing checked. A choice with no safe default is an ExplicitChoiceField instead."""
    groups: dict[str, bool] = {}
    for radio in form.css("input[type=radio]"):
        name = radio.attributes.get("name")
        groups[name] = groups.get(name, False) or "checked" in radio.attributes
    unchosen = sorted(name for name, checked in groups.items() if not checked)
    if unchosen:
        raise PageProblem(f"radio group {unchosen} with nothing checked in {form.attributes.get('action')}{where}")


def csrf_token(html: str) -> str:
    node = HTMLParser(html).css_first("input[name=csrf_token]")
    assert node is not None, "no CSRF token on the page"
    return node.attributes["value"]
