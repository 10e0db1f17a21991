"""The rota: each clinician's weekly template of sessions, days off and practice closures, and generating the diary.

Generating the diary is idempotent and conservative. For each day ahead it works out the slots the templates want
(less any closure), then:
- makes the wanted slots that are missing, through diary.create_session (so clock changes are handled there);
- changes or removes only slots that the rota made and that are still free;
- never touches a booked slot, nor a slot reception added by hand; a booked rota slot that the rota no longer wants
  is listed for reception to move.
A free slot that has appointment history (a cancellation) is withdrawn rather than deleted, so the history stays.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from peewee import JOIN

from kiosk.actor import Actor
from kiosk.clock import local_day_bounds, local_to_utc, local_today, to_local, utcnow
from kiosk.db import database
from kiosk.models import Appointment, Clinician, Closure, RotaSession, RotaTemplate, Slot
from kiosk.services import DomainError
from kiosk.services.audit import append
from kiosk.services.diary import create_session, session_slot_times

MAX_WEEKS = 12


# Reading ---------------------------------------------------------------------------------------------------------


@dataclass
class TemplateView:
    template: RotaTemplate
    sessions: list[RotaSession] = field(default_factory=list)

    @property
    def clinician(self) -> Clinician:
        return self.template.clinician


def templates(practice_id: int) -> list[TemplateView]:
    """Every template of the practice with its sessions, by clinician and then by date."""
    rows = (
        RotaTemplate.select(RotaTemplate, Clinician)
        .join(Clinician)
        .where(RotaTemplate.practice == practice_id)
        .order_by(Clinician.display_name, Clinician.id, RotaTemplate.starts_on)
    )
    views = {t.id: TemplateView(t) for t in rows}
    if views:
        sessions = RotaSession.select().where(RotaSession.template.in_(list(views)))
        for s in sessions.order_by(RotaSession.weekday, RotaSession.starts):
            views[s.template_id].sessions.append(s)
    return list(views.values())


def template(practice_id: int, template_id: int) -> TemplateView:
    """One template of this practice with its sessions; RotaTemplate.DoesNotExist for any other id."""
    found = (
        RotaTemplate.select(RotaTemplate, Clinician)
        .join(Clinician)
        .where((RotaTemplate.practice == practice_id) & (RotaTemplate.id == template_id))
        .first()
    )
    if found is None:
        raise RotaTemplate.DoesNotExist
    sessions = RotaSession.select().where(RotaSession.template == found.id)
    return TemplateView(found, list(sessions.order_by(RotaSession.weekday, RotaSession.starts)))


def slot_count(session: RotaSession) -> int:
    """Slots a session makes on an ordinary day: a last slot that would overrun the session is dropped."""
    minutes = (datetime.combine(date.min, session.ends) - datetime.combine(date.min, session.starts)).seconds // 60
    return minutes // session.length_minutes


def unused_minutes(session: RotaSession) -> int:
    minutes = (datetime.combine(date.min, session.ends) - datetime.combine(date.min, session.starts)).seconds // 60
    return minutes % session.length_minutes


# Templates and sessions --------------------------------------------------------------------------------------------


def _check_dates(starts_on: date, ends_on: date | None) -> None:
    if ends_on is not None and ends_on < starts_on:
        raise DomainError("The last date must be the same as or after the first date", field="ends_on")


def _check_no_overlap(practice_id: int, clinician_id: int, starts_on: date, ends_on: date | None, leave_out=None):
    """One template per clinician on any date: two at once would each make slots over the other's."""
    others = RotaTemplate.for_practice(practice_id).where(RotaTemplate.clinician == clinician_id)
    if leave_out is not None:
        others = others.where(RotaTemplate.id != leave_out)
    for other in others:
        other_end = other.ends_on or date.max
        if starts_on <= other_end and other.starts_on <= (ends_on or date.max):
            until = f" to {other.ends_on:%-d %B %Y}" if other.ends_on else " with no end date"
            raise DomainError(
                f"{other.clinician.display_name} already has a rota from {other.starts_on:%-d %B %Y}{until}. "
                "Change that one's dates first",
                field="starts_on",
            )


