"""Practice settings a manager changes: the practice's details, check-in, booking, repeat ordering, letters, proxies
and sign-out times.

The settings are Practice columns, read from the database on every request that needs them (no copy is kept in a
worker), so a change applies at once everywhere. Every change is audited, one row per field changed, with the old
and the new value; who and when are the row's own. The bounds below are checked again here, whatever the form did.
"""

from dataclasses import dataclass
from datetime import date

from kiosk.actor import Actor
from kiosk.clock import local_today
from kiosk.db import database
from kiosk.models import Letter, Practice
from kiosk.services import DomainError
from kiosk.services.audit import append


@dataclass(frozen=True)
class Setting:
    name: str  # the Practice column
    label: str
    hint: str  # what it changes, shown under the field
    minimum: int | None = None  # whole numbers only; None for text and dates
    maximum: int | None = None
    unit: str = ""
    max_length: int | None = None  # text only
    out_of_range: str = ""

    @property
    def bounds_message(self) -> str:
        return (
            self.out_of_range or f"{self.label} must be between {self.minimum} and {self.maximum} {self.unit}".strip()
        )

    def shown(self, value) -> str:
        if isinstance(value, date):
            return value.strftime("%-d %B %Y")
        if self.unit:
            return f"{value} {self.unit}"
        return str(value) if value not in (None, "") else "Not set"


@dataclass(frozen=True)
class Group:
    slug: str
    title: str
    summary: str
    settings: tuple[Setting, ...]


LETTERS_FROM = Setting(
    "letters_from",
    "Show letters received from",
    "Cleared letters received on or after this date can be read online; earlier ones never show. It cannot be in "
    "the future.",
)

GROUPS = (
    Group(
        "practice",
        "The practice",
        "Name, address and phone number, as patients see them",
        (
            Setting(
                "name",
                "Practice name",
                "Shown at the top of every page, on registration letters and on the kiosk.",
                max_length=120,
            ),
            Setting(
                "address",
                "Address",
                "Where appointments take place: shown on booking confirmations.",
                max_length=200,
            ),
            Setting(
                "phone",
                "Phone number",
                "Patients are told to phone this number when they cannot do something online.",
                max_length=30,
            ),
        ),
    ),
    Group(
        "check-in",
        "Kiosk check-in",
        "When patients can check in on the waiting-room kiosk, and how soon it clears",
        (
            Setting(
                "check_in_early_minutes",
                "How early patients can check in",
                "Minutes before the appointment time, from 0 to 240 (4 hours). Earlier than this, the kiosk sends "
                "the patient to reception.",
                0,
                240,
                "minutes",
            ),
            Setting(
                "check_in_late_minutes",
                "How late patients can check in",
                "Minutes after the appointment time, from 0 to 120 (2 hours). Later than this, the kiosk says "
                "“please see reception”.",
                0,
                120,
                "minutes",
            ),
            Setting(
                "kiosk_idle_seconds",
                "Kiosk goes back to the start after",
                "Seconds without a touch during check-in, from 15 to 600, before the kiosk forgets what was typed.",
                15,
                600,
                "seconds",
            ),
        ),
    ),
    Group(
        "booking",
        "Online booking",
        "How far ahead patients can book, how many bookings they can hold, and how late they can cancel",
        (
            Setting(
                "booking_horizon_days",
                "How far ahead patients can book",
                "Days ahead, from 1 to 180. Slots released online beyond this are not offered.",
                1,
                180,
                "days",
            ),
            Setting(
                "max_online_bookings",
                "Future appointments a patient can hold",
                "From 1 to 10. Once a patient holds this many booked online, they phone to book another.",
                1,
                10,
                "appointments",
            ),
            Setting(
                "cancel_cutoff_minutes",
                "Latest online cancellation",
                "Minutes before the appointment, from 0 to 2880 (2 days). After this patients phone to cancel, "
                "so the slot can still be offered to someone else.",
                0,
                2880,
                "minutes",
            ),
        ),
    ),
    Group(
        "repeat-ordering",
        "Repeat ordering",
        "How early a repeat medicine can be ordered",
        (
            Setting(
                "order_days_before_due",
                "Order repeat medicines from",
                "Days before an item is due, from 0 to 28. Until then it shows as not ready to order.",
                0,
                28,
                "days before due",
            ),
        ),
    ),
    Group(
        "letters",
        "Letters",
        "The date from which cleared letters can be read online",
        (LETTERS_FROM,),
    ),
    Group(
        "proxies",
        "Proxy access",
        "When parents’ proxy access to a child’s services ends",
        (
            Setting(
                "parental_proxy_end_age",
                "Parental proxy access ends at age",
                "From 11 to 16. Access given on the basis of parental responsibility is suspended on this birthday. "
                "The NHS standard ends it at 16 at the latest; a practice may choose an earlier age.",
                11,
                16,
                "",
                out_of_range="Parental proxy access must end at an age from 11 to 16: 16 at the latest",
            ),
        ),
    ),
    Group(
        "reminders",
        "Appointment reminders",
        "When the day-before reminder is sent to patients who chose texts or emails",
        (
            Setting(
                "reminder_hour",
                "Send reminders from",
                "The hour of the day before the appointment, from 8 to 20 (24-hour clock). Reminders are never sent "
                "for an appointment already cancelled.",
                8,
                20,
                "o’clock",
                out_of_range="Send reminders from an hour between 8 and 20",
            ),
        ),
    ),
    Group(
        "sign-out",
        "Sign-out",
        "How long someone can leave a page before they are signed out",
        (
            Setting(
                "patient_idle_minutes",
                "Patients on their own phone or computer",
                "Minutes without using the site, from 2 to 30. They are warned a minute before.",
                2,
                30,
                "minutes",
            ),
            Setting(
                "patient_kiosk_idle_seconds",
                "Patients signed in on the kiosk",
                "Seconds without a touch, from 30 to 600. The kiosk is shared: keep this short.",
                30,
                600,
                "seconds",
            ),
            Setting(
                "staff_idle_minutes",
                "Staff",
                "Minutes without using the site, from 5 to 120, before a member of staff is signed out.",
                5,
                120,
                "minutes",
            ),
        ),
    ),
)
GROUPS_BY_SLUG = {group.slug: group for group in GROUPS}
# The earliest letters-from date accepted: no GP letters online predate this, and a date earlier is a typo.
LETTERS_FROM_EARLIEST = date(1990, 1, 1)


