"""kiosk.services.record: the one definition of "visible" (R3-R6) and the decisions that change it (R5, R12)."""

from datetime import date, timedelta

import pytest

from kiosk.clock import local_today
from kiosk.models import (
    ENHANCED_REVIEW,
    ENHANCED_REVIEW_OVERRIDE,
    AuditEvent,
    CodedEntry,
    Letter,
    LetterAttachment,
    Patient,
)
from kiosk.services import DomainError
from kiosk.services import record as service
from tests.builders import (
    actor_for,
    make_coded_entry,
    make_entry,
    make_letter,
    make_medicine,
    make_patient,
    make_practice,
    make_staff,
)


@pytest.fixture
def clinic(app):
    """A practice, one of its patients, a clinician and a receptionist (as the Actors services see)."""
    practice = make_practice()
    patient = make_patient(practice)
    clinician = actor_for(make_staff(practice, "clinician", name="Dr Rhea Bose"), device="10.1.1.5 Firefox")
    reception = actor_for(make_staff(practice, "reception", name="Sam Reed"), device="10.1.1.6 Edge")
    return practice, patient, clinician, reception


def entries(practice, patient, level="full", kind=None) -> list[int]:
    return [e.id for e in service.visible_entries(practice, patient.id, level, kind)]


def letters(practice, patient, level="full") -> list[int]:
    return [letter.id for letter in service.visible_letters(practice, patient.id, level)]


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


A_LETTER = service.NewLetter(
    "discharge",
    local_today() - timedelta(days=3),
    "Ward 7, City Hospital",
    "Admitted with chest pain.",
    [("29857009", "Chest pain")],
)


# R3: each level shows its kinds


def test_summary_shows_medicines_and_allergies():
    assert service.kinds_for("summary") == ["medication", "allergy"]


def test_detailed_adds_problems_results_immunisations_procedures_and_referrals():
    assert service.kinds_for("detailed") == [
        "medication",
        "allergy",
        "problem",
        "result",
        "immunisation",
        "procedure",
        "referral",
    ]


def test_full_adds_consultation_notes():
    assert service.kinds_for("full")[-1] == "consultation"


def test_no_record_access_shows_no_kinds():
    assert service.kinds_for("none") == []


def test_administrative_codes_show_at_no_level():
    assert not any("admin" in service.kinds_for(level) for level in ("summary", "detailed", "full"))


def test_an_unknown_level_shows_nothing():
    assert service.kinds_for("everything") == []


def test_summary_patient_does_not_see_a_problem(clinic):
    practice, patient, *_ = clinic
    make_entry(patient, "problem")
    assert entries(practice, patient, "summary") == []


def test_detailed_patient_sees_a_problem(clinic):
    practice, patient, *_ = clinic
    problem = make_entry(patient, "problem")
    assert entries(practice, patient, "detailed") == [problem.id]


def test_detailed_patient_does_not_see_a_consultation_note(clinic):
    practice, patient, *_ = clinic
    make_entry(patient, "consultation", text="Discussed low mood.")
    assert entries(practice, patient, "detailed") == []


def test_entries_come_newest_first(clinic):
    practice, patient, *_ = clinic
    old = make_entry(patient, effective_on=date(2020, 1, 1))
    new = make_entry(patient, effective_on=date(2024, 1, 1))
    middle = make_entry(patient, effective_on=date(2022, 1, 1))
    assert entries(practice, patient) == [new.id, middle.id, old.id]


def test_another_patients_entries_are_not_visible(clinic):
    practice, patient, *_ = clinic
    make_entry(make_patient(practice), "problem")
    assert entries(practice, patient) == []


def test_the_patients_entries_are_not_visible_through_another_practice(clinic):
    practice, patient, *_ = clinic
    make_entry(patient, "problem")
    assert entries(make_practice(), patient) == []


# R4: enhanced review


def test_enhanced_review_code_hides_every_entry(clinic):
    practice, patient, *_ = clinic
    make_entry(patient, "allergy")
    make_coded_entry(patient, ENHANCED_REVIEW)
    assert entries(practice, patient) == []


def test_enhanced_review_code_hides_letters(clinic):
    practice, patient, *_ = clinic
    make_letter(patient, status="cleared")
    make_coded_entry(patient, ENHANCED_REVIEW)
    assert letters(practice, patient) == []


