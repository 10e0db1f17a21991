"""Staff: filing letters, clinicians clearing or withholding them, and keeping the coded record."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, request, url_for

from kiosk.access import current_actor, in_practice_or_404, staff_required
from kiosk.clock import local_today, utcnow
from kiosk.downloads import send_attachment
from kiosk.forms import ActionForm
from kiosk.forms.base import attach_error
from kiosk.forms.fields import attachment_name, attachment_type, parse_date_text, three_box_date
from kiosk.forms.record import LETTER_DECISIONS, EntryForm, HideForm, LetterForm, WithholdLetterForm
from kiosk.models import CodedEntry, Letter, LetterAttachment, Patient
from kiosk.rendering import render, render_form_errors
from kiosk.request_guards import accepts_uploads
from kiosk.roles import CLINICAL, DECIDERS
from kiosk.services import DomainError, audit, gpconnect_import
from kiosk.services import record as record_service

bp = Blueprint("record", __name__)


@bp.get("/patients/<int:patient_id>/record")
@staff_required()
def patient_record(patient_id: int):
    patient = in_practice_or_404(Patient, patient_id)
    audit.viewed(current_actor(), "record.view", patient_id=patient.id, detail="staff view")
    letters = (
        Letter.for_practice(patient.practice_id).where(Letter.patient == patient.id).order_by(Letter.received_on.desc())
    )
    return render(
        "staff/record/patient_record.html",
        patient=patient,
        entries=record_service.staff_entries(patient.practice_id, patient.id),
        letters=letters,
        hide_form=HideForm(),
        action_form=ActionForm(),
        imports=gpconnect_import.imports_for(patient.practice_id, patient.id),
    )


def _entry_from(form: EntryForm) -> record_service.NewEntry | None:
    effective = parse_date_text(form.effective_on.data)
    if effective is None:
        form.effective_on.errors.append("Enter a real date like 31/01/2026")
        return None
    if effective > local_today():
        form.effective_on.errors.append("The date must be today or in the past")
        return None
    return record_service.NewEntry(
        form.kind.data,
        form.snomed_code.data.strip(),
        form.term.data.strip(),
        effective,
        (form.value.data or "").strip(),
        (form.units.data or "").strip(),
        (form.reference_range.data or "").strip(),
        form.abnormal.data,
        (form.text.data or "").strip(),
        (form.recorded_at_place.data or "").strip(),
    )


@bp.route("/patients/<int:patient_id>/record/new", methods=["GET", "POST"])
@staff_required(*CLINICAL)
def new_entry(patient_id: int):
    patient = in_practice_or_404(Patient, patient_id)
    form = EntryForm()
    if form.validate_on_submit() and (new := _entry_from(form)) is not None:
        record_service.add_entry(current_actor(), patient.id, new)
        flash("Entry added")
        return redirect(url_for(".patient_record", patient_id=patient.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/record/entry_new.html", form, patient=patient)
    return render("staff/record/entry_new.html", form=form, patient=patient)


@bp.post("/entries/<int:entry_id>/<any(hide, show, review):change>")
@staff_required(*DECIDERS)
def change_entry(entry_id: int, change: str):
    form = HideForm() if change == "hide" else ActionForm()
    entry = in_practice_or_404(CodedEntry, entry_id)
    if not form.validate_on_submit():
        flash("Choose why the entry is hidden", "error")
        return redirect(url_for(".patient_record", patient_id=entry.patient_id, _anchor=f"entry-{entry.id}"), 303)
    actor = current_actor()
    if change == "hide":
        record_service.hide_entry(actor, entry.id, form.reason.data)
    elif change == "show":
        record_service.show_entry(actor, entry.id)
    else:
        record_service.review_result(actor, entry.id)
    flash(
        {
            "hide": "Entry hidden from online view",
            "show": "Entry visible online again",
            "review": "Result reviewed: the patient can see it",
        }[change]
    )
    return redirect(url_for(".patient_record", patient_id=entry.patient_id, _anchor=f"entry-{entry.id}"), 303)


def _codes(text: str) -> tuple[list[tuple[str, str]], str | None]:
    codes = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        code, _, term = line.strip().partition(" ")
        if not (code.isascii() and code.isdigit()) or not 6 <= len(code) <= 18 or not term.strip():
            return [], f"Write each code on its own line: the SNOMED CT code, a space, then the term ({line[:40]})"
        codes.append((code, term.strip()[:255]))
    return codes, None


@bp.route("/patients/<int:patient_id>/letters/new", methods=["GET", "POST"])
@accepts_uploads("attachment")
@staff_required()
def file_letter(patient_id: int):
    patient = in_practice_or_404(Patient, patient_id)
    form = LetterForm()
    if form.validate_on_submit():
        received, codes, problem = None, [], None
        try:
            received = three_box_date(form.day.data, form.month.data, form.year.data)
        except ValueError:
            form.day.errors.append("Date received must be a real date")
        if received and received > local_today():
            form.day.errors.append("Date received must be today or in the past")
        codes, problem = _codes(form.codes.data)
        if problem:
            form.codes.errors.append(problem)
        if not any(f.errors for f in form):
            upload = form.attachment.data
            attachment = None
            if upload:
                # The type is the one the content showed (the form refused anything else), not the browser's word.
                kind = attachment_type(upload)
                attachment = (attachment_name(upload.filename, kind), kind, upload.read())
            record_service.file_letter(
                current_actor(),
                patient.id,
                record_service.NewLetter(form.kind.data, received, form.author.data, form.body.data, codes, attachment),
            )
            flash("Letter filed. It stays hidden from the patient until a clinician clears it.")
            return redirect(url_for(".patient_record", patient_id=patient.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/record/letter_new.html", form, patient=patient)
    return render("staff/record/letter_new.html", form=form, patient=patient)


@bp.get("/letters/")
@staff_required(*CLINICAL)
def letter_queue():
    practice_id = current_actor().practice_id
    return render(
        "staff/record/letter_queue.html",
        letters=record_service.review_queue(practice_id),
        again=record_service.due_for_another_look(practice_id, local_today()),
        now=utcnow(),
    )


@bp.get("/letters/<int:letter_id>")
@staff_required(*CLINICAL)
def review_letter(letter_id: int):
    letter = in_practice_or_404(Letter, letter_id)
    audit.viewed(current_actor(), "letter.view", patient_id=letter.patient_id, obj=letter)
    return render("staff/record/letter_review.html", form=WithholdLetterForm(), letter=letter)


@bp.post("/letters/<int:letter_id>")
@staff_required(*DECIDERS)
def decide_letter(letter_id: int):
    letter = in_practice_or_404(Letter, letter_id)
    form = WithholdLetterForm()
    decision = request.form.get("decision")
    if decision not in LETTER_DECISIONS:
        # Nothing is decided unless one of the two buttons sent its own value (R5): the letter stays hidden.
        # CSRFProtect has already checked the token of every POST.
        message = "Choose “Clear for patient to see” or “Withhold from patient”. The letter is still hidden."
        form.form_errors.append(message)
        return render_form_errors("staff/record/letter_review.html", form, letter=letter, decision_error=message)
    if decision == "clear":
        return _decide_letter(form, letter, clear=True)
    if form.validate_on_submit():
        look_again, problem = _look_again(form)
        if problem:
            form.look_day.errors.append(problem)
        else:
            return _decide_letter(form, letter, clear=False, look_again=look_again)
    return render_form_errors("staff/record/letter_review.html", form, letter=letter)


def _decide_letter(form: WithholdLetterForm, letter: Letter, *, clear: bool, look_again: date | None = None):
    try:
        record_service.decide_letter(
            current_actor(),
            letter.id,
            clear=clear,
            reason="" if clear else form.reason.data,
            note="" if clear else form.note.data or "",
            look_again_on=look_again,
        )
    except DomainError as e:
        attach_error(form, e)
        return render_form_errors("staff/record/letter_review.html", form, letter=letter)
    flash("Letter cleared: the patient can read it now" if clear else "Letter withheld: the patient cannot see it")
    return redirect(url_for(".letter_queue"), 303)


def _look_again(form) -> tuple[date | None, str | None]:
    parts = (form.look_day.data, form.look_month.data, form.look_year.data)
    if all(p is None for p in parts):
        return None, None
    try:
        when = three_box_date(form.look_day.data, form.look_month.data, form.look_year.data)
    except (TypeError, ValueError):
        return None, "The date to look again must be a real date"
    if when <= local_today():
        return None, "The date to look again must be in the future"
    return when, None


@bp.get("/letters/<int:letter_id>/attachments/<int:attachment_id>")
@staff_required()
def letter_attachment(letter_id: int, attachment_id: int):
    letter = in_practice_or_404(Letter, letter_id)
    item = LetterAttachment.get_or_none((LetterAttachment.id == attachment_id) & (LetterAttachment.letter == letter.id))
    if item is None:
        abort(404)
    audit.viewed(current_actor(), "letter.view_attachment", patient_id=letter.patient_id, obj=item)
    return send_attachment(item)
