"""Staff keeping the record over real routes: filing letters, the clinician's review (R5), hiding entries (R6),
who may do what, foreign ids, CSRF, attachments and the audit of each decision (R12)."""

import io
import re
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from kiosk.clock import local_today
from kiosk.models import AuditEvent, CodedEntry, Letter, LetterAttachment
from tests.builders import (
    make_entry,
    make_letter,
    make_patient,
    make_patient_session,
    make_practice,
    make_registered_account,
    make_staff,
    make_staff_session,
)

PC = {"User-Agent": "Reception PC browser"}


@pytest.fixture
def patient(practice):
    return make_patient(practice, given_name="Mina", family_name="Okafor")


@pytest.fixture
def as_staff(client, practice):
    """as_staff(role, practice=None): a member of staff signed in on `client`."""

    def make(role: str = "clinician", at=None, **overrides):
        staff = make_staff(at or practice, role, **overrides)
        make_staff_session(client, staff)
        return staff

    return make


def text(response) -> str:
    return re.sub(r"\s+", " ", HTMLParser(response.get_data(as_text=True)).body.text())


def title(response) -> str:
    return HTMLParser(response.get_data(as_text=True)).css_first("title").text()


def letter_form(**overrides) -> dict:
    received = local_today() - timedelta(days=2)
    return {
        "kind": "discharge",
        "day": str(received.day),
        "month": str(received.month),
        "year": str(received.year),
        "author": "Ward 7, City Hospital",
        "body": "Admitted with chest pain. Troponin negative.",
        "codes": "29857009 Chest pain\n",
        **overrides,
    }


def file_letter(client, patient, **overrides):
    return client.form_post(f"/staff/patients/{patient.id}/letters/new", letter_form(**overrides), headers=PC)


def decide(client, letter, **data):
    return client.form_post(f"/staff/letters/{letter.id}", data, headers=PC)


def reloaded(letter) -> Letter:
    return Letter.get_by_id(letter.id)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def future(days: int = 30) -> dict:
    when = local_today() + timedelta(days=days)
    return {"look_day": str(when.day), "look_month": str(when.month), "look_year": str(when.year)}


# Filing a letter


def test_reception_files_a_letter_and_is_sent_to_the_record(client, as_staff, patient):
    as_staff("reception")
    response = file_letter(client, patient)
    assert (response.status_code, response.headers["Location"]) == (303, f"/staff/patients/{patient.id}/record")


def test_a_filed_letter_awaits_review(client, as_staff, patient):
    as_staff("reception")
    file_letter(client, patient)
    assert [(x.kind, x.author, x.status) for x in Letter.select()] == [
        ("discharge", "Ward 7, City Hospital", "awaiting_review")
    ]


def test_codes_filed_with_a_letter_belong_to_it(client, as_staff, patient):
    as_staff("reception")
    file_letter(client, patient, codes="29857009 Chest pain\n\n195967001 Asthma")
    letter = Letter.get()
    assert [(e.snomed_code, e.term, e.letter_id) for e in CodedEntry.select().order_by(CodedEntry.id)] == [
        ("29857009", "Chest pain", letter.id),
        ("195967001", "Asthma", letter.id),
    ]


def test_the_attachment_is_stored(client, as_staff, patient):
    as_staff("reception")
    file_letter(client, patient, attachment=(io.BytesIO(b"%PDF-1.4 discharge"), "discharge.pdf", "application/pdf"))
    stored = LetterAttachment.get()
    assert (stored.filename, stored.content_type, bytes(stored.data)) == (
        "discharge.pdf",
        "application/pdf",
        b"%PDF-1.4 discharge",
    )


def test_the_patient_cannot_see_a_letter_just_filed(client, as_staff, practice, patient):
    as_staff("reception")
    file_letter(client, patient, author="Ward 7, City Hospital")
    make_patient_session(client, make_registered_account(practice, patient, record_level="full"))
    assert "Ward 7" not in text(client.get("/letters"))


