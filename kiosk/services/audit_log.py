"""The audit log as a manager reads it (R12): filtered by patient, member of staff, action and London dates, newest
first, a small page at a time; and the same filters as a CSV download, which is itself audited.

Every read is scoped to the manager's practice: a patient or member of staff of another practice is DoesNotExist,
which the route answers as 404.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from peewee import JOIN

from kiosk.actor import Actor
from kiosk.clock import local_day_bounds, to_local
from kiosk.db import database
from kiosk.models import AuditEvent, Patient, StaffUser
from kiosk.services.audit import append
from kiosk.services.online_access import find_patients
from kiosk.services.reports import csv_cell

# Rows per page: the table, the filters and the layout stay inside the 14 KB first-load budget.
PAGE_SIZE = 20
# Matches offered when a name search finds more than one patient.
MATCHES = 10
# A download holds at most this many rows (newest first): a year of a busy practice, and bounded memory.
EXPORT_LIMIT = 50_000
DETAIL_SHOWN = 120  # characters of the detail on the page; the CSV has it all


@dataclass(frozen=True)
class Criteria:
    patient_id: int | None = None
    staff_id: int | None = None
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> str:
        parts = [
            f"patient {self.patient_id}" if self.patient_id else "",
            f"staff {self.staff_id}" if self.staff_id else "",
            f"action {self.action}" if self.action else "",
            f"from {self.date_from.isoformat()}" if self.date_from else "",
            f"to {self.date_to.isoformat()}" if self.date_to else "",
        ]
        return ", ".join(p for p in parts if p) or "no filters"


@dataclass(frozen=True)
class Row:
    at: object
    actor_name: str
    role: str
    action: str
    outcome: str
    patient_name: str
    nhs_number: str
    object: str
    device: str
    detail: str

    @property
    def short_detail(self) -> str:
        return self.detail if len(self.detail) <= DETAIL_SHOWN else self.detail[: DETAIL_SHOWN - 1] + "…"


@dataclass(frozen=True)
class LogPage:
    rows: list[Row]
    page: int
    has_next: bool


def staff_choices(practice_id: int) -> list[tuple[int, str]]:
    members = StaffUser.for_practice(practice_id).order_by(StaffUser.name, StaffUser.id)
    return [(m.id, f"{m.name} ({m.role_label.lower()})") for m in members]


def action_choices(practice_id: int) -> list[str]:
    """The actions this practice's log holds, so every choice finds something."""
    query = AuditEvent.select(AuditEvent.action).where(AuditEvent.practice == practice_id).distinct()
    return sorted(e.action for e in query)


def patient(practice_id: int, patient_id: int) -> Patient:
    return Patient.get_in_practice(practice_id, patient_id)


def check_staff(practice_id: int, staff_id: int) -> StaffUser:
    return StaffUser.get_in_practice(practice_id, staff_id)


def find_patient(actor: Actor, query: str) -> list[Patient]:
    """Patients matching an NHS number, name or date of birth; the search is audited, as reception's is (R12)."""
    found = find_patients(actor.practice_id, query, limit=MATCHES + 1)
    with database.atomic():
        append(actor, "patient.search", detail=f"{len(found)} found for {query.strip()[:60]!r} in the audit log")
    return found


def _query(practice_id: int, criteria: Criteria):
    query = (
        AuditEvent.select(AuditEvent, Patient.given_name, Patient.family_name, Patient.nhs_number)
        .join(Patient, JOIN.LEFT_OUTER, on=(AuditEvent.patient == Patient.id))
        .where(AuditEvent.practice == practice_id)
    )
    if criteria.patient_id:
        query = query.where(AuditEvent.patient == criteria.patient_id)
    if criteria.staff_id:
        query = query.where((AuditEvent.actor_kind == "staff") & (AuditEvent.actor_id == criteria.staff_id))
    if criteria.action:
        query = query.where(AuditEvent.action == criteria.action)
    if criteria.date_from:
        query = query.where(AuditEvent.at >= local_day_bounds(criteria.date_from)[0])
    if criteria.date_to:
        query = query.where(AuditEvent.at < local_day_bounds(criteria.date_to)[1])
    # Newest first in the order the rows were appended, which is the order of the hash chain.
    return query.order_by(AuditEvent.id.desc()).objects()


def _row(event) -> Row:
    name = f"{event.given_name} {event.family_name}" if event.given_name else ""
    return Row(
        at=event.at,
        actor_name=event.actor_name,
        role=event.role,
        action=event.action,
        outcome=event.outcome,
        patient_name=name,
        nhs_number=event.nhs_number or "",
        object=f"{event.object_type} {event.object_id}" if event.object_type else "",
        device=event.device,
        detail=event.detail,
    )


def page(practice_id: int, criteria: Criteria, number: int = 1) -> LogPage:
    """One page, asking for one row more than it shows to know whether there is another (no count of the log)."""
    events = list(_query(practice_id, criteria).limit(PAGE_SIZE + 1).offset((number - 1) * PAGE_SIZE))
    return LogPage([_row(e) for e in events[:PAGE_SIZE]], number, len(events) > PAGE_SIZE)


@dataclass(frozen=True)
class Search:
    criteria: Criteria
    patient: Patient | None = None
    matches: tuple = ()  # several patients matched the search: the manager picks one
    unmatched: bool = False  # nobody matched the search
    log: LogPage | None = None  # None until the patient filter is settled


def search(
    actor: Actor,
    *,
    patient_search: str = "",
    patient_id: int | None = None,
    staff_id: int | None = None,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    number: int = 1,
) -> Search:
    """Settle the patient (a typed search wins over one already chosen), then read one page of the log."""
    chosen = None
    if patient_search.strip():
        found = find_patient(actor, patient_search)
        if len(found) != 1:
            return Search(Criteria(), matches=tuple(found[:MATCHES]), unmatched=not found)
        chosen = found[0]
    elif patient_id:
        chosen = patient(actor.practice_id, patient_id)
    if staff_id:
        check_staff(actor.practice_id, staff_id)
    criteria = Criteria(chosen.id if chosen else None, staff_id, action, date_from, date_to)
    return Search(criteria, patient=chosen, log=page(actor.practice_id, criteria, number))


def link_args(criteria: Criteria) -> dict:
    """The filters as query arguments, for paging links and the CSV download."""
    args = {
        "patient": criteria.patient_id,
        "staff": criteria.staff_id,
        "action": criteria.action,
        "date_from": criteria.date_from.isoformat() if criteria.date_from else None,
        "date_to": criteria.date_to.isoformat() if criteria.date_to else None,
    }
    return {k: v for k, v in args.items() if v}


HEADINGS = ["When (UK time)", "Who", "Role", "Action", "Outcome", "Patient", "NHS number", "Object", "Device", "Detail"]


def export_csv(actor: Actor, criteria: Criteria) -> str:
    """The filtered log as CSV. Cells a spreadsheet would run as formulas are escaped (a detail or a name is typed by
    people). The export is audited with its filters and row count, in the same transaction as the read."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADINGS)
    with database.atomic():
        count = 0
        for event in _query(actor.practice_id, criteria).limit(EXPORT_LIMIT).iterator():
            r = _row(event)
            when = to_local(r.at).strftime("%Y-%m-%d %H:%M:%S")
            values = [when, r.actor_name, r.role, r.action, r.outcome, r.patient_name, r.nhs_number, r.object]
            writer.writerow([csv_cell(v) for v in [*values, r.device, r.detail]])
            count += 1
        append(actor, "audit.export", patient_id=criteria.patient_id, detail=f"{count} rows; {criteria.describe()}")
    return out.getvalue()