def test_enhanced_review_code_hides_current_medicines(clinic):
    practice, patient, *_ = clinic
    make_medicine(patient)
    make_coded_entry(patient, ENHANCED_REVIEW)
    assert service.current_medicines(practice, patient.id, "summary") == []


def test_a_later_override_shows_the_record_again(clinic):
    practice, patient, *_ = clinic
    allergy = make_entry(patient, "allergy")
    make_coded_entry(patient, ENHANCED_REVIEW, effective_on=date(2025, 1, 1))
    make_coded_entry(patient, ENHANCED_REVIEW_OVERRIDE, effective_on=date(2025, 2, 1))
    assert entries(practice, patient) == [allergy.id]


def test_an_override_older_than_the_review_code_does_not_show_the_record(clinic):
    practice, patient, *_ = clinic
    make_entry(patient, "allergy")
    make_coded_entry(patient, ENHANCED_REVIEW_OVERRIDE, effective_on=date(2025, 1, 1))
    make_coded_entry(patient, ENHANCED_REVIEW, effective_on=date(2025, 2, 1))
    assert entries(practice, patient) == []


# R5: letters hidden until cleared


def test_a_filed_letter_awaits_review(clinic):
    _, patient, _, reception = clinic
    assert service.file_letter(reception, patient.id, A_LETTER).status == "awaiting_review"


def test_a_filed_letter_is_invisible(clinic):
    practice, patient, _, reception = clinic
    service.file_letter(reception, patient.id, A_LETTER)
    assert letters(practice, patient) == []


def test_a_letter_filed_by_a_clinician_is_invisible_too(clinic):
    practice, patient, clinician, _ = clinic
    service.file_letter(clinician, patient.id, A_LETTER)
    assert letters(practice, patient) == []


def test_a_cleared_letter_is_visible_at_full_access(clinic):
    practice, patient, clinician, reception = clinic
    letter = service.file_letter(reception, patient.id, A_LETTER)
    service.decide_letter(clinician, letter.id, clear=True)
    assert letters(practice, patient) == [letter.id]


def test_a_cleared_letter_is_not_visible_at_detailed_access(clinic):
    practice, patient, *_ = clinic
    make_letter(patient, status="cleared")
    assert letters(practice, patient, "detailed") == []


def test_a_withheld_letter_is_invisible(clinic):
    practice, patient, clinician, _ = clinic
    letter = make_letter(patient)
    service.decide_letter(clinician, letter.id, clear=False, reason="third_party")
    assert letters(practice, patient) == []


def test_withholding_without_a_reason_is_refused(clinic):
    _, patient, clinician, _ = clinic
    letter = make_letter(patient)
    with pytest.raises(DomainError):
        service.decide_letter(clinician, letter.id, clear=False, reason="")


def test_a_refused_withhold_leaves_the_letter_awaiting_review(clinic):
    _, patient, clinician, _ = clinic
    letter = make_letter(patient)
    with pytest.raises(DomainError):
        service.decide_letter(clinician, letter.id, clear=False, reason="")
    assert Letter.get_by_id(letter.id).status == "awaiting_review"


def test_withholding_keeps_reason_note_look_again_date_and_who(clinic):
    _, patient, clinician, _ = clinic
    letter = make_letter(patient)
    look_again = local_today() + timedelta(days=30)
    service.decide_letter(
        clinician, letter.id, clear=False, reason="serious_harm", note=" Speak to her first ", look_again_on=look_again
    )
    saved = Letter.get_by_id(letter.id)
    assert (saved.withhold_reason, saved.decision_note, saved.look_again_on, saved.decided_by_id) == (
        "serious_harm",
        "Speak to her first",
        look_again,
        clinician.id,
    )


def test_clearing_a_withheld_letter_drops_the_reason_and_look_again_date(clinic):
    _, patient, clinician, _ = clinic
    letter = make_letter(
        patient, status="withheld", withhold_reason="third_party", look_again_on=local_today() + timedelta(days=1)
    )
    service.decide_letter(clinician, letter.id, clear=True)
    saved = Letter.get_by_id(letter.id)
    assert (saved.withhold_reason, saved.look_again_on) == ("", None)


def test_another_practices_clinician_cannot_decide_the_letter(clinic):
    _, patient, _, _ = clinic
    letter = make_letter(patient)
    outsider = actor_for(make_staff(make_practice(), "clinician"))
    with pytest.raises(Letter.DoesNotExist):
        service.decide_letter(outsider, letter.id, clear=True)