def test_filing_is_audited_with_the_device(client, as_staff, patient):
    staff = as_staff("reception", name="Ruth Desk")
    file_letter(client, patient)
    [event] = events("letter.file")
    assert (event.actor_id, event.role, event.patient_id, event.object_id, event.device) == (
        staff.id,
        "reception",
        patient.id,
        Letter.get().id,
        "127.0.0.1 Reception PC browser",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": ""}, "Choose the kind of letter"),
        ({"day": ""}, "Date received must include a day"),
        ({"day": "31", "month": "2", "year": "2025"}, "Date received must be a real date"),
        ({"day": "1", "month": "1", "year": str(local_today().year + 1)}, "Date received must be today or in the past"),
        ({"author": ""}, "Enter who the letter is from"),
        ({"body": ""}, "Enter the text of the letter"),
        ({"codes": "chest pain"}, "Write each code on its own line"),
        ({"codes": "12345 Too short"}, "Write each code on its own line"),
        ({"codes": "29857009"}, "Write each code on its own line"),
    ],
)
def test_a_letter_with_a_problem_is_shown_again_with_the_error(client, as_staff, patient, overrides, message):
    as_staff("reception")
    response = file_letter(client, patient, **overrides)
    assert (title(response).startswith("Error: "), message in text(response)) == (True, True)


def test_a_letter_with_a_problem_is_not_filed(client, as_staff, patient):
    as_staff("reception")
    file_letter(client, patient, codes="not a code")
    assert (Letter.select().count(), CodedEntry.select().count()) == (0, 0)


# The review queue


def test_queue_lists_letters_oldest_first_with_the_patient(client, as_staff, patient):
    as_staff("reception")
    file_letter(client, patient, author="First clinic")
    file_letter(client, patient, author="Second clinic")
    as_staff("clinician")
    rows = HTMLParser(client.get("/staff/letters/").get_data(as_text=True)).css("main tbody tr")
    assert [[td.text(strip=True) for td in row.css("td")][2:] for row in rows] == [
        ["Mina Okafor", "Discharge summary from First clinic"],
        ["Mina Okafor", "Discharge summary from Second clinic"],
    ]


def test_queue_leaves_out_decided_letters(client, as_staff, patient):
    make_letter(patient, status="cleared", author="Cleared clinic")
    make_letter(patient, status="withheld", withhold_reason="third_party", author="Withheld clinic")
    as_staff("clinician")
    page = text(client.get("/staff/letters/"))
    assert "Cleared clinic" not in page and "Withheld clinic" not in page


def test_queue_shows_a_withheld_letter_due_another_look(client, as_staff, patient):
    make_letter(patient, status="withheld", withhold_reason="third_party", look_again_on=local_today())
    as_staff("clinician")
    assert "Withheld letters due another look" in text(client.get("/staff/letters/"))


def test_queue_leaves_out_another_practices_letters(client, as_staff):
    make_letter(make_patient(make_practice(), family_name="Elsewhere"))
    as_staff("clinician")
    assert "Elsewhere" not in text(client.get("/staff/letters/"))


# The clinician's decision


def test_clinician_clears_a_letter(client, as_staff, patient):
    letter = make_letter(patient)
    clinician = as_staff("clinician")
    decide(client, letter, decision="clear")
    assert (reloaded(letter).status, reloaded(letter).decided_by_id) == ("cleared", clinician.id)


def test_clearing_goes_back_to_the_queue(client, as_staff, patient):
    letter = make_letter(patient)
    as_staff("clinician")
    response = decide(client, letter, decision="clear")
    assert (response.status_code, response.headers["Location"]) == (303, "/staff/letters/")


def test_the_patient_reads_a_letter_once_cleared(client, as_staff, practice, patient):
    letter = make_letter(patient, body="Blood pressure well controlled.")
    as_staff("clinician")
    decide(client, letter, decision="clear")
    make_patient_session(client, make_registered_account(practice, patient, record_level="full"))
    assert "Blood pressure well controlled." in text(client.get(f"/letters/{letter.id}"))


