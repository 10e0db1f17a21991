"""The message catalogues: complete in every shipped language, their placeholders intact, and up to date with the code.

`make messages` re-extracts and updates them; these tests fail until every new message is translated.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kiosk.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "kiosk" / "translations"
SHIPPED = [language.code for language in LANGUAGES if language.code != "en"]
# The same keywords as `make messages`: gettext's own, Flask-Babel's lazy_gettext (imported as _l), and the markers
# services use for messages translated where they are shown (kiosk/translatable.py).
KEYWORDS = ["lazy_gettext", "_l", "N_", "Text"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def catalogue(path: Path):
    with path.open("rb") as f:
        return read_po(f)


def messages(cat) -> set[str]:
    return {m.id for m in cat if m.id}


@pytest.fixture(scope="module")
def template():
    return catalogue(TRANSLATIONS / "messages.pot")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    out = tmp_path_factory.mktemp("messages") / "messages.pot"
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    subprocess.run(
        [Path(sys.executable).parent / "pybabel", "-q", "extract", "-F", "babel.cfg", *keywords, "-o", out, "kiosk"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return catalogue(out)


def test_the_committed_messages_are_the_ones_the_code_uses(template, extracted):
    """Fails when a message was added, changed or removed without `make messages`."""
    added, removed = messages(extracted) - messages(template), messages(template) - messages(extracted)
    assert (sorted(added), sorted(removed)) == ([], [])


def test_there_is_something_to_translate(template):
    assert {"What is the first letter of your surname?", "Your number is %(number)s"} <= messages(template)


@pytest.mark.parametrize("code", SHIPPED)
def test_every_message_is_translated_in_every_shipped_language(template, code):
    cat = catalogue(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    untranslated = sorted(
        message_id
        for message_id in messages(template)
        if (m := cat.get(message_id)) is None or not m.string or m.fuzzy or not str(m.string).strip()
    )
    assert untranslated == []


@pytest.mark.parametrize("code", SHIPPED)
def test_translations_keep_the_placeholders_of_their_message(template, code):
    cat = catalogue(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    wrong = [
        (m.id, m.string)
        for m in cat
        if m.id and m.string and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))
    ]
    assert wrong == []


@pytest.mark.parametrize("code", SHIPPED)
def test_the_catalogue_header_names_its_language_and_plural_rule(code):
    cat = catalogue(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po")
    assert (str(cat.locale), cat.plural_expr != "") == (code, True)


@pytest.mark.parametrize("code", SHIPPED)
def test_the_compiled_catalogue_is_the_committed_one(code):
    """`make setup` and `make assets` compile the .po files; a stale .mo would show yesterday's words."""
    mo = TRANSLATIONS / code / "LC_MESSAGES" / "messages.mo"
    assert mo.exists(), "run `make assets` to compile the translations"
    with mo.open("rb") as f:
        compiled = {m.id: m.string for m in read_mo(f) if m.id}
    source = {m.id: m.string for m in catalogue(mo.with_suffix(".po")) if m.id and m.string and not m.fuzzy}
    assert compiled == source


def test_no_compiled_catalogue_is_committed():
    tracked = subprocess.run(
        ["git", "ls-files", "kiosk/translations"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    assert [path for path in tracked if path.endswith(".mo")] == []
