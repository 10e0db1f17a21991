"""What every form shares: bounded numbers, and dates from three boxes or typed text.

Every number and date is bounded before Python or the database sees it: a year of 18446744073709551616 overflows
`date()`, and a number past 2**31 - 1 does not fit a PostgreSQL integer column. Either answers the person with a
message next to the field, never a 500.
"""

import re
from datetime import date, datetime

from flask_babel import gettext
from wtforms import IntegerField, SelectField
from wtforms.validators import Length, ValidationError

# PostgreSQL's integer column, and the largest id a URL or form may name (SQLite's and PostgreSQL's bigint).
INT_MAX = 2**31 - 1
ID_MAX = 2**63 - 1
# The dates people give us (births, letters, reviews, end dates) fall in this window; outside it a date is a typo,
# and far enough outside it Python's date arithmetic overflows.
YEAR_MIN, YEAR_MAX = 1900, 2200
DAY = {"minimum": 1, "maximum": 31}
MONTH = {"minimum": 1, "maximum": 12}
YEAR = {"minimum": YEAR_MIN, "maximum": YEAR_MAX}
ID = {"minimum": 1, "maximum": ID_MAX}
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,30}")


class NumberField(IntegerField):
    """A whole number typed as text, with our own messages when it is not one or is outside its bounds."""

    def __init__(
        self,
        label=None,
        validators=None,
        message="Enter a number",
        *,
        minimum: int = -INT_MAX,
        maximum: int = INT_MAX,
        out_of_range: str | None = None,
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.not_a_number = message
        self.minimum, self.maximum = minimum, maximum
        self.out_of_range = out_of_range or f"{self.label.text} must be between {minimum} and {maximum}"

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not isinstance(valuelist[0], str) or not valuelist[0].strip():
            return
        # ASCII digits only: int() would also take "1_000" and other scripts' digits, which nobody types here.
        text = valuelist[0].strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ValueError(self.not_a_number)
        value = int(text)
        if not self.minimum <= value <= self.maximum:
            raise ValueError(self.out_of_range)
        self.data = value


def three_box_date(day: int | None, month: int | None, year: int | None) -> date:
    """The date from day, month and year boxes; ValueError when it is not a real date inside YEAR_MIN..YEAR_MAX."""
    if day is None or month is None or year is None:
        raise ValueError("incomplete date")
    if not (1 <= day <= 31 and 1 <= month <= 12 and YEAR_MIN <= year <= YEAR_MAX):
        raise ValueError("date outside the window")
    return date(year, month, day)


def parse_date_text(text: str | None, patterns: tuple[str, ...] = ("%d/%m/%Y",)) -> date | None:
    """A typed date (DD/MM/YYYY unless told otherwise) inside YEAR_MIN..YEAR_MAX, or None."""
    text = (text or "").strip()
    if not text or len(text) > 20:
        return None
    for pattern in patterns:
        try:
            value = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return value if YEAR_MIN <= value.year <= YEAR_MAX else None
    return None


class ExplicitChoiceField(SelectField):
    """A choice with consequences that has no answer until a person picks one.

    lynx follows HTML 2.0: in a radio group with nothing checked it shows the first button as chosen and submits it,
    so a group without a default answers for whoever presses Save without choosing. A select whose first option is
    an empty "Choose" arrives as "" in every browser when nobody chose, and this field refuses that and any value
    that is not one of its choices.
    """

    def __init__(self, label=None, validators=None, *, choices=(), message, placeholder="Choose", **kwargs):
        self.placeholder = placeholder
        super().__init__(label, validators, **kwargs)
        self.offer(choices)
        self.required_message = message

    def offer(self, choices) -> None:
        """Set the choices (for those known only per request, such as a practice's clinicians)."""
        self.real_values = [value for value, _ in choices]
        self.choices = [("", self.placeholder), *choices]

    def pre_validate(self, form):
        if self.data not in self.real_values:
            raise ValidationError(self.required_message)


class MaxLength(Length):
    """A length limit that names the field in its message, as the NHS design system asks."""

    def __init__(self, maximum: int, message: str | None = None):
        super().__init__(max=maximum, message=message)

    def __call__(self, form, field):
        if len(field.data or "") > self.max:
            raise ValidationError(
                self.message
                or gettext(
                    "%(field)s must be %(maximum)s characters or fewer", field=field.label.text, maximum=self.max
                )
            )


class MaxWords:
    """At most `maximum` words: each word of a search is one more condition in the query."""

    def __init__(self, maximum: int, message: str):
        self.maximum, self.message = maximum, message

    def __call__(self, form, field):
        if field.data and len(field.data.split()) > self.maximum:
            raise ValidationError(self.message)


# What a letter's attachment may be, told by its first bytes: the name and the browser's content type are the
# sender's say-so, and a file named letter.pdf can be anything.
ATTACHMENT_SIGNATURES = {b"%PDF-": "application/pdf", b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
ATTACHMENT_EXTENSIONS = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
FILENAME_MAX = 200  # LetterAttachment.filename


def attachment_type(upload) -> str | None:
    """The content type an upload's first bytes show, or None when it is not a PDF, PNG or JPEG."""
    head = upload.stream.read(8)
    upload.stream.seek(0)
    return next((kind for magic, kind in ATTACHMENT_SIGNATURES.items() if head.startswith(magic)), None)


def attachment_name(filename: str | None, content_type: str) -> str:
    """A name safe to keep and to offer back as a download: no folders or control characters, and short enough."""
    name = re.sub(r"[\x00-\x1f\x7f\ud800-\udfff]", "", (filename or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    extension = ATTACHMENT_EXTENSIONS[content_type]
    stem = name[: -len(extension)] if name.lower().endswith(extension) else name.rsplit(".", 1)[0]
    return (stem or "attachment")[: FILENAME_MAX - len(extension)] + extension


class AttachmentContent:
    """Refuses an upload whose content is not a PDF, PNG or JPEG, whatever its name says."""

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.data and attachment_type(field.data) is None:
            raise ValidationError(self.message)
