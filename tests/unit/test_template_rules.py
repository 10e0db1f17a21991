"""Rules every template keeps, read from the files themselves."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "kiosk" / "templates"


def test_templates_format_dates_only_through_filters():
    """One place decides how a date reads (kiosk/filters.py), so the London day and, later, the language are right."""
    offenders = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if ".strftime(" in p.read_text()]
    assert offenders == []


def test_templates_run_no_queries():
    """Templates receive lists and dataclasses: a query method called in a template is a query per row."""
    query = re.compile(r"\.(select|count|where|get_or_none|exists)\(")
    offenders = [str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if query.search(p.read_text())]
    assert offenders == []