def add_template(actor: Actor, *, clinician_id: int, room: str, starts_on: date, ends_on: date | None) -> RotaTemplate:
    _check_dates(starts_on, ends_on)
    with database.atomic():
        clinician = Clinician.get_in_practice(actor.practice_id, clinician_id)
        if not clinician.active:
            raise DomainError("This clinician is deactivated", field="clinician")
        _check_no_overlap(actor.practice_id, clinician.id, starts_on, ends_on)
        made = RotaTemplate.create(
            practice=actor.practice_id, clinician=clinician, room=room.strip(), starts_on=starts_on, ends_on=ends_on
        )
        append(actor, "rota.template_add", obj=made, detail=f"{clinician.display_name} from {starts_on} to {ends_on}")
    return made


def edit_template(actor: Actor, template_id: int, *, room: str, starts_on: date, ends_on: date | None) -> RotaTemplate:
    _check_dates(starts_on, ends_on)
    with database.atomic():
        found = RotaTemplate.get_in_practice(actor.practice_id, template_id)
        _check_no_overlap(actor.practice_id, found.clinician_id, starts_on, ends_on, leave_out=found.id)
        found.room, found.starts_on, found.ends_on = room.strip(), starts_on, ends_on
        found.save()
        append(actor, "rota.template_edit", obj=found, detail=f"room {found.room!r} from {starts_on} to {ends_on}")
    return found


def add_session(
    actor: Actor,
    template_id: int,
    *,
    weekday: int,
    starts: time,
    ends: time,
    length_minutes: int,
    kind: str,
    released_online: bool,
) -> RotaSession:
    if ends <= starts:
        raise DomainError("The end time must be after the start time", field="ends")
    if length_minutes <= 0:
        raise DomainError("Choose the length of each slot", field="length")
    minutes = (datetime.combine(date.min, ends) - datetime.combine(date.min, starts)).seconds // 60
    if minutes < length_minutes:
        raise DomainError("The session is shorter than one slot", field="ends")
    with database.atomic():
        found = RotaTemplate.get_in_practice(actor.practice_id, template_id)
        same_day = RotaSession.select().where((RotaSession.template == found.id) & (RotaSession.weekday == weekday))
        for other in same_day:
            if starts < other.ends and other.starts < ends:
                raise DomainError(
                    f"This overlaps the session from {other.starts:%H:%M} to {other.ends:%H:%M} on "
                    f"{other.weekday_label}",
                    field="starts",
                )
        made = RotaSession.create(
            practice=actor.practice_id,
            template=found,
            weekday=weekday,
            starts=starts,
            ends=ends,
            length_minutes=length_minutes,
            kind=kind,
            released_online=released_online,
        )
        append(
            actor,
            "rota.session_add",
            obj=found,
            detail=f"{made.weekday_label} {starts:%H:%M}-{ends:%H:%M} {kind} every {length_minutes} min"
            f"{' online' if released_online else ' reception only'}",
        )
    return made


def remove_session(actor: Actor, template_id: int, session_id: int) -> RotaSession:
    with database.atomic():
        found = RotaTemplate.get_in_practice(actor.practice_id, template_id)
        session = RotaSession.get((RotaSession.template == found.id) & (RotaSession.id == session_id))
        session.delete_instance()
        append(
            actor,
            "rota.session_remove",
            obj=found,
            detail=f"{session.weekday_label} {session.starts:%H:%M}-{session.ends:%H:%M} {session.kind}",
        )
    return session


# Removing free slots -----------------------------------------------------------------------------------------------


