"""Sending the outbox: claim a batch, send each row through GOV.UK Notify (or print it), record what happened.

Claiming is safe with several workers: on PostgreSQL `FOR UPDATE SKIP LOCKED` hands each row to one worker; on
SQLite every write transaction is IMMEDIATE, so claims queue. A claim is a lease (claimed_until): a worker that dies
mid-batch leaves its rows "sending", and once the lease has run out another worker takes them again. The outbox id
is the reference Notify keeps, so before sending a row that was tried before, the worker asks Notify for that
reference and, if the message is there already, records it instead of sending it twice.
"""

import json
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta

from peewee import fn

from kiosk.clock import utcnow
from kiosk.db import database, is_postgres
from kiosk.models import Appointment, Notification
from kiosk.services.notifications import enqueue_due_reminders, render, render_subject


@dataclass(frozen=True)
class WorkerSettings:
    batch_size: int = 20
    lease_seconds: int = 120
    max_attempts: int = 8
    backoff_seconds: int = 30  # the first retry; then doubling
    backoff_cap_seconds: int = 3600


class SendFailed(Exception):
    def __init__(self, message: str, *, permanent: bool):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


@dataclass(frozen=True)
class Sent:
    notify_id: str
    notify_status: str


class LogSender:
    """No Notify API key: print each message as the person would read it, and count it sent."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def lookup(self, reference: str) -> Sent | None:
        return None

    def send(self, row: Notification) -> Sent:
        personalisation = json.loads(row.personalisation)
        subject = f" [{render_subject(personalisation)}]" if row.channel == "email" else ""
        print(
            f"notification {row.id} {row.channel} to {row.recipient}{subject}: "
            f"{render(row.template_key, personalisation)}",
            file=self.stream,
            flush=True,
        )
        return Sent(f"log-{row.id}", "logged")


class NotifySender:
    """GOV.UK Notify through its official client. template_ids: {("sms", key): id, ("email", key): id}."""

    def __init__(self, api_key: str, template_ids: dict, base_url: str | None = None, timeout: float = 30):
        from notifications_python_client.notifications import NotificationsAPIClient

        kwargs = {"base_url": base_url} if base_url else {}
        self.client = NotificationsAPIClient(api_key, timeout=timeout, **kwargs)
        self.template_ids = template_ids

    def _call(self, fn_, *args, **kwargs):
        from notifications_python_client.errors import APIError

        try:
            return fn_(*args, **kwargs)
        except APIError as e:
            status = e.status_code
            # 400: Notify refused the message itself (an invalid number or address): sending again cannot help.
            permanent = status in (400, 404)
            raise SendFailed(f"{status} {e.message}"[:500], permanent=permanent) from None

    def lookup(self, reference: str) -> Sent | None:
        found = self._call(self.client.get_all_notifications, reference=reference).get("notifications") or []
        if not found:
            return None
        first = found[0]
        return Sent(first["id"], first.get("status", ""))

    def send(self, row: Notification) -> Sent:
        template_id = self.template_ids.get((row.channel, row.template_key))
        if not template_id:
            raise SendFailed(
                f"No Notify template id is set for {config_name(row.channel, row.template_key)}", permanent=True
            )
        personalisation = json.loads(row.personalisation)
        if row.channel == "sms":
            send, to = self.client.send_sms_notification, {"phone_number": row.recipient}
        else:
            send, to = self.client.send_email_notification, {"email_address": row.recipient}
        answer = self._call(send, **to, template_id=template_id, personalisation=personalisation, reference=str(row.id))
        # Notify answers 201 with the new notification; its delivery status starts as "created".
        return Sent(answer["id"], answer.get("status", "created"))


def config_name(channel: str, template_key: str) -> str:
    return f"NOTIFY_{channel.upper()}_TEMPLATE_{template_key.upper()}"


@dataclass(frozen=True)
class Claimed:
    row: Notification
    tried_before: bool  # a previous attempt may have reached Notify: look it up before sending again


def _due(now: datetime):
    return (Notification.status.in_(["queued", "failed_temporary"]) & (Notification.next_attempt_at <= now)) | (
        (Notification.status == "sending") & (Notification.claimed_until < now)
    )


def claim(settings: WorkerSettings, now: datetime) -> list[Claimed]:
    """Take up to batch_size due rows for this worker, leased until now + lease_seconds."""
    lease = now + timedelta(seconds=settings.lease_seconds)
    with database.atomic():
        query = (
            Notification.select(Notification.id, Notification.status, Notification.attempts)
            .where(_due(now))
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(settings.batch_size)
        )
        if is_postgres():
            query = query.for_update(skip_locked=True)
        picked = list(query)
        if not picked:
            return []
        ids = [n.id for n in picked]
        Notification.update(status="sending", claimed_until=lease, attempts=Notification.attempts + 1).where(
            Notification.id.in_(ids)
        ).execute()
        tried = {n.id: n.status == "sending" or n.attempts > 0 for n in picked}
        rows = list(Notification.select().where(Notification.id.in_(ids)).order_by(Notification.id))
    return [Claimed(r, tried[r.id]) for r in rows]


def _finish(row: Notification, **values) -> None:
    """Record the outcome, unless the lease ran out and another worker has the row now."""
    with database.atomic():
        Notification.update(claimed_until=None, **values).where(
            (Notification.id == row.id)
            & (Notification.status == "sending")
            & (Notification.claimed_until == row.claimed_until)
        ).execute()


def backoff(settings: WorkerSettings, attempts: int) -> timedelta:
    return timedelta(seconds=min(settings.backoff_seconds * 2 ** max(attempts - 1, 0), settings.backoff_cap_seconds))


def _still_wanted(row: Notification) -> bool:
    if row.template_key != "appointment_reminder" or row.appointment_id is None:
        return True
    return (
        Appointment.select().where((Appointment.id == row.appointment_id) & (Appointment.status == "booked")).exists()
    )


def send_one(sender, item: Claimed, settings: WorkerSettings, now: datetime) -> str:
    row = item.row
    if not _still_wanted(row):
        _finish(row, status="withdrawn", last_error="The appointment is no longer booked")
        return "withdrawn"
    try:
        done = sender.lookup(str(row.id)) if item.tried_before else None
        if done is None:
            done = sender.send(row)
    except SendFailed as e:
        if e.permanent or row.attempts >= settings.max_attempts:
            error = e.message if e.permanent else f"Gave up after {row.attempts} tries: {e.message}"
            _finish(row, status="failed_permanent", last_error=error[:500])
            return "failed_permanent"
        _finish(
            row,
            status="failed_temporary",
            last_error=e.message,
            next_attempt_at=now + backoff(settings, row.attempts),
        )
        return "failed_temporary"
    _finish(row, status="sent", notify_id=done.notify_id, notify_status=done.notify_status, sent_at=now, last_error="")
    return "sent"


def run_once(
    sender, settings: WorkerSettings, now: datetime | None = None, *, clock=utcnow, stop=lambda: False
) -> dict[str, int]:
    """Queue due reminders, then send batches until nothing is due (or `stop()` says so, between batches).
    Returns counts by outcome. `now` fixes the clock (tests); otherwise `clock()` is read for each step."""
    counts: dict[str, int] = {}
    enqueue_due_reminders(now or clock())
    while not stop():
        at = now or clock()
        batch = claim(settings, at)
        if not batch:
            return counts
        for item in batch:
            outcome = send_one(sender, item, settings, now or clock())
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def outbox_counts() -> dict[str, int]:
    return dict(
        Notification.select(Notification.status, fn.COUNT(Notification.id)).group_by(Notification.status).tuples()
    )