def test_clinician_withholds_a_letter_with_a_reason(client, as_staff, patient):
    letter = make_letter(patient)
    as_staff("clinician")
    decide(client, letter, decision="withhold", reason="serious_harm", note="Tell her in person first")
    saved = reloaded(letter)
    assert (saved.status, saved.withhold_reason, saved.decision_note) == (
        "withheld",
        "serious_harm",
        "Tell her in person first",
    )


def test_withholding_without_a_reason_is_shown_as_an_error(client, as_staff, patient):
    letter = make_letter(patient)
    as_staff("clinician")
    response = decide(client, letter, decision="withhold")
    assert (title(response).startswith("Error: "), "Choose why the letter is withheld" in text(response)) == (
        True,
        True,
    )


def test_withholding_without_a_reason_leaves_the_letter_awaiting_review(client, as_staff, patient):
    letter = make_letter(patient)
    as_staff("clinician")
    decide(client, letter, decision="withhold")
    assert reloaded(letter).status == "awaiting_review"


def test_withholding_with_a_future_look_again_date_keeps_it(client, as_staff, patient):
    letter = make_letter(patient)
    as_staff("clinician")
    decide(client, letter, decision="withhold", reason="third_party", **future(30))
    assert reloaded(letter).look_again_on == local_today() + timedelta(days=30)


@pytest.mark.parametrize(
    ("days", "parts"),
    [(0, None), (-1, None), (None, ("31", "2", "2031")), (None, ("1", "", ""))],
    ids=["today", "yesterday", "not-a-date", "day-only"],
)
def test_a_look_again_date_that_is_not_in_the_future_is_refused(client, as_staff, patient, days, parts):
    letter = make_letter(patient)
    as_staff("clinician")
    dates = future(days) if days is not None else dict(zip(("look_day", "look_month", "look_year"), parts, strict=True))
    response = decide(client, letter, decision="withhold", reason="third_party", **dates)
    assert (title(response).startswith("Error: "), reloaded(letter).status) == (True, "awaiting_review")


def test_a_look_again_date_of_today_says_it_must_be_in_the_future(client, as_staff, patient):
    letter = make_letter(patient)
    as_staff("clinician")
    response = decide(client, letter, decision="withhold", reason="third_party", **future(0))
    assert "The date to look again must be in the future" in text(response)


def test_saving_without_a_decision_is_an_error(client, as_staff, patient):
    letter = make_letter(patient)
    as_staff("clinician")
    response = decide(client, letter)
    assert (
        title(response).startswith("Error: "),
        "Choose “Clear for patient to see” or “Withhold from patient”" in text(response),
    ) == (True, True)


def test_saving_without_a_decision_leaves_the_letter_hidden(client, as_staff, patient):
    letter = make_letter(patient)
    as_staff("clinician")
    decide(client, letter)
    assert reloaded(letter).status == "awaiting_review"


def test_reading_the_letter_and_leaving_leaves_it_hidden(client, as_staff, practice, patient):
    letter = make_letter(patient, body="Leave me hidden.")
    as_staff("clinician")
    client.get(f"/staff/letters/{letter.id}")
    client.get("/staff/letters/")
    make_patient_session(client, make_registered_account(practice, patient, record_level="full"))
    assert (reloaded(letter).status, client.get(f"/letters/{letter.id}").status_code) == ("awaiting_review", 404)


def test_the_review_page_warns_about_a_letter_from_before_the_letters_from_date(client, as_staff, patient):
    letter = make_letter(patient, received_on=date(2016, 1, 4))
    as_staff("clinician")
    assert "it will not show online even if cleared" in text(client.get(f"/staff/letters/{letter.id}"))


def test_the_review_page_shows_the_letters_codes(client, as_staff, patient):
    letter = make_letter(patient)
    make_entry(patient, "problem", term="Chest pain", snomed_code="29857009", letter=letter)
    as_staff("clinician")
    assert "Chest pain (29857009)" in text(client.get(f"/staff/letters/{letter.id}"))


