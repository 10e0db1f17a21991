"""The base of every form: text the database could not store, or that arrived garbled, is a field error."""

import re

from flask_babel import gettext
from flask_wtf import FlaskForm

from kiosk.translatable import N_

# NUL cannot be stored in PostgreSQL text at all, and the other C0 controls (bar tab, newline and carriage return)
# are never typed by a person: they come from a script or a broken copy and paste. U+FFFD is what the request parser
# puts where the bytes were not UTF-8.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_GARBLED = "\ufffd"
# Lone surrogates cannot be encoded as UTF-8 by any database driver.
_SURROGATE = re.compile("[\ud800-\udfff]")


_NOT_ALLOWED = N_("%(field)s contains a character that is not allowed. Remove it and try again")
_UNREADABLE = N_("%(field)s contains a character that could not be read. Type it again")


def text_problem(value: str) -> str | None:
    """Why a piece of typed text cannot be kept (a message with the field's name to fill in), or None when it can."""
    if _UNSTORABLE.search(value) or _SURROGATE.search(value):
        return _NOT_ALLOWED
    if _GARBLED in value:
        return _UNREADABLE
    return None


class KioskForm(FlaskForm):
    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            problem = next(
                (text_problem(v) for v in (field.raw_data or []) if isinstance(v, str) and text_problem(v)), None
            )
            if problem:
                field.errors = [gettext(problem, field=field.label.text), *field.errors]
                valid = False
        return valid


def translated(message) -> str:
    """A service's message (plain, or a Text with its values) in the page's language."""
    return gettext(getattr(message, "template", message), **getattr(message, "params", {}))


def attach_error(form, error) -> None:
    """A service's refusal (a DomainError) shown where it belongs: next to the field it names, when the form has that
    field, else at the top of the form. Never a 500 for a refusal that names no field."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors.append(translated(error.message))
    else:
        form.form_errors.append(translated(error.message))
