"""What a patient or proxy may read of the record, and clinicians' decisions about it (R3-R6).

Every patient-facing query goes through visible_entries() and visible_letters(): one definition of
"visible", so a list, a count, a detail page fetched by id and a printout cannot disagree. Anything not
visible answers exactly like something that does not exist.
"""

from dataclasses import dataclass
from datetime import date

from peewee import JOIN, Select, fn

from kiosk.actor import Actor
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import (
    RECORD_KINDS,
    RECORD_ORDER,
    WITHHOLD_REASONS,
    AuditEvent,
    CodedEntry,
    Letter,
    LetterAttachment,
    Medicine,
    Patient,
    Practice,
)
from kiosk.services import DomainError, notifications
from kiosk.services.audit import append
from kiosk.services.online_access import record_access_blocked

PAGE_SIZE = 25


def kinds_for(level: str) -> list[str]:
    """The kinds of entry an access level shows, in display order."""
    if level not in RECORD_ORDER or level == "none":
        return []
    allowed = RECORD_ORDER[1 : RECORD_ORDER.index(level) + 1]
    return [kind for kind, (_, needs) in RECORD_KINDS.items() if needs in allowed]


def _letter_shown(practice: Practice):
    return (Letter.status == "cleared") & (Letter.received_on >= practice.letters_from)


def visible_entries(
    practice: Practice, patient_id: int, level: str, kind: str | None = None, blocked: bool | None = None
):
    """Entries the patient (or a proxy at `level`) may see. Nothing at all when enhanced review blocks access (R4).

    `blocked` is record_access_blocked(patient_id) when the caller has just asked it (a page asks it once)."""
    kinds = kinds_for(level)
    if kind is not None:
        kinds = [k for k in kinds if k == kind]
    if not kinds or (record_access_blocked(patient_id) if blocked is None else blocked):
        return CodedEntry.select().where(CodedEntry.id.is_null())  # an empty query of the same shape
    return (
        CodedEntry.select(CodedEntry)
        .join(Letter, JOIN.LEFT_OUTER, on=(CodedEntry.letter == Letter.id))
        .where(
            (CodedEntry.practice == practice.id)
            & (CodedEntry.patient == patient_id)
            & CodedEntry.kind.in_(kinds)
            & CodedEntry.hidden_at.is_null()
            # Abnormal results wait for a clinician (R5).
            & (~CodedEntry.abnormal | CodedEntry.reviewed_at.is_null(False))
            # Entries that came with a letter share its fate (R6).
            & (CodedEntry.letter.is_null() | _letter_shown(practice))
        )
        .order_by(CodedEntry.effective_on.desc(), CodedEntry.id.desc())
    )


def visible_letters(practice: Practice, patient_id: int, level: str):
    """Cleared letters from the practice's chosen date. Letters are documents: full record access only (R3)."""
    if level != "full" or record_access_blocked(patient_id):
        return Letter.select().where(Letter.id.is_null())
    return (
        Letter.select()
        .where((Letter.practice == practice.id) & (Letter.patient == patient_id) & _letter_shown(practice))
        .order_by(Letter.received_on.desc(), Letter.id.desc())
    )


def consultation_lines(practice: Practice, patient_id: int, entries) -> dict[int, list[str]]:
    """The lines of each consultation in `entries` that the patient may read.

    A consultation's text names the items filed under it when it came in. An item the patient may not see (hidden
    by a clinician after the import, an abnormal result still waiting for review, an entry of a letter not cleared)
    must not show through it, so a line naming any such entry's term is left out. Leaving out a line too many is
    safe; showing one is not."""
    consultations = [e for e in entries if e.kind == "consultation" and e.text]
    if not consultations:
        return {}
    unseen = (
        CodedEntry.select(CodedEntry.term)
        .join(Letter, JOIN.LEFT_OUTER, on=(CodedEntry.letter == Letter.id))
        .where(
            (CodedEntry.practice == practice.id)
            & (CodedEntry.patient == patient_id)
            & (
                CodedEntry.hidden_at.is_null(False)
                | (CodedEntry.abnormal & CodedEntry.reviewed_at.is_null())
                | (CodedEntry.letter.is_null(False) & ~_letter_shown(practice))
            )
        )
        .tuples()
    )
    terms = {term.casefold() for (term,) in unseen if term and len(term) >= 3}
    return {e.id: [kept for line in e.text.splitlines() if (kept := _without(line, terms))] for e in consultations}


