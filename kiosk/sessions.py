"""Server-side sessions: the cookie carries only a random id; data, idle time and revocation live in the database."""

import hashlib
import json
import logging
import secrets
from datetime import timedelta

import peewee as pw
from flask import g
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from kiosk.clock import utcnow
from kiosk.models import OnlineAccount, Practice, StaffUser, WebSession

# Sessions with nobody signed in hold only a CSRF token and kiosk progress.
ANONYMOUS_IDLE = timedelta(hours=2)
# Activity inside this gap does not rewrite last_seen: one write per minute at most, not one per click.
TOUCH_EVERY = timedelta(seconds=20)
# One request in this many also deletes expired session rows and stale attempt counters: no scheduler to run, and
# the cost (two indexed DELETEs) is spread thinly. `flask --app wsgi purge-sessions` does the same on demand.
PURGE_ONE_IN = 200


def _digest(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, sid: str | None = None, row: WebSession | None = None):
        def on_update(_self):
            _self.modified = True

        super().__init__(initial, on_update)
        self.sid = sid
        self.row = row
        self.modified = False
        self.rotate = False

    def regenerate(self) -> None:
        """A new id at every sign-in and sign-out, so an id seen before authentication is worthless after."""
        self.rotate = True
        self.modified = True


# The practice's sign-out idle times (Practice columns), selected with the session row itself. A session whose owner
# is gone has no practice: the column defaults, today's values, apply.
IDLE_COLUMNS = ("staff_idle_minutes", "patient_idle_minutes", "patient_kiosk_idle_seconds")


def idle_limit(data: dict, limits) -> timedelta:
    """How long this session may sit idle: the signed-in person's practice decides (a practice setting)."""

    def value(name: str) -> int:
        found = getattr(limits, name, None)
        return found if found is not None else getattr(Practice, name).default

    if data.get("staff_id"):
        return timedelta(minutes=value("staff_idle_minutes"))
    if data.get("account_id"):
        # A shared kiosk gives the next person a clean screen quickly; a phone allows time to read.
        if data.get("on_kiosk"):
            return timedelta(seconds=value("patient_kiosk_idle_seconds"))
        return timedelta(minutes=value("patient_idle_minutes"))
    return ANONYMOUS_IDLE


def _row_with_limits(key: str) -> WebSession | None:
    """The session row and its owner's practice's idle times, in one query: read per request, so that a manager's
    change applies at once in every worker, and at no extra round trip."""
    owner_practice = pw.fn.COALESCE(StaffUser.practice, OnlineAccount.practice)
    return (
        WebSession.select(WebSession, *(getattr(Practice, name) for name in IDLE_COLUMNS))
        .join(
            StaffUser,
            pw.JOIN.LEFT_OUTER,
            on=(WebSession.user_kind == "staff") & (StaffUser.id == WebSession.user_id),
        )
        .switch(WebSession)
        .join(
            OnlineAccount,
            pw.JOIN.LEFT_OUTER,
            on=(WebSession.user_kind == "patient") & (OnlineAccount.id == WebSession.user_id),
        )
        .switch(WebSession)
        .join(Practice, pw.JOIN.LEFT_OUTER, on=(Practice.id == owner_practice))
        .where(WebSession.key == key)
        .objects()
        .first()
    )


def mark_passive() -> None:
    """This request was not the person doing something (e.g. an automatic refresh): it keeps nobody signed in."""
    g.passive_request = True