def remove_free_slots(slot_ids: list[int]) -> int:
    """Take these slots out of the diary if they are still free. One never booked is deleted; one with appointment
    history (cancellations) is withdrawn, so the history keeps the slot it points at. Booked slots are untouched."""
    if not slot_ids:
        return 0
    any_booking = Appointment.select(Appointment.slot)
    live = Appointment.select(Appointment.slot).where(Appointment.status != "cancelled")
    removed = 0
    for i in range(0, len(slot_ids), 500):
        chunk = slot_ids[i : i + 500]
        removed += (
            Slot.update(withdrawn_at=utcnow())
            .where(Slot.id.in_(chunk) & Slot.withdrawn_at.is_null() & Slot.id.in_(any_booking) & Slot.id.not_in(live))
            .execute()
        )
        removed += Slot.delete().where(Slot.id.in_(chunk) & Slot.id.not_in(any_booking)).execute()
    return removed


def live_bookings(practice_id: int, slot_ids: list[int]) -> list[Appointment]:
    """The booked (not yet arrived or seen) appointments on these slots, with slot, clinician and patient."""
    if not slot_ids:
        return []
    return list(
        Appointment.with_details(practice_id)
        .where(Slot.id.in_(slot_ids) & (Appointment.status == "booked"))
        .order_by(Slot.starts_at, Clinician.display_name)
    )


# Closures ---------------------------------------------------------------------------------------------------------


def closure_bounds(closure: Closure) -> tuple[datetime, datetime]:
    """The closure's UTC start and end: the London day, or its two wall-clock times."""
    if closure.all_day:
        return local_day_bounds(closure.day)
    return local_to_utc(datetime.combine(closure.day, closure.starts)), local_to_utc(
        datetime.combine(closure.day, closure.ends)
    )


def _overlaps(slot: Slot, start: datetime, end: datetime) -> bool:
    return slot.starts_at < end and slot.starts_at + timedelta(minutes=slot.length_minutes) > start


def _slots_in(practice_id: int, closure: Closure, *, after: datetime) -> list[Slot]:
    start, end = closure_bounds(closure)
    # A slot that started up to a day before could still run into the closure; none is that long.
    query = Slot.for_practice(practice_id).where(
        (Slot.starts_at >= start - timedelta(days=1)) & (Slot.starts_at < end) & (Slot.starts_at >= after)
    )
    if closure.clinician_id is not None:
        query = query.where(Slot.clinician == closure.clinician_id)
    return [s for s in query if _overlaps(s, start, end)]


def closures(practice_id: int, *, from_day: date | None = None) -> list[Closure]:
    """Closures from a day on (today unless told), soonest first, with their clinician if they have one."""
    rows = (
        Closure.select(Closure, Clinician)
        .join(Clinician, JOIN.LEFT_OUTER, on=(Closure.clinician == Clinician.id))
        .where((Closure.practice == practice_id) & (Closure.day >= (from_day or local_today())))
        .order_by(Closure.day, Closure.starts)
    )
    return list(rows)


def closure(practice_id: int, closure_id: int) -> Closure:
    found = (
        Closure.select(Closure, Clinician)
        .join(Clinician, JOIN.LEFT_OUTER, on=(Closure.clinician == Clinician.id))
        .where((Closure.practice == practice_id) & (Closure.id == closure_id))
        .first()
    )
    if found is None:
        raise Closure.DoesNotExist
    return found


def closure_bookings(practice_id: int, found: Closure) -> list[Appointment]:
    """Booked appointments still inside the closure, for reception to move: the list shrinks as they do."""
    return live_bookings(practice_id, [s.id for s in _slots_in(practice_id, found, after=utcnow())])


def add_closure(
    actor: Actor, *, clinician_id: int | None, day: date, starts: time | None, ends: time | None, reason: str
) -> tuple[Closure, int]:
    """Record a closure and take its free slots out of the diary. Returns the closure and how many slots went."""
    if (starts is None) != (ends is None):
        raise DomainError("Give both a start and an end time, or neither for the whole day", field="starts")
    if starts is not None and ends <= starts:
        raise DomainError("The end time must be after the start time", field="ends")
    if day < local_today():
        raise DomainError("The date must be today or later", field="day")
    with database.atomic():
        clinician = Clinician.get_in_practice(actor.practice_id, clinician_id) if clinician_id else None
        made = Closure.create(
            practice=actor.practice_id, clinician=clinician, day=day, starts=starts, ends=ends, reason=reason.strip()
        )
        removed = remove_free_slots([s.id for s in _slots_in(actor.practice_id, made, after=utcnow())])
        who = clinician.display_name if clinician else "whole practice"
        when = "all day" if starts is None else f"{starts:%H:%M}-{ends:%H:%M}"
        append(actor, "rota.closure_add", obj=made, detail=f"{who} {day} {when}: {reason.strip()}; {removed} removed")
    return made, removed