def _without(line: str, terms: set[str]) -> str:
    """The line without the items that name a term: a heading's items are joined with "; " after "Heading: "."""

    def names(text: str) -> bool:
        return any(t in text.casefold() for t in terms)

    if not names(line):
        return line
    head, sep, first = line.partition(": ") if line.startswith("  ") else ("", "", line)
    if names(head):
        return ""
    items = [item for item in (first if sep else line).split("; ") if not names(item)]
    return f"{head}{sep}{'; '.join(items)}" if sep and items else "; ".join(items)


@dataclass(frozen=True)
class Section:
    kind: str
    title: str
    entries: list
    total: int


def record_overview(
    practice: Practice, patient_id: int, level: str, per_section: int = 10, blocked: bool | None = None
) -> list[Section]:
    """Each section's newest `per_section` entries and its total: two queries, however long the record."""
    kinds = kinds_for(level)
    if not kinds:
        return []
    visible = visible_entries(practice, patient_id, level, blocked=blocked)
    counted = visible.select(CodedEntry.kind, fn.COUNT(CodedEntry.id)).order_by().group_by(CodedEntry.kind)
    totals = dict(counted.tuples())
    place = fn.ROW_NUMBER().over(
        partition_by=[CodedEntry.kind], order_by=[CodedEntry.effective_on.desc(), CodedEntry.id.desc()]
    )
    ranked = visible.select(CodedEntry.id, place.alias("place")).order_by().alias("ranked")
    newest = Select([ranked], [ranked.c.id]).where(ranked.c.place <= per_section)
    entries: dict[str, list[CodedEntry]] = {}
    for entry in visible.where(CodedEntry.id.in_(newest)):  # still newest first
        entries.setdefault(entry.kind, []).append(entry)
    return [Section(kind, RECORD_KINDS[kind][0], entries.get(kind, []), totals.get(kind, 0)) for kind in kinds]


def current_medicines(practice: Practice, patient_id: int, level: str, blocked: bool | None = None) -> list[Medicine]:
    """The summary's medicines: what the practice currently prescribes (from the repeat list)."""
    if level == "none" or (record_access_blocked(patient_id) if blocked is None else blocked):
        return []
    return list(
        Medicine.for_practice(practice.id)
        .where((Medicine.patient == patient_id) & Medicine.stopped_at.is_null() & Medicine.hidden_at.is_null())
        .order_by(Medicine.name)
    )


def viewers(practice_id: int, patient_id: int, limit: int = 50):
    """Who at the practice looked at this patient's record or letters, newest first (staff names and roles)."""
    return (
        AuditEvent.select()
        .where(
            (AuditEvent.practice == practice_id)
            & (AuditEvent.patient == patient_id)
            & (AuditEvent.actor_kind == "staff")
            & AuditEvent.action.in_(["record.view", "letter.view", "letter.view_attachment", "patient.view"])
            & (AuditEvent.outcome == "ok")
        )
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )


# Staff side ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewLetter:
    kind: str
    received_on: date
    author: str
    body: str
    codes: list[tuple[str, str]]
    attachment: tuple[str, str, bytes] | None = None


def file_letter(actor: Actor, patient_id: int, new: NewLetter) -> Letter:
    """Every letter starts awaiting review and invisible, whoever files it (R5)."""
    with database.atomic():
        patient = Patient.get_in_practice(actor.practice_id, patient_id)
        letter = Letter.create(
            practice=actor.practice_id,
            patient=patient,
            kind=new.kind,
            received_on=new.received_on,
            author=new.author.strip(),
            body=new.body.strip(),
            filed_by=actor.id,
        )
        for code, term in new.codes:
            CodedEntry.create(
                practice=actor.practice_id,
                patient=patient,
                kind="problem",
                snomed_code=code,
                term=term,
                effective_on=new.received_on,
                letter=letter,
                added_by=actor.id,
                recorded_at_place=new.author.strip()[:120],
            )
        if new.attachment:
            filename, content_type, data = new.attachment
            LetterAttachment.create(
                practice=actor.practice_id,
                letter=letter,
                filename=filename[:200],
                content_type=content_type[:100],
                data=data,
            )
        append(actor, "letter.file", patient_id=patient.id, obj=letter, detail=f"{new.kind} from {new.author}")
    return letter


def review_queue(practice_id: int):
    """Letters awaiting review, and withheld ones whose look-again date has come, oldest first."""
    return (
        Letter.select(Letter, Patient)
        .join(Patient)
        .where((Letter.practice == practice_id) & (Letter.status == "awaiting_review"))
        .order_by(Letter.created_at, Letter.id)
    )


