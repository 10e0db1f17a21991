"""Text messages and emails through GOV.UK Notify, from a transactional outbox.

enqueue_for() is called inside the transaction of the change it tells of (a booking, a cancellation, a prescription
decision, a letter cleared), so the outbox row commits or rolls back with it. It applies each person's choices (none
until they choose), a proxy's scope, and discreet wording: a message says that something happened or is ready, never
the medicine, the reason, the letter's subject or the kind of appointment. Texts are read by whoever holds the phone.

The worker (kiosk/services/notify_worker.py) claims rows, sends them and records what Notify said.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import IntegrityError, fn

from kiosk.actor import Actor
from kiosk.clock import local_day_bounds, to_local, utcnow
from kiosk.db import database
from kiosk.models import (
    RECORD_ORDER,
    Appointment,
    ContactPreference,
    Notification,
    OnlineAccount,
    Patient,
    Practice,
    ProxyLink,
    Slot,
)
from kiosk.models.people import email_is_valid
from kiosk.passwords import verify_password
from kiosk.services import DomainError
from kiosk.services.audit import append

# The wording, as the practice creates it in Notify (README: "Text and email notifications"). The worker's log
# sender renders these copies; Notify renders its own from the same personalisation. ((name)) is Notify's syntax.
TEMPLATES = {
    "appointment_booked": (
        "appointments",
        "((practice)): ((whose)) appointment on ((when)) is booked. To cancel, sign in or phone ((phone)).",
    ),
    "appointment_cancelled": (
        "appointments",
        "((practice)): ((whose)) appointment on ((when)) has been cancelled. To book another, sign in or phone "
        "((phone)).",
    ),
    "appointment_reminder": (
        "appointments",
        "((practice)): a reminder of ((whose)) appointment tomorrow, ((when)). To cancel, sign in or phone ((phone)).",
    ),
    "prescription_decided": (
        "prescriptions",
        "((practice)): ((whose)) repeat prescription request has been decided. Sign in to see it, or phone ((phone)).",
    ),
    "prescription_ready": (
        "prescriptions",
        "((practice)): ((whose)) prescription is ready to collect from the practice.",
    ),
    "prescription_sent": (
        "prescriptions",
        "((practice)): ((whose)) prescription has been sent to the pharmacy.",
    ),
    "new_to_read": (
        "letters",
        "((practice)): something new is ready to read in ((whose)) online account.",
    ),
}
EMAIL_SUBJECT = "A message from ((practice))"
PERSONALISATION = {
    "practice": "the practice's name",
    "whose": "“your”, or a proxy's “Sophie’s” (first name only)",
    "when": "the appointment's day and time, e.g. Tue 8 Dec at 09:30 (appointments only)",
    "phone": "the practice's phone number",
}
_FIELD = re.compile(r"\(\(([a-z_]+)\)\)")


def render(template_key: str, personalisation: dict) -> str:
    """The message as the person reads it (the local copy of the Notify template's wording)."""
    return _FIELD.sub(lambda m: str(personalisation.get(m.group(1), "")), TEMPLATES[template_key][1])


def render_subject(personalisation: dict) -> str:
    return _FIELD.sub(lambda m: str(personalisation.get(m.group(1), "")), EMAIL_SUBJECT)


# Contact details ------------------------------------------------------------------------------------------------

MOBILE_MESSAGE = "Enter a UK mobile number, like 07700 900 982 or +44 7700 900 982"
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"


def normalise_mobile(value: str) -> str | None:
    """A UK mobile number as 07xxxxxxxxx, or None. Accepts spaces, dashes, brackets and the +44 / 0044 forms."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    if digits.startswith("0(0)"):
        digits = "0" + digits[4:]
    return digits if re.fullmatch(r"07\d{9}", digits) else None


def format_mobile(value: str) -> str:
    return f"{value[:5]} {value[5:8]} {value[8:]}" if len(value) == 11 else value


@dataclass(frozen=True)
class Choices:
    sms_appointments: bool = False
    sms_prescriptions: bool = False
    sms_letters: bool = False
    email_appointments: bool = False
    email_prescriptions: bool = False
    email_letters: bool = False

    def chosen(self) -> list[str]:
        return [name for name, value in self.__dict__.items() if value]


def preference_for_account(account: OnlineAccount) -> ContactPreference:
    """The account's choices, or an unsaved row with every choice off."""
    found = ContactPreference.get_or_none(ContactPreference.account == account.id)
    return found or ContactPreference(practice=account.practice_id, account=account.id)


def preference_for_patient(practice_id: int, patient_id: int) -> ContactPreference:
    """What reception recorded for a patient with no online account (appointment texts only)."""
    found = ContactPreference.get_or_none(
        (ContactPreference.patient == patient_id) & (ContactPreference.practice == practice_id)
    )
    return found or ContactPreference(practice=practice_id, patient=patient_id)


def _check_contact(mobile: str, email: str, choices: Choices) -> tuple[str, str]:
    mobile_n = ""
    if mobile.strip():
        mobile_n = normalise_mobile(mobile)
        if mobile_n is None:
            raise DomainError(MOBILE_MESSAGE, field="mobile")
    email_n = email.strip()
    if email_n and not email_is_valid(email_n):
        raise DomainError(EMAIL_MESSAGE, field="email")
    if not mobile_n and any(getattr(choices, f"sms_{c}") for c in ("appointments", "prescriptions", "letters")):
        raise DomainError("Enter a mobile number to get text messages", field="mobile")
    if not email_n and any(getattr(choices, f"email_{c}") for c in ("appointments", "prescriptions", "letters")):
        raise DomainError("Enter an email address to get emails", field="email")
    return mobile_n, email_n


def _describe(p: ContactPreference) -> str:
    chosen = [n for n in Choices.__dataclass_fields__ if getattr(p, n)]
    return f"mobile {'set' if p.mobile else 'none'}; email {'set' if p.email else 'none'}; " + (
        ", ".join(chosen) or "nothing chosen"
    )


def save_own(actor: Actor, account_id: int, *, mobile: str, email: str, choices: Choices, password: str):
    """A patient or proxy changes their own contact details and choices. New contact details need the password."""
    account = OnlineAccount.get_in_practice(actor.practice_id, account_id)
    mobile_n, email_n = _check_contact(mobile, email, choices)
    pref = preference_for_account(account)
    changing_contact = (mobile_n, email_n) != (pref.mobile or "", pref.email or "")
    if changing_contact and not verify_password(account.password_hash, password):
        # Its own transaction: the refusal is recorded even though nothing changes (R12).
        with database.atomic():
            append(
                actor,
                "notifications.preferences",
                patient_id=account.patient_id,
                outcome="refused",
                detail="contact details not changed: wrong password",
            )
        raise DomainError("Enter your current password to change your mobile number or email", field="password")
    with database.atomic():
        pref = preference_for_account(account)
        _apply(pref, mobile_n, email_n, choices, recorded_by=None)
        append(
            actor,
            "notifications.preferences",
            patient_id=account.patient_id,
            obj=pref,
            detail=f"own choices: {_describe(pref)}" + ("; contact details changed" if changing_contact else ""),
        )
    return pref


def _apply(pref: ContactPreference, mobile: str, email: str, choices: Choices, *, recorded_by: int | None) -> None:
    pref.mobile, pref.email = mobile, email
    for name, value in choices.__dict__.items():
        setattr(pref, name, value)
    pref.recorded_by = recorded_by
    pref.updated_at = utcnow()
    pref.save()


def save_at_desk(actor: Actor, patient_id: int, *, mobile: str, email: str, choices: Choices, consent: bool):
    """Reception records a patient's choice. With an online account, that account's choices; without one, the
    patient may have appointment texts only, with their consent recorded."""
    with database.atomic():
        patient = Patient.get_in_practice(actor.practice_id, patient_id)
        account = OnlineAccount.get_or_none(OnlineAccount.patient == patient.id)
        if account is None:
            if choices.chosen() and set(choices.chosen()) != {"sms_appointments"}:
                raise DomainError(
                    "Without an online account a patient can have appointment text messages only", field="choices"
                )
            if choices.sms_appointments and not consent:
                raise DomainError("Record that the patient agrees to appointment text messages", field="consent")
            email = ""
            pref = preference_for_patient(actor.practice_id, patient.id)
        else:
            pref = preference_for_account(account)
        mobile_n, email_n = _check_contact(mobile, email, choices)
        _apply(pref, mobile_n, email_n, choices, recorded_by=actor.id)
        append(
            actor,
            "notifications.preferences",
            patient_id=patient.id,
            obj=pref,
            detail=f"recorded at the desk{' with consent' if consent else ''}: {_describe(pref)}",
        )
    return pref


# Who hears about what -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    preference: ContactPreference
    account_id: int | None
    whose: str  # "your", or "Sophie’s" for a proxy


def _level_at_least(level: str, needed: str) -> bool:
    return level in RECORD_ORDER and RECORD_ORDER.index(level) >= RECORD_ORDER.index(needed)


def _in_scope(holder, category: str, needed_level: str) -> bool:
    if category == "appointments":
        return bool(holder.appointments)
    if category == "prescriptions":
        return bool(holder.prescriptions)
    return _level_at_least(holder.record_level, needed_level)


def recipients(practice: Practice, patient: Patient, category: str, needed_level: str = "full") -> list[Recipient]:
    """Everyone who chose to hear about `category` for this patient, within what they may see."""
    from kiosk.services.online_access import record_access_blocked
    from kiosk.services.proxies import effective_end

    found = []
    blocked = category == "letters" and record_access_blocked(patient.id)
    own = OnlineAccount.get_or_none(OnlineAccount.patient == patient.id)
    pref = None
    if own is None and category == "appointments":
        pref = ContactPreference.get_or_none(ContactPreference.patient == patient.id)
    # Their own appointments and prescriptions are theirs whatever is switched on online; a letter or result only
    # when their access shows it.
    elif (
        own is not None
        and own.password_hash
        and not own.is_suspended
        and not blocked
        and (category != "letters" or _level_at_least(own.record_level, needed_level))
    ):
        pref = ContactPreference.get_or_none(ContactPreference.account == own.id)
    if pref is not None:
        found.append(Recipient(pref, own.id if own else None, "your"))
    if blocked:
        return found
    links = (
        ProxyLink.select(ProxyLink, OnlineAccount)
        .join(OnlineAccount, on=(ProxyLink.proxy == OnlineAccount.id))
        .where((ProxyLink.patient == patient.id) & (ProxyLink.status == "active"))
    )
    today = to_local(utcnow()).date()
    for link in links:
        proxy = link.proxy
        ends = effective_end(link, patient, practice)
        if (ends is not None and today >= ends) or proxy.is_suspended or not proxy.password_hash:
            continue
        if not _in_scope(link, category, needed_level):
            continue
        pref = ContactPreference.get_or_none(ContactPreference.account == proxy.id)
        if pref is not None:
            found.append(Recipient(pref, proxy.id, f"{patient.given_name}’s"))
    return found


def describe_when(starts_at: datetime) -> str:
    local = to_local(starts_at)
    return f"{local:%a %-d %b} at {local:%H:%M}"


def enqueue_for(
    practice: Practice,
    patient: Patient,
    template_key: str,
    *,
    appointment: Appointment | None = None,
    needed_level: str = "full",
    once: str | None = None,
) -> int:
    """Write the outbox rows for one event. Call inside the change's own transaction. Returns the rows written."""
    category = TEMPLATES[template_key][0]
    base = {"practice": practice.name, "phone": practice.phone or "the practice"}
    if appointment is not None:
        base["when"] = describe_when(appointment.slot.starts_at)
    written = 0
    now = utcnow()
    for r in recipients(practice, patient, category, needed_level):
        for channel_, address in (("sms", r.preference.mobile), ("email", r.preference.email)):
            if not address or not r.preference.wants(channel_, category):
                continue
            row = {
                "practice": practice.id,
                "patient": patient.id,
                "account": r.account_id,
                "recipient": address,
                "channel": channel_,
                "template_key": template_key,
                "personalisation": json.dumps({**base, "whose": r.whose}, ensure_ascii=False, sort_keys=True),
                "appointment": appointment.id if appointment is not None else None,
                "next_attempt_at": now,
                "created_at": now,
            }
            if once is not None:
                who = f"a{r.account_id}" if r.account_id else f"p{patient.id}"
                row["once_key"] = f"{once}:{who}:{channel_}"
            try:
                # A savepoint: a message that must go once and is queued already leaves the change's transaction be.
                with database.atomic():
                    Notification.create(**row)
                written += 1
            except IntegrityError:
                if once is None:
                    raise
    return written


def withdraw_reminders(appointment_id: int) -> None:
    """A cancelled appointment's reminder that has not gone yet will not go."""
    Notification.update(status="withdrawn", last_error="The appointment was cancelled").where(
        (Notification.appointment == appointment_id)
        & (Notification.template_key == "appointment_reminder")
        & Notification.status.in_(["queued", "failed_temporary"])
    ).execute()


def enqueue_due_reminders(now: datetime | None = None) -> int:
    """Day-before reminders for every practice whose reminder hour has come: booked appointments tomorrow (London),
    once each (the outbox's unique once_key, whatever runs this twice or in two workers at once)."""
    now = now or utcnow()
    local = to_local(now)
    start, end = local_day_bounds(local.date() + timedelta(days=1))
    written = 0
    for practice in Practice.select().where(Practice.reminder_hour <= local.hour):
        reminded = Notification.select(Notification.id).where(
            (Notification.appointment == Appointment.id) & (Notification.template_key == "appointment_reminder")
        )
        due = (
            Appointment.select(Appointment, Slot, Patient)
            .join(Slot)
            .switch(Appointment)
            .join(Patient)
            .where(
                (Appointment.practice == practice.id)
                & (Appointment.status == "booked")
                & (Slot.starts_at >= start)
                & (Slot.starts_at < end)
                & Patient.left_on.is_null()
                & ~fn.EXISTS(reminded)
            )
        )
        for appointment in due:
            with database.atomic():
                written += enqueue_for(
                    practice,
                    appointment.patient,
                    "appointment_reminder",
                    appointment=appointment,
                    once=f"reminder:{appointment.id}",
                )
    return written


# What reception sees --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Undelivered:
    id: int
    patient_id: int
    patient_name: str
    channel: str
    recipient: str
    what: str
    error: str
    created_at: datetime


WHAT = {
    "appointment_booked": "Appointment booked",
    "appointment_cancelled": "Appointment cancelled",
    "appointment_reminder": "Appointment reminder",
    "prescription_decided": "Prescription decided",
    "prescription_ready": "Prescription ready",
    "prescription_sent": "Prescription sent",
    "new_to_read": "Something new to read",
}


def undelivered(practice_id: int, patient_id: int | None = None, limit: int = 100) -> list[Undelivered]:
    """Messages Notify refused or that failed for good, newest first: reception tells the patient another way."""
    query = (
        Notification.select(Notification, Patient)
        .join(Patient)
        .where((Notification.practice == practice_id) & (Notification.status == "failed_permanent"))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    if patient_id is not None:
        query = query.where(Notification.patient == patient_id)
    return [
        Undelivered(
            n.id,
            n.patient_id,
            n.patient.full_name,
            n.channel,
            n.recipient,
            WHAT.get(n.template_key, n.template_key),
            n.last_error,
            n.created_at,
        )
        for n in query
    ]