def test_clearing_is_audited_with_who_and_device(client, as_staff, patient):
    letter = make_letter(patient)
    clinician = as_staff("clinician", name="Dr Ola Ade")
    decide(client, letter, decision="clear")
    [event] = events("letter.clear")
    assert (event.actor_id, event.actor_name, event.role, event.patient_id, event.object_id, event.device) == (
        clinician.id,
        "Dr Ola Ade",
        "clinician",
        patient.id,
        letter.id,
        "127.0.0.1 Reception PC browser",
    )


def test_withholding_is_audited_with_the_reason(client, as_staff, patient):
    letter = make_letter(patient)
    as_staff("clinician")
    decide(client, letter, decision="withhold", reason="third_party", note="Names her neighbour")
    assert [(e.object_id, e.detail) for e in events("letter.withhold")] == [
        (letter.id, "third_party: Names her neighbour")
    ]


# Keeping the coded record


def entry_form(**overrides) -> dict:
    return {
        "kind": "result",
        "snomed_code": "1022431000000105",
        "term": "Haemoglobin A1c level",
        "effective_on": "03/02/2025",
        "value": "52",
        "units": "mmol/mol",
        "reference_range": "20 to 41",
        "abnormal": "y",
        **overrides,
    }


def test_clinician_adds_an_entry(client, as_staff, patient):
    clinician = as_staff("clinician")
    client.form_post(f"/staff/patients/{patient.id}/record/new", entry_form(), headers=PC)
    entry = CodedEntry.get()
    assert (entry.kind, entry.term, entry.effective_on, entry.value, entry.abnormal, entry.added_by_id) == (
        "result",
        "Haemoglobin A1c level",
        date(2025, 2, 3),
        "52",
        True,
        clinician.id,
    )


def test_adding_an_entry_is_audited(client, as_staff, patient):
    as_staff("clinician")
    client.form_post(f"/staff/patients/{patient.id}/record/new", entry_form(), headers=PC)
    assert [(e.patient_id, e.object_id) for e in events("record.add_entry")] == [(patient.id, CodedEntry.get().id)]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"snomed_code": "12ab"}, "A SNOMED CT code is 6 to 18 digits"),
        ({"term": ""}, "Enter the term"),
        ({"effective_on": "3 Feb"}, "Enter a real date like 31/01/2026"),
        (
            {"effective_on": (local_today() + timedelta(days=1)).strftime("%d/%m/%Y")},
            "The date must be today or in the past",
        ),
        ({"kind": "gossip"}, "Choose the kind of entry"),
    ],
)
def test_an_entry_with_a_problem_is_shown_again_with_the_error(client, as_staff, patient, overrides, message):
    as_staff("clinician")
    response = client.form_post(f"/staff/patients/{patient.id}/record/new", entry_form(**overrides))
    assert (title(response).startswith("Error: "), message in text(response), CodedEntry.select().count()) == (
        True,
        True,
        0,
    )


def change(client, entry, what: str, **data):
    return client.form_post(
        f"/staff/entries/{entry.id}/{what}", data, token_from=f"/staff/patients/{entry.patient_id}/record", headers=PC
    )


def test_clinician_hides_an_entry_with_a_reason(client, as_staff, patient):
    entry = make_entry(patient, "problem")
    as_staff("clinician")
    change(client, entry, "hide", reason="third_party")
    assert CodedEntry.get_by_id(entry.id).hidden_reason == "third_party"


def test_hiding_without_a_reason_changes_nothing(client, as_staff, patient):
    entry = make_entry(patient, "problem")
    as_staff("clinician")
    change(client, entry, "hide")
    assert CodedEntry.get_by_id(entry.id).hidden_at is None


def test_hiding_without_a_reason_says_why(client, as_staff, patient):
    entry = make_entry(patient, "problem")
    as_staff("clinician")
    response = change(client, entry, "hide")
    assert "Choose why the entry is hidden" in text(client.get(response.headers["Location"]))


def test_clinician_shows_a_hidden_entry_again(client, as_staff, patient):
    entry = make_entry(patient, "problem", hidden_at=date(2025, 1, 1), hidden_reason="serious_harm")
    as_staff("clinician")
    change(client, entry, "show")
    assert CodedEntry.get_by_id(entry.id).hidden_at is None