def remove_closure(actor: Actor, closure_id: int) -> Closure:
    """Delete a closure. Its slots come back the next time the diary is generated."""
    with database.atomic():
        found = Closure.get_in_practice(actor.practice_id, closure_id)
        found.delete_instance()
        append(actor, "rota.closure_remove", obj=found, detail=f"{found.day} {found.reason}")
    return found


# Generating the diary ----------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    create: dict[tuple[int, date, int], set[datetime]] = field(default_factory=dict)  # (clinician, day, session)
    sessions: dict[int, RotaSession] = field(default_factory=dict)
    clinicians: dict[int, Clinician] = field(default_factory=dict)
    change: list[tuple[Slot, RotaSession]] = field(default_factory=list)
    remove: list[int] = field(default_factory=list)
    misfits: list[int] = field(default_factory=list)  # booked rota slots the rota no longer wants


@dataclass(frozen=True)
class Generated:
    last_day: date
    created: int
    changed: int
    removed: int
    misfits: int


def window(weeks: int, today: date | None = None) -> tuple[date, date]:
    """From today to the same weekday `weeks` weeks on, both included."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise DomainError(f"Choose between 1 and {MAX_WEEKS} weeks", field="weeks")
    today = today or local_today()
    return today, today + timedelta(days=7 * weeks)


def _fits(slot: Slot, session: RotaSession) -> bool:
    return (slot.length_minutes, slot.kind, slot.released_online) == (
        session.length_minutes,
        session.kind,
        session.released_online,
    )


def _plan(practice_id: int, first: date, last: date, now: datetime) -> _Plan:
    plan = _Plan()
    start_utc, _ = local_day_bounds(first)
    _, end_utc = local_day_bounds(last)
    active = {c.id: c for c in Clinician.for_practice(practice_id).where(Clinician.active == True)}  # noqa: E712
    plan.clinicians = active
    views = [v for v in templates(practice_id) if v.template.clinician_id in active]
    shut = list(
        Closure.for_practice(practice_id).where((Closure.day >= first) & (Closure.day <= last + timedelta(days=1)))
    )
    slots = list(
        Slot.for_practice(practice_id).where(
            (Slot.starts_at > now) & (Slot.starts_at >= start_utc) & (Slot.starts_at < end_utc)
        )
    )
    live = (
        {
            a.slot_id
            for a in Appointment.select(Appointment.slot).where(
                Appointment.slot.in_([s.id for s in slots]) & (Appointment.status != "cancelled")
            )
        }
        if slots
        else set()
    )
    by_clinician: dict[int, dict[datetime, Slot]] = {}
    for s in slots:
        by_clinician.setdefault(s.clinician_id, {})[s.starts_at] = s

    for clinician_id in active:
        existing = by_clinician.get(clinician_id, {})
        # Slots that stay whatever the rota says, and that no new slot may overlap.
        fixed = [s for s in existing.values() if s.withdrawn_at is None and (s.id in live or not s.from_rota)]
        closed = [closure_bounds(c) for c in shut if c.clinician_id in (None, clinician_id)]
        own = [v for v in views if v.template.clinician_id == clinician_id]
        wanted = _wanted(plan, clinician_id, own, (first, last), now, fixed, closed, existing)
        _sort_existing(plan, existing, wanted, live)
    return plan


def _wanted(plan: _Plan, clinician_id: int, views, days, now, fixed, closed, existing) -> dict[datetime, RotaSession]:
    """The slot times the clinician's rota asks for in `days`; those not made yet go into plan.create."""
    wanted: dict[datetime, RotaSession] = {}
    day, last = days
    while day <= last:
        view = next((v for v in views if v.template.covers(day)), None)
        for session in view.sessions if view else []:
            if session.weekday != day.weekday():
                continue
            plan.sessions[session.id] = session
            for t in session_slot_times(day, session.starts, session.ends, session.length_minutes):
                end = t + timedelta(minutes=session.length_minutes)
                if t <= now or any(t < ce and end > cs for cs, ce in closed):
                    continue
                if any(f.starts_at != t and _overlaps(f, t, end) for f in fixed):
                    continue
                wanted[t] = session
                # Keyed by the session's own London day: create_session makes one day's session at a time.
                if t not in existing:
                    plan.create.setdefault((clinician_id, day, session.id), set()).add(t)
        day += timedelta(days=1)
    return wanted


