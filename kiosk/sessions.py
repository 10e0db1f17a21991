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
from kiosk.models import WebSession

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


def idle_limit(app, data: dict) -> timedelta:
    if data.get("staff_id"):
        return timedelta(minutes=app.config["STAFF_IDLE_MINUTES"])
    if data.get("account_id"):
        # A shared kiosk gives the next person a clean screen quickly; a phone allows time to read.
        return timedelta(
            seconds=app.config["PATIENT_KIOSK_IDLE_SECONDS"]
            if data.get("on_kiosk")
            else app.config["PATIENT_IDLE_SECONDS"]
        )
    return ANONYMOUS_IDLE


def mark_passive() -> None:
    """This request was not the person doing something (e.g. an automatic refresh): it keeps nobody signed in."""
    g.passive_request = True


class ServerSessionInterface(SessionInterface):
    def open_session(self, app, request):
        sid = request.cookies.get(self.get_cookie_name(app))
        if sid:
            row = WebSession.get_or_none(WebSession.key == _digest(sid))
            if row is not None:
                data = json.loads(row.data)
                if utcnow() - row.last_seen_at <= idle_limit(app, data):
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
    """Delete every session row past its idle limit. A visit that never wrote to its session has no row at all."""
    now = now or utcnow()
    patient_idle = timedelta(seconds=max(app.config["PATIENT_IDLE_SECONDS"], app.config["PATIENT_KIOSK_IDLE_SECONDS"]))
    staff_idle = timedelta(minutes=app.config["STAFF_IDLE_MINUTES"])
    expired = (
        ((WebSession.user_kind == "") & (WebSession.last_seen_at < now - ANONYMOUS_IDLE))
        | ((WebSession.user_kind == "staff") & (WebSession.last_seen_at < now - staff_idle))
        | ((WebSession.user_kind == "patient") & (WebSession.last_seen_at < now - patient_idle))
    )
    return WebSession.delete().where(expired).execute()


def _purge_quietly(app) -> None:
    from kiosk.services import lockout

    try:
        purge_expired(app)
        lockout.prune()
    except pw.DatabaseError:
        # Housekeeping must never cost the person their page; the next purge will catch up.
        logging.getLogger(__name__).warning("session purge failed", exc_info=True)


def end_sessions_for(user_kind: str, user_id: int) -> int:
    return WebSession.delete().where((WebSession.user_kind == user_kind) & (WebSession.user_id == user_id)).execute()