def test_clinician_marks_an_abnormal_result_reviewed(client, as_staff, patient):
    entry = make_entry(patient, "result", abnormal=True)
    clinician = as_staff("clinician")
    change(client, entry, "review")
    assert CodedEntry.get_by_id(entry.id).reviewed_by_id == clinician.id


def test_the_staff_record_shows_hidden_entries_with_their_reason(client, as_staff, patient):
    make_entry(
        patient, "problem", term="Safeguarding concern", hidden_at=date(2025, 1, 1), hidden_reason="serious_harm"
    )
    as_staff("reception")
    assert "Safeguarding concern" in text(client.get(f"/staff/patients/{patient.id}/record"))


@pytest.mark.parametrize("what", ["hide", "show", "review"])
def test_the_change_is_audited(client, as_staff, patient, what):
    entry = make_entry(patient, "result", abnormal=True, hidden_at=date(2025, 1, 1) if what == "show" else None)
    as_staff("clinician")
    change(client, entry, what, reason="serious_harm")
    action = {"hide": "record.hide_entry", "show": "record.show_entry", "review": "record.review_result"}[what]
    assert [(e.role, e.patient_id, e.object_id, e.device) for e in events(action)] == [
        ("clinician", patient.id, entry.id, "127.0.0.1 Reception PC browser")
    ]


# Who may do what: reception files letters; only clinicians decide


def snapshot() -> tuple:
    return (
        list(Letter.select(Letter.id, Letter.status, Letter.withhold_reason).order_by(Letter.id).tuples()),
        list(
            CodedEntry.select(CodedEntry.id, CodedEntry.hidden_at, CodedEntry.reviewed_at)
            .order_by(CodedEntry.id)
            .tuples()
        ),
    )


@pytest.fixture
def things(patient):
    return {
        "letter": make_letter(patient),
        "entry": make_entry(patient, "result", abnormal=True),
        "hidden": make_entry(patient, "problem", hidden_at=date(2025, 1, 1), hidden_reason="third_party"),
        "patient": patient,
    }


def try_everything(client, things) -> dict:
    """Every decision a clinician can make, attempted with a valid CSRF token; the answers by name."""
    letter, entry, hidden = things["letter"], things["entry"], things["hidden"]
    token_page = "/staff/"
    return {
        "clear": client.form_post(f"/staff/letters/{letter.id}", {"decision": "clear"}, token_from=token_page),
        "withhold": client.form_post(
            f"/staff/letters/{letter.id}", {"decision": "withhold", "reason": "third_party"}, token_from=token_page
        ),
        "hide": client.form_post(f"/staff/entries/{entry.id}/hide", {"reason": "third_party"}, token_from=token_page),
        "review": client.form_post(f"/staff/entries/{entry.id}/review", {}, token_from=token_page),
        "show": client.form_post(f"/staff/entries/{hidden.id}/show", {}, token_from=token_page),
    }


def test_reception_cannot_make_any_clinical_decision(client, as_staff, things):
    as_staff("reception")
    assert {name: r.status_code for name, r in try_everything(client, things).items()} == {
        "clear": 404,
        "withhold": 404,
        "hide": 404,
        "review": 404,
        "show": 404,
    }


def test_reception_trying_clinical_decisions_changes_nothing(client, as_staff, things):
    as_staff("reception")
    before = snapshot()
    try_everything(client, things)
    assert snapshot() == before


def test_a_manager_cannot_make_clinical_decisions_either(client, as_staff, things):
    as_staff("manager")
    before = snapshot()
    answers = {name: r.status_code for name, r in try_everything(client, things).items()}
    assert (answers, snapshot()) == (dict.fromkeys(answers, 404), before)


def test_clinician_can_make_each_decision(client, as_staff, things):
    as_staff("clinician")
    answers = try_everything(client, things)
    assert {name: r.status_code for name, r in answers.items()} == dict.fromkeys(answers, 303)