def test_letters_come_newest_received_first(clinic):
    practice, patient, *_ = clinic
    older = make_letter(patient, status="cleared", received_on=date(2024, 1, 1))
    newer = make_letter(patient, status="cleared", received_on=date(2025, 1, 1))
    assert letters(practice, patient) == [newer.id, older.id]


# R5: the practice's letters-from date


def test_the_letters_from_date_defaults_to_31_march_2017(clinic):
    practice, *_ = clinic
    assert practice.letters_from == date(2017, 3, 31)


def test_a_cleared_letter_received_before_the_letters_from_date_never_shows(clinic):
    practice, patient, *_ = clinic
    make_letter(patient, status="cleared", received_on=date(2017, 3, 30))
    assert letters(practice, patient) == []


def test_a_cleared_letter_received_on_the_letters_from_date_shows(clinic):
    practice, patient, *_ = clinic
    letter = make_letter(patient, status="cleared", received_on=date(2017, 3, 31))
    assert letters(practice, patient) == [letter.id]


def test_moving_the_letters_from_date_later_hides_letters_already_cleared(clinic):
    practice, patient, *_ = clinic
    make_letter(patient, status="cleared", received_on=date(2020, 6, 1))
    practice.letters_from = date(2021, 1, 1)
    practice.save()
    assert letters(practice, patient) == []


def test_codes_of_a_cleared_letter_from_before_the_letters_from_date_stay_hidden(clinic):
    practice, patient, *_ = clinic
    letter = make_letter(patient, status="cleared", received_on=date(2016, 5, 1))
    make_entry(patient, "problem", letter=letter)
    assert entries(practice, patient) == []


# R6: a letter's codes share its fate


def test_codes_filed_with_a_letter_are_hidden_while_it_awaits_review(clinic):
    practice, patient, _, reception = clinic
    service.file_letter(reception, patient.id, A_LETTER)
    assert entries(practice, patient) == []


def test_codes_filed_with_a_letter_are_kept_as_problems_linked_to_it(clinic):
    _, patient, _, reception = clinic
    letter = service.file_letter(reception, patient.id, A_LETTER)
    assert [(e.kind, e.snomed_code, e.term) for e in letter.entries] == [("problem", "29857009", "Chest pain")]


def test_codes_of_a_withheld_letter_are_hidden_with_it(clinic):
    practice, patient, clinician, reception = clinic
    letter = service.file_letter(reception, patient.id, A_LETTER)
    service.decide_letter(clinician, letter.id, clear=False, reason="third_party")
    assert entries(practice, patient) == []


def test_codes_of_a_cleared_letter_show_with_it(clinic):
    practice, patient, clinician, reception = clinic
    letter = service.file_letter(reception, patient.id, A_LETTER)
    service.decide_letter(clinician, letter.id, clear=True)
    assert [e.term for e in service.visible_entries(practice, patient.id, "detailed")] == ["Chest pain"]


def test_withholding_a_cleared_letter_hides_its_codes_again(clinic):
    practice, patient, clinician, _ = clinic
    letter = make_letter(patient, status="cleared")
    make_entry(patient, "problem", letter=letter)
    service.decide_letter(clinician, letter.id, clear=False, reason="serious_harm")
    assert entries(practice, patient) == []


def test_the_attachment_is_stored_with_the_letter(clinic):
    _, patient, _, reception = clinic
    new = service.NewLetter(
        "other", local_today(), "Lab", "See attached.", [], ("result.pdf", "application/pdf", b"%PDF-1.4 test")
    )
    letter = service.file_letter(reception, patient.id, new)
    stored = LetterAttachment.get(LetterAttachment.letter == letter.id)
    assert (stored.filename, stored.content_type, bytes(stored.data)) == (
        "result.pdf",
        "application/pdf",
        b"%PDF-1.4 test",
    )


def test_filing_for_another_practices_patient_is_refused(clinic):
    _, _, _, reception = clinic
    stranger = make_patient(make_practice())
    with pytest.raises(Patient.DoesNotExist):
        service.file_letter(reception, stranger.id, A_LETTER)


# R5: abnormal results wait for a clinician


def test_an_abnormal_result_is_hidden_until_reviewed(clinic):
    practice, patient, *_ = clinic
    make_entry(patient, "result", value="52", units="mmol/mol", reference_range="20 to 41", abnormal=True)
    assert entries(practice, patient) == []


def test_an_abnormal_result_shows_once_a_clinician_has_reviewed_it(clinic):
    practice, patient, clinician, _ = clinic
    result = make_entry(patient, "result", value="52", abnormal=True)
    service.review_result(clinician, result.id)
    assert entries(practice, patient) == [result.id]