@dataclass(frozen=True)
class Change:
    setting: Setting
    old: object
    new: object


@dataclass(frozen=True)
class LettersEffect:
    """Already-cleared letters that a new letters-from date would show or hide. A count for staff only."""

    old: date
    new: date
    appear: int
    disappear: int


def group(slug: str) -> Group:
    """The group, or KeyError for a slug that is not one (the route answers 404)."""
    return GROUPS_BY_SLUG[slug]


def practice_settings(practice_id: int) -> Practice:
    return Practice.get_by_id(practice_id)


def summary(practice_id: int) -> list[tuple[Group, list[tuple[Setting, str]]]]:
    """Every group with its settings' current values as shown, for the settings index."""
    practice = practice_settings(practice_id)
    return [(g, [(s, s.shown(getattr(practice, s.name))) for s in g.settings]) for g in GROUPS]


def problem(setting: Setting, value, today: date | None = None) -> str | None:
    """Why `value` cannot be saved for `setting`, or None. The forms show the same messages next to the field."""
    if setting is LETTERS_FROM:
        if not isinstance(value, date):
            return "Enter a real date"
        if value > (today or local_today()):
            return "The date letters show from cannot be in the future"
        if value < LETTERS_FROM_EARLIEST:
            return f"The date letters show from must be {LETTERS_FROM_EARLIEST.strftime('%-d %B %Y')} or later"
        return None
    if setting.max_length is not None:
        text = (value or "").strip() if isinstance(value, str) else None
        if text is None:
            return f"Enter the {setting.label.lower()}"
        if setting.name == "name" and not text:
            return "Enter the practice name"
        if len(text) > setting.max_length:
            return f"{setting.label} must be {setting.max_length} characters or fewer"
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        return f"Enter {setting.label.lower()} as a number"
    if not setting.minimum <= value <= setting.maximum:
        return setting.bounds_message
    return None


def letters_effect(practice_id: int, new: date) -> LettersEffect:
    """How many cleared letters patients would gain or lose if letters showed from `new`.

    Only cleared letters count: one awaiting review or withheld stays hidden whatever the date (R5).
    """
    old = practice_settings(practice_id).letters_from
    cleared = Letter.select().where((Letter.practice == practice_id) & (Letter.status == "cleared"))
    appear = cleared.where((Letter.received_on >= new) & (Letter.received_on < old)).count() if new < old else 0
    disappear = cleared.where((Letter.received_on >= old) & (Letter.received_on < new)).count() if new > old else 0
    return LettersEffect(old, new, appear, disappear)


def save(actor: Actor, practice_id: int, slug: str, values: dict) -> list[Change]:
    """Save one group's values; audit each field that changed (old → new). DomainError names the field at fault."""
    settings = group(slug).settings
    for setting in settings:
        if setting.name not in values:
            raise DomainError(f"Enter {setting.label.lower()}", field=setting.name)
        if found := problem(setting, values[setting.name]):
            raise DomainError(found, field=setting.name)
    with database.atomic():
        practice = Practice.get_by_id(practice_id)
        changes = []
        for setting in settings:
            new = values[setting.name].strip() if setting.max_length is not None else values[setting.name]
            old = getattr(practice, setting.name)
            if new != old:
                changes.append(Change(setting, old, new))
                setattr(practice, setting.name, new)
        if changes:
            practice.save(only=[getattr(Practice, c.setting.name) for c in changes])
        for change in changes:
            detail = f"{change.setting.name}: {_audited(change.old)} → {_audited(change.new)}"
            append(actor, "practice.setting_change", practice_id=practice_id, obj=practice, detail=detail)
    return changes


def _audited(value) -> str:
    return value.isoformat() if isinstance(value, date) else repr(value) if isinstance(value, str) else str(value)