def due_for_another_look(practice_id: int, today: date):
    return (
        Letter.select(Letter, Patient)
        .join(Patient)
        .where((Letter.practice == practice_id) & (Letter.status == "withheld") & (Letter.look_again_on <= today))
        .order_by(Letter.look_again_on)
    )


def decide_letter(
    actor: Actor, letter_id: int, *, clear: bool, reason: str = "", note: str = "", look_again_on: date | None = None
) -> Letter:
    """Clear for online, or withhold with a reason. Only this makes a letter visible; no decision leaves it hidden."""
    if not clear and reason not in WITHHOLD_REASONS:
        raise DomainError("Choose why the letter is withheld", field="reason")
    with database.atomic():
        letter = Letter.get_in_practice(actor.practice_id, letter_id)
        newly_shown = clear and letter.status != "cleared"
        letter.status = "cleared" if clear else "withheld"
        letter.withhold_reason = "" if clear else reason
        letter.decision_note = note.strip()
        letter.look_again_on = None if clear else look_again_on
        letter.decided_by = actor.id
        letter.decided_at = utcnow()
        letter.save()
        append(
            actor,
            "letter.clear" if clear else "letter.withhold",
            patient_id=letter.patient_id,
            obj=letter,
            detail="" if clear else f"{reason}: {note.strip()}",
        )
        practice = Practice.get_by_id(actor.practice_id)
        if newly_shown and letter.received_on >= practice.letters_from:
            notifications.enqueue_for(practice, Patient.get_by_id(letter.patient_id), "new_to_read")
    return letter


@dataclass(frozen=True)
class NewEntry:
    kind: str
    snomed_code: str
    term: str
    effective_on: date
    value: str = ""
    units: str = ""
    reference_range: str = ""
    abnormal: bool = False
    text: str = ""
    recorded_at_place: str = ""


def add_entry(actor: Actor, patient_id: int, new: NewEntry) -> CodedEntry:
    with database.atomic():
        patient = Patient.get_in_practice(actor.practice_id, patient_id)
        entry = CodedEntry.create(practice=actor.practice_id, patient=patient, added_by=actor.id, **new.__dict__)
        append(actor, "record.add_entry", patient_id=patient.id, obj=entry, detail=f"{new.kind} {new.snomed_code}")
    return entry


def hide_entry(actor: Actor, entry_id: int, reason: str) -> CodedEntry:
    if reason not in WITHHOLD_REASONS:
        raise DomainError("Choose why the entry is hidden", field="reason")
    with database.atomic():
        entry = CodedEntry.get_in_practice(actor.practice_id, entry_id)
        entry.hidden_at, entry.hidden_reason, entry.hidden_by = utcnow(), reason, actor.id
        entry.save()
        append(actor, "record.hide_entry", patient_id=entry.patient_id, obj=entry, detail=reason)
    return entry


def show_entry(actor: Actor, entry_id: int) -> CodedEntry:
    with database.atomic():
        entry = CodedEntry.get_in_practice(actor.practice_id, entry_id)
        entry.hidden_at, entry.hidden_reason, entry.hidden_by = None, "", None
        entry.save()
        append(actor, "record.show_entry", patient_id=entry.patient_id, obj=entry)
    return entry


def review_result(actor: Actor, entry_id: int) -> CodedEntry:
    with database.atomic():
        entry = CodedEntry.get_in_practice(actor.practice_id, entry_id)
        if entry.reviewed_at is None:
            entry.reviewed_at, entry.reviewed_by = utcnow(), actor.id
            entry.save()
            append(actor, "record.review_result", patient_id=entry.patient_id, obj=entry)
            _tell_result_ready(actor, entry)
    return entry


def _tell_result_ready(actor: Actor, entry: CodedEntry) -> None:
    """A reviewed result is "something new to read" only if the patient can now see it (R5, R6)."""
    practice = Practice.get_by_id(actor.practice_id)
    level = RECORD_KINDS.get(entry.kind, (None, None))[1]
    if level is None or entry.hidden_at is not None:
        return
    if visible_entries(practice, entry.patient_id, "full").where(CodedEntry.id == entry.id).exists():
        notifications.enqueue_for(practice, Patient.get_by_id(entry.patient_id), "new_to_read", needed_level=level)


def staff_entries(practice_id: int, patient_id: int):
    """Everything, hidden included, for staff with a reason to look."""
    return (
        CodedEntry.for_practice(practice_id)
        .where(CodedEntry.patient == patient_id)
        .order_by(CodedEntry.effective_on.desc(), CodedEntry.id.desc())
    )