def test_a_normal_result_shows_without_review(clinic):
    practice, patient, *_ = clinic
    result = make_entry(patient, "result", value="4.6")
    assert entries(practice, patient) == [result.id]


def test_reviewing_records_who_and_when(clinic):
    _, patient, clinician, _ = clinic
    result = make_entry(patient, "result", abnormal=True)
    service.review_result(clinician, result.id)
    saved = CodedEntry.get_by_id(result.id)
    assert saved.reviewed_by_id == clinician.id and saved.reviewed_at is not None


# R6: hiding an entry


def test_a_hidden_entry_is_not_visible(clinic):
    practice, patient, clinician, _ = clinic
    allergy = make_entry(patient, "allergy")
    service.hide_entry(clinician, allergy.id, "serious_harm")
    assert entries(practice, patient) == []


def test_hiding_keeps_the_entry_with_reason_and_who(clinic):
    _, patient, clinician, _ = clinic
    allergy = make_entry(patient, "allergy")
    service.hide_entry(clinician, allergy.id, "third_party")
    saved = CodedEntry.get_by_id(allergy.id)
    assert (saved.hidden_reason, saved.hidden_by_id, saved.hidden_at is not None) == ("third_party", clinician.id, True)


def test_hiding_without_a_reason_is_refused(clinic):
    _, patient, clinician, _ = clinic
    allergy = make_entry(patient, "allergy")
    with pytest.raises(DomainError):
        service.hide_entry(clinician, allergy.id, "")


def test_showing_a_hidden_entry_makes_it_visible_again(clinic):
    practice, patient, clinician, _ = clinic
    allergy = make_entry(patient, "allergy")
    service.hide_entry(clinician, allergy.id, "serious_harm")
    service.show_entry(clinician, allergy.id)
    assert entries(practice, patient) == [allergy.id]


def test_a_hidden_entry_stays_in_the_staff_view(clinic):
    practice, patient, clinician, _ = clinic
    allergy = make_entry(patient, "allergy")
    service.hide_entry(clinician, allergy.id, "serious_harm")
    assert [e.id for e in service.staff_entries(practice.id, patient.id)] == [allergy.id]


def test_a_reviewed_abnormal_result_that_is_hidden_stays_hidden(clinic):
    practice, patient, clinician, _ = clinic
    result = make_entry(patient, "result", abnormal=True)
    service.review_result(clinician, result.id)
    service.hide_entry(clinician, result.id, "serious_harm")
    assert entries(practice, patient) == []


# The overview's counts come from the visible set


def test_overview_counts_only_visible_entries(clinic):
    practice, patient, clinician, _ = clinic
    for _ in range(12):
        make_entry(patient, "problem")
    service.hide_entry(clinician, make_entry(patient, "problem").id, "third_party")
    make_entry(patient, "problem", letter=make_letter(patient))
    problems = next(s for s in service.record_overview(practice, patient.id, "detailed") if s.kind == "problem")
    assert (problems.total, len(problems.entries)) == (12, 10)


def test_overview_has_a_section_per_kind_of_the_level(clinic):
    practice, patient, *_ = clinic
    assert [s.kind for s in service.record_overview(practice, patient.id, "summary")] == ["medication", "allergy"]


# The clinician's queue


def test_queue_lists_letters_awaiting_review_oldest_first(clinic):
    practice, patient, _, reception = clinic
    first = service.file_letter(reception, patient.id, A_LETTER)
    second = service.file_letter(reception, patient.id, A_LETTER)
    assert [letter.id for letter in service.review_queue(practice.id)] == [first.id, second.id]


def test_queue_leaves_out_decided_letters(clinic):
    practice, patient, *_ = clinic
    make_letter(patient, status="cleared")
    make_letter(patient, status="withheld", withhold_reason="third_party")
    assert list(service.review_queue(practice.id)) == []


def test_queue_leaves_out_another_practices_letters(clinic):
    practice, *_ = clinic
    make_letter(make_patient(make_practice()))
    assert list(service.review_queue(practice.id)) == []


def test_a_withheld_letter_is_due_another_look_on_its_date(clinic):
    practice, patient, *_ = clinic
    letter = make_letter(patient, status="withheld", withhold_reason="third_party", look_again_on=local_today())
    assert [x.id for x in service.due_for_another_look(practice.id, local_today())] == [letter.id]