@pytest.mark.parametrize("url", ["/staff/letters/", "/staff/letters/{letter}", "/staff/patients/{patient}/record/new"])
def test_reception_gets_not_found_for_clinical_pages(client, as_staff, things, url):
    as_staff("reception")
    assert client.get(url.format(**{k: v.id for k, v in things.items()})).status_code == 404


def test_reception_sees_no_clinical_actions_on_the_record(client, as_staff, things):
    as_staff("reception")
    forms = HTMLParser(client.get(f"/staff/patients/{things['patient'].id}/record").get_data(as_text=True)).css(
        "main form"
    )
    assert forms == []


def test_reception_may_file_a_letter(client, as_staff, patient):
    as_staff("reception")
    assert file_letter(client, patient).status_code == 303


# Staff of another practice: every id of this practice looks missing

FOREIGN_GETS = [
    "/staff/patients/{patient}/record",
    "/staff/patients/{patient}/letters/new",
    "/staff/patients/{patient}/record/new",
    "/staff/letters/{letter}",
    "/staff/letters/{letter}/attachments/{attachment}",
]


@pytest.fixture
def foreign(things):
    letter = things["letter"]
    attachment = LetterAttachment.create(
        practice=letter.practice_id, letter=letter, filename="scan.pdf", content_type="application/pdf", data=b"%PDF"
    )
    return {**things, "attachment": attachment}


@pytest.mark.parametrize("url", FOREIGN_GETS)
def test_another_practices_clinician_gets_not_found(client, as_staff, foreign, url):
    as_staff("clinician", at=make_practice())
    response = client.get(url.format(**{k: v.id for k, v in foreign.items()}))
    assert (response.status_code, "Okafor" in response.get_data(as_text=True)) == (404, False)


def test_another_practices_clinician_can_decide_nothing(client, as_staff, things):
    as_staff("clinician", at=make_practice())
    before = snapshot()
    answers = {name: r.status_code for name, r in try_everything(client, things).items()}
    assert (answers, snapshot()) == (dict.fromkeys(answers, 404), before)


def test_another_practices_receptionist_cannot_file_a_letter_for_the_patient(client, as_staff, patient):
    as_staff("reception", at=make_practice())
    response = client.form_post(f"/staff/patients/{patient.id}/letters/new", letter_form(), token_from="/staff/")
    assert (response.status_code, Letter.select().count()) == (404, 0)


def test_a_letter_id_that_never_existed_gives_the_same_answer_as_a_foreign_one(client, as_staff, things):
    as_staff("clinician", at=make_practice())
    foreign = client.get(f"/staff/letters/{things['letter'].id}")
    missing = client.get("/staff/letters/987654321")
    assert (foreign.status_code, foreign.get_data()) == (missing.status_code, missing.get_data())


@pytest.mark.parametrize("url", FOREIGN_GETS + ["/staff/letters/"])
def test_anonymous_visitor_is_sent_to_staff_sign_in(client, foreign, url):
    response = client.get(url.format(**{k: v.id for k, v in foreign.items()}))
    assert (response.status_code, response.headers["Location"].split("?")[0]) == (302, "/staff/sign-in")


def test_a_signed_in_patient_is_sent_to_staff_sign_in(client, practice, things):
    make_patient_session(client, make_registered_account(practice, things["patient"], record_level="full"))
    response = client.get(f"/staff/letters/{things['letter'].id}")
    assert response.headers["Location"].startswith("/staff/sign-in")


# CSRF: every POST of this area refuses a missing token and changes nothing


def posts(things) -> list[tuple[str, dict]]:
    p, letter, entry, hidden = things["patient"], things["letter"], things["entry"], things["hidden"]
    return [
        (f"/staff/patients/{p.id}/letters/new", letter_form()),
        (f"/staff/letters/{letter.id}", {"decision": "clear"}),
        (f"/staff/patients/{p.id}/record/new", entry_form()),
        (f"/staff/entries/{entry.id}/hide", {"reason": "third_party"}),
        (f"/staff/entries/{entry.id}/review", {}),
        (f"/staff/entries/{hidden.id}/show", {}),
    ]