def _sort_existing(plan: _Plan, existing: dict[datetime, Slot], wanted: dict[datetime, RotaSession], live) -> None:
    """Each slot already there: left alone, a booked misfit to list, a free one to remove, or one to change."""
    for t, s in existing.items():
        session = wanted.get(t)
        if s.id in live:
            if s.from_rota and (session is None or not _fits(s, session)):
                plan.misfits.append(s.id)
        elif not s.from_rota and s.withdrawn_at is None:
            continue  # added by hand: reception's, not the rota's
        elif session is None:
            if s.withdrawn_at is None:
                plan.remove.append(s.id)
        elif not _fits(s, session) or s.withdrawn_at is not None or not s.from_rota:
            plan.change.append((s, session))


def misfits(practice_id: int, weeks: int) -> list[Appointment]:
    """Booked appointments in the next `weeks` weeks on rota slots the rota no longer wants (or a closure covers)."""
    first, last = window(weeks)
    return live_bookings(practice_id, _plan(practice_id, first, last, utcnow()).misfits)


def generate(actor: Actor, weeks: int) -> Generated:
    """Make the diary match the rota from now to `weeks` weeks ahead. Twice in a row, the second changes nothing."""
    first, last = window(weeks)
    return generate_days(actor, first, last)


def generate_days(actor: Actor, first: date, last: date, *, since: datetime | None = None) -> Generated:
    """Make the diary match the rota on the London days first..last, for slots starting after `since` (now unless
    told: the demo loader starts at midnight, so that today's morning shows who was seen)."""
    now = since or utcnow()
    with database.atomic():
        plan = _plan(actor.practice_id, first, last, now)
        created = 0
        for (clinician_id, day, session_id), times in sorted(plan.create.items(), key=lambda item: item[0][1:]):
            session = plan.sessions[session_id]
            created += create_session(
                actor,
                plan.clinicians[clinician_id],
                day,
                session.starts,
                session.ends,
                length_minutes=session.length_minutes,
                kind=session.kind,
                released_online=session.released_online,
                from_rota=True,
                keep=times.__contains__,
            )
        for slot, session in plan.change:
            # Still free: the transaction re-checks nothing was booked since the plan was read.
            Slot.update(
                length_minutes=session.length_minutes,
                kind=session.kind,
                released_online=session.released_online,
                from_rota=True,
                withdrawn_at=None,
            ).where(
                (Slot.id == slot.id)
                & Slot.id.not_in(Appointment.select(Appointment.slot).where(Appointment.status != "cancelled"))
            ).execute()
        removed = remove_free_slots(plan.remove)
        result = Generated(last, created, len(plan.change), removed, len(plan.misfits))
        append(
            actor,
            "rota.generate",
            detail=f"{first} to {last}: {created} added, {result.changed} changed, {removed} removed, "
            f"{result.misfits} booked no longer fit",
        )
    return result


def describe_slot(slot: Slot) -> str:
    return f"{to_local(slot.starts_at):%a %-d %b %H:%M}"