def test_a_withheld_letter_is_not_due_before_its_date(clinic):
    practice, patient, *_ = clinic
    make_letter(
        patient, status="withheld", withhold_reason="third_party", look_again_on=local_today() + timedelta(days=1)
    )
    assert list(service.due_for_another_look(practice.id, local_today())) == []


# R12: every decision is audited with who, role, patient, object and device


def _audited(event: AuditEvent) -> tuple:
    return event.actor_name, event.role, event.patient_id, event.object_type, event.object_id, event.device


def test_filing_is_audited(clinic):
    _, patient, _, reception = clinic
    letter = service.file_letter(reception, patient.id, A_LETTER)
    assert [_audited(e) for e in events("letter.file")] == [
        ("Sam Reed", "reception", patient.id, "letter", letter.id, "10.1.1.6 Edge")
    ]


def test_clearing_is_audited(clinic):
    _, patient, clinician, _ = clinic
    letter = make_letter(patient)
    service.decide_letter(clinician, letter.id, clear=True)
    assert [_audited(e) for e in events("letter.clear")] == [
        ("Dr Rhea Bose", "clinician", patient.id, "letter", letter.id, "10.1.1.5 Firefox")
    ]


def test_withholding_is_audited_with_the_reason(clinic):
    _, patient, clinician, _ = clinic
    letter = make_letter(patient)
    service.decide_letter(clinician, letter.id, clear=False, reason="third_party", note="Mentions her brother")
    [event] = events("letter.withhold")
    assert (_audited(event), event.detail) == (
        ("Dr Rhea Bose", "clinician", patient.id, "letter", letter.id, "10.1.1.5 Firefox"),
        "third_party: Mentions her brother",
    )


def test_a_refused_withhold_changes_no_letter_and_records_no_decision(clinic):
    _, patient, clinician, _ = clinic
    letter = make_letter(patient)
    with pytest.raises(DomainError):
        service.decide_letter(clinician, letter.id, clear=False)
    assert events("letter.withhold") == []


def test_hiding_is_audited(clinic):
    _, patient, clinician, _ = clinic
    entry = make_entry(patient, "allergy")
    service.hide_entry(clinician, entry.id, "serious_harm")
    assert [_audited(e) for e in events("record.hide_entry")] == [
        ("Dr Rhea Bose", "clinician", patient.id, "codedentry", entry.id, "10.1.1.5 Firefox")
    ]


def test_showing_is_audited(clinic):
    _, patient, clinician, _ = clinic
    entry = make_entry(patient, "allergy")
    service.hide_entry(clinician, entry.id, "serious_harm")
    service.show_entry(clinician, entry.id)
    assert [_audited(e) for e in events("record.show_entry")] == [
        ("Dr Rhea Bose", "clinician", patient.id, "codedentry", entry.id, "10.1.1.5 Firefox")
    ]


def test_reviewing_a_result_is_audited(clinic):
    _, patient, clinician, _ = clinic
    entry = make_entry(patient, "result", abnormal=True)
    service.review_result(clinician, entry.id)
    assert [_audited(e) for e in events("record.review_result")] == [
        ("Dr Rhea Bose", "clinician", patient.id, "codedentry", entry.id, "10.1.1.5 Firefox")
    ]


def test_adding_an_entry_is_audited(clinic):
    _, patient, clinician, _ = clinic
    entry = service.add_entry(
        clinician, patient.id, service.NewEntry("allergy", "91936005", "Allergy to penicillin", date(2024, 5, 1))
    )
    assert [_audited(e) for e in events("record.add_entry")] == [
        ("Dr Rhea Bose", "clinician", patient.id, "codedentry", entry.id, "10.1.1.5 Firefox")
    ]


# Who viewed my record


def test_viewers_lists_staff_views_of_this_patient_only(clinic):
    from kiosk.services.audit import append as audit

    practice, patient, clinician, reception = clinic
    other = make_patient(practice)
    audit(clinician, "record.view", patient_id=patient.id)
    audit(reception, "record.view", patient_id=other.id)
    assert [e.actor_name for e in service.viewers(practice.id, patient.id)] == ["Dr Rhea Bose"]


def test_viewers_leaves_out_decisions_that_are_not_views(clinic):
    practice, patient, clinician, _ = clinic
    service.hide_entry(clinician, make_entry(patient, "allergy").id, "serious_harm")
    assert list(service.viewers(practice.id, patient.id)) == []
