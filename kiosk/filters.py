"""Dates and times as pages show them: in Europe/London, and in the page's language (staff pages are English).

English keeps the NHS style (Tuesday 1 December 2026); other languages take their own order and month names from
Babel's CLDR data. Digits stay Western Arabic in every language, as on letters, appointment cards and the calling
display.
"""

from datetime import datetime

from babel.dates import format_date
from flask_babel import get_locale

from kiosk.clock import to_local


def _locale():
    """The page's Babel locale, or None for English (and outside a request)."""
    locale = get_locale()
    return None if locale is None or locale.language == "en" else locale


def local_time(value, seconds=False):
    return to_local(value).strftime("%H:%M:%S" if seconds else "%H:%M")


def local_datetime(value):
    return f"{short_date(value)} {local_time(value)}"


def waited(delta):
    """A time waited, as a person would say it: 3 hours, 2 days."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def slot_time(value):
    """A London time; in the hour that happens twice in October, with BST or GMT so the two can be told apart."""
    local = to_local(value)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return local.strftime("%H:%M %Z")
    return local.strftime("%H:%M")


def _day(value):
    """A date, or the London day of a UTC datetime."""
    return to_local(value).date() if isinstance(value, datetime) else value


def long_date(value):
    """Tuesday 1 December 2026."""
    locale = _locale()
    if locale:
        return format_date(_day(value), "full", locale=locale)
    return _day(value).strftime("%A %-d %B %Y")


def day_month_year(value):
    """1 December 2026."""
    locale = _locale()
    if locale:
        return format_date(_day(value), "long", locale=locale)
    return _day(value).strftime("%-d %B %Y")


def short_date(value):
    """1 Dec 2026: in tables and lists."""
    locale = _locale()
    if locale:
        return format_date(_day(value), "medium", locale=locale)
    return _day(value).strftime("%-d %b %Y")


def day_month(value):
    """1 December."""
    locale = _locale()
    if locale:
        return format_date(_day(value), "d MMMM", locale=locale)
    return _day(value).strftime("%-d %B")


def iso_day(value):
    """2026-12-01: the London day, as the diary's links and date boxes take it."""
    return _day(value).isoformat()


def register(app):
    app.add_template_filter(iso_day)
    app.add_template_filter(slot_time)
    app.add_template_filter(long_date)
    app.add_template_filter(day_month_year)
    app.add_template_filter(short_date)
    app.add_template_filter(day_month)
    app.add_template_filter(local_time)
    app.add_template_filter(local_datetime)
    app.add_template_filter(waited)
