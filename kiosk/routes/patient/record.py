"""Patients and proxies reading the record and letters. Hidden things answer exactly like missing ones (R6)."""

from flask import Blueprint, abort, g, request

from kiosk.access import current_actor, patient_required
from kiosk.downloads import send_attachment
from kiosk.models import LETTER_KINDS, RECORD_KINDS, Letter, LetterAttachment
from kiosk.rendering import render
from kiosk.services import audit
from kiosk.services import record as record_service

bp = Blueprint("record", __name__)
# Far past any record's length, and small enough that its OFFSET fits every database's integer.
MAX_PAGE = 10_000


def _context():
    practice = g.account.practice
    return practice, g.scope.patient.id, g.scope.record_level


@bp.get("/record")
@patient_required("record")
def overview():
    practice, patient_id, level = _context()
    audit.viewed(current_actor(), "record.view", patient_id=patient_id, detail=f"overview ({level})")
    blocked = record_service.record_access_blocked(patient_id)  # asked once for the page, not by each service
    sections = record_service.record_overview(practice, patient_id, level, blocked=blocked)
    shown = [entry for s in sections for entry in s.entries]
    return render(
        "patient/record/overview.html",
        sections=sections,
        consultation_lines=record_service.consultation_lines(practice, patient_id, shown),
        medicines=record_service.current_medicines(practice, patient_id, level, blocked=blocked),
        blocked=blocked,
        level=level,
        letters_shown=level == "full",
    )


@bp.get("/record/<kind>")
@patient_required("record")
def section(kind: str):
    practice, patient_id, level = _context()
    if kind not in record_service.kinds_for(level):
        abort(404)
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= MAX_PAGE:
        page = 1  # junk in the address starts at the first page, as a date that cannot be shown starts today
    query = record_service.visible_entries(practice, patient_id, level, kind)
    total = query.count()
    entries = list(query.paginate(page, record_service.PAGE_SIZE))
    if page > 1 and not entries:
        abort(404)
    audit.viewed(current_actor(), "record.view", patient_id=patient_id, detail=f"{kind} page {page}")
    return render(
        "patient/record/section.html",
        kind=kind,
        title=RECORD_KINDS[kind][0],
        entries=entries,
        consultation_lines=record_service.consultation_lines(practice, patient_id, entries),
        page=page,
        has_next=page * record_service.PAGE_SIZE < total,
        total=total,
    )


@bp.get("/record/viewers")
@patient_required("record")
def viewers():
    practice, patient_id, _ = _context()
    audit.viewed(current_actor(), "record.view_viewers", patient_id=patient_id)
    return render("patient/record/viewers.html", events=record_service.viewers(practice.id, patient_id))


@bp.get("/letters")
@patient_required("record")
def letters():
    practice, patient_id, level = _context()
    if level != "full":
        abort(404)
    audit.viewed(current_actor(), "record.view", patient_id=patient_id, detail="letters list")
    return render(
        "patient/record/letters.html",
        letters=record_service.visible_letters(practice, patient_id, level),
        kinds=LETTER_KINDS,
    )


def _visible_letter(letter_id: int):
    practice, patient_id, level = _context()
    letter = record_service.visible_letters(practice, patient_id, level).where(Letter.id == letter_id).first()
    if letter is None:
        # Refused like any missing letter, but the attempt is on record (R12).
        audit.viewed(
            current_actor(),
            "letter.view",
            patient_id=patient_id,
            outcome="refused",
            detail=f"letter {letter_id} not visible",
        )
        abort(404)
    return letter


@bp.get("/letters/<int:letter_id>")
@patient_required("record")
def letter(letter_id: int):
    found = _visible_letter(letter_id)
    audit.viewed(current_actor(), "letter.view", patient_id=found.patient_id, obj=found)
    return render("patient/record/letter.html", letter=found)


@bp.get("/letters/<int:letter_id>/attachments/<int:attachment_id>")
@patient_required("record")
def attachment(letter_id: int, attachment_id: int):
    found = _visible_letter(letter_id)
    item = LetterAttachment.get_or_none((LetterAttachment.id == attachment_id) & (LetterAttachment.letter == found.id))
    if item is None:
        abort(404)
    audit.viewed(current_actor(), "letter.view_attachment", patient_id=found.patient_id, obj=item)
    return send_attachment(item)