def test_every_post_without_a_csrf_token_is_refused(client, as_staff, things):
    as_staff("clinician")
    client.get("/staff/")
    assert [client.post(url, data=data).status_code for url, data in posts(things)] == [400] * 6


def test_posts_without_a_csrf_token_change_nothing(client, as_staff, things):
    as_staff("clinician")
    client.get("/staff/")
    before = (snapshot(), Letter.select().count(), CodedEntry.select().count())
    for url, data in posts(things):
        client.post(url, data=data)
    assert (snapshot(), Letter.select().count(), CodedEntry.select().count()) == before


def test_every_post_with_another_sessions_token_is_refused(client, as_staff, things):
    as_staff("clinician")
    stale = HTMLParser(client.get("/staff/").get_data(as_text=True)).css_first("input[name=csrf_token]")
    token = stale.attributes["value"]
    as_staff("clinician")  # a new session: the old token belongs to someone else
    assert [client.post(url, data={**data, "csrf_token": token}).status_code for url, data in posts(things)] == [
        400
    ] * 6


# The attachment, staff side


def test_staff_download_the_attachment_as_a_file(client, as_staff, foreign):
    as_staff("reception")
    response = client.get(f"/staff/letters/{foreign['letter'].id}/attachments/{foreign['attachment'].id}")
    assert (response.get_data(), response.headers["Content-Disposition"].split(";")[0]) == (b"%PDF", "attachment")


def test_staff_attachment_is_served_in_a_sandbox(client, as_staff, foreign):
    as_staff("reception")
    response = client.get(f"/staff/letters/{foreign['letter'].id}/attachments/{foreign['attachment'].id}")
    assert response.headers["Content-Security-Policy"].startswith("sandbox")


def test_staff_attachment_through_another_letter_is_not_found(client, as_staff, foreign, patient):
    other = make_letter(patient)
    as_staff("reception")
    assert client.get(f"/staff/letters/{other.id}/attachments/{foreign['attachment'].id}").status_code == 404


def test_staff_downloading_the_attachment_is_audited(client, as_staff, foreign):
    as_staff("reception")
    client.get(f"/staff/letters/{foreign['letter'].id}/attachments/{foreign['attachment'].id}")
    assert [(e.role, e.object_id) for e in events("letter.view_attachment")] == [
        ("reception", foreign["attachment"].id)
    ]


def test_an_uploaded_web_page_is_still_only_a_download(client, as_staff, patient):
    as_staff("reception")
    # Uploads must now show PDF or image content; a page stored before that check is still never served as one.
    page = b"<script>alert(document.cookie)</script>"
    item = LetterAttachment.create(
        practice=patient.practice_id,
        letter=make_letter(patient),
        filename="letter.html",
        content_type="text/html",
        data=page,
    )
    # Not a page of ours, so past PageClient's page checks.
    with client.application.app_context():
        response = FlaskClient.open(client, f"/staff/letters/{item.letter_id}/attachments/{item.id}")
    assert (
        response.headers["Content-Disposition"].split(";")[0],
        response.headers["Content-Security-Policy"][:7],
        response.headers["X-Content-Type-Options"],
    ) == ("attachment", "sandbox", "nosniff")


def test_an_upload_over_the_size_limit_is_refused_before_anything_is_saved(client, practice):
    import io

    from kiosk.models import Letter
    from tests.builders import make_patient, make_staff, make_staff_session

    patient = make_patient(practice)
    make_staff_session(client, make_staff(practice, "reception"))
    url = f"/staff/patients/{patient.id}/letters/new"
    huge = io.BytesIO(b"x" * (7 * 1024 * 1024))

    response = client.post(
        url, data={"kind": "other", "attachment": (huge, "scan.pdf")}, content_type="multipart/form-data"
    )

    assert (response.status_code, "The file is too big" in response.get_data(as_text=True)) == (413, True)
    assert Letter.select().count() == 0