class ServerSessionInterface(SessionInterface):
    def open_session(self, app, request):
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid:
            row = _row_with_limits(_digest(sid))
            if row is not None:
                data = json.loads(row.data)
                limit = idle_limit(data, row)
                if utcnow() - row.last_seen_at <= limit:
                    # The pages' own timers (a kiosk's reset, a phone's warning) count down the server's limit.
                    g.session_idle_seconds = int(limit.total_seconds())
                    return ServerSession(data, sid=sid, row=row)
                row.delete_instance()
        return ServerSession()

    def save_session(self, app, session: ServerSession, response):
        if session is None or g.get("session_unwritable"):
            return  # the database could not take the write (kiosk/faults.py): the page says nothing was changed
        if secrets.randbelow(PURGE_ONE_IN) == 0:
            _purge_quietly(app)
        name = self.get_cookie_name(app)
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        if session.row is not None and (session.rotate or not session):
            WebSession.delete().where(WebSession.key == session.row.key).execute()
            session.row = None
        if not session:
            if session.sid:
                response.delete_cookie(name, domain=domain, path=path)
            return
        now = utcnow()
        if session.row is None:
            session.sid = secrets.token_urlsafe(32)
            WebSession.create(key=_digest(session.sid), data=json.dumps(session), last_seen_at=now, **_owner(session))
        elif session.modified:
            WebSession.update(data=json.dumps(session), last_seen_at=now, **_owner(session)).where(
                WebSession.key == session.row.key
            ).execute()
        elif not g.get("passive_request") and now - session.row.last_seen_at > TOUCH_EVERY:
            WebSession.update(last_seen_at=now).where(WebSession.key == session.row.key).execute()
            return
        else:
            return
        response.set_cookie(
            name,
            session.sid,
            httponly=True,
            secure=self.get_cookie_secure(app),
            samesite="Lax",
            domain=domain,
            path=path,
        )
        response.vary.add("Cookie")


def _owner(session: ServerSession) -> dict:
    """Who the session belongs to, so that signing someone out everywhere is one DELETE."""
    if session.get("staff_id"):
        return {"user_kind": "staff", "user_id": session["staff_id"]}
    if session.get("account_id"):
        return {"user_kind": "patient", "user_id": session["account_id"]}
    return {"user_kind": "", "user_id": None}


def purge_expired(app, now=None) -> int:
    """Delete every session row past its idle limit. A visit that never wrote to its session has no row at all.

    Idle times are per practice, so this goes practice by practice (an installation serves a handful): a patient's
    row is kept for the longer of the phone and kiosk limits, and open_session refuses it once its own has passed.
    A row whose owner no longer exists is deleted after the default limits.
    """
    now = now or utcnow()
    deleted = WebSession.delete().where((WebSession.user_kind == "") & (WebSession.last_seen_at < now - ANONYMOUS_IDLE))
    total = deleted.execute()
    owners = (("staff", StaffUser), ("patient", OnlineAccount))
    for practice in Practice.select(Practice.id, *(getattr(Practice, name) for name in IDLE_COLUMNS)):
        staff_idle = timedelta(minutes=practice.staff_idle_minutes)
        patient_idle = max(
            timedelta(minutes=practice.patient_idle_minutes), timedelta(seconds=practice.patient_kiosk_idle_seconds)
        )
        for kind, model in owners:
            idle = staff_idle if kind == "staff" else patient_idle
            people = model.select(model.id).where(model.practice == practice.id)
            total += (
                WebSession.delete()
                .where(
                    (WebSession.user_kind == kind)
                    & WebSession.user_id.in_(people)
                    & (WebSession.last_seen_at < now - idle)
                )
                .execute()
            )
    default_idle = max(idle_limit({"staff_id": 1}, None), idle_limit({"account_id": 1}, None))
    for kind, model in owners:
        total += (
            WebSession.delete()
            .where(
                (WebSession.user_kind == kind)
                & WebSession.user_id.not_in(model.select(model.id))
                & (WebSession.last_seen_at < now - default_idle)
            )
            .execute()
        )
    return total


def _purge_quietly(app) -> None:
    from kiosk.services import lockout

    try:
        purge_expired(app)
        lockout.prune()
    except pw.DatabaseError:
        # Housekeeping must never cost the person their page; the next purge will catch up.
        logging.getLogger(__name__).warning("session purge failed", exc_info=True)
