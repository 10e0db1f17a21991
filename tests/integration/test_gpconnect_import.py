"""GP Connect structured-record import: refusals write nothing, each mapping rule, idempotent re-import, R5/R6."""

import json

import pytest

from kiosk.models import AuditEvent, CodedEntry, Letter, LetterAttachment, Medicine
from kiosk.services import DomainError
from kiosk.services import record as record_service
from kiosk.services.gpconnect_import import import_bundle
from kiosk.services.prescriptions import orderable
from tests import fhir_bundles as fb
from tests.builders import actor_for, make_patient, make_staff
from tests.fhir_bundles import NOPAT, bundle, condition


def counts():
    return (
        CodedEntry.select().count(),
        Letter.select().count(),
        Medicine.select().count(),
        LetterAttachment.select().count(),
        AuditEvent.select().count(),
    )


@pytest.fixture
def who(practice):
    clinician = make_staff(practice, "clinician")
    return actor_for(clinician), make_patient(practice)


def entry(source_id: str) -> CodedEntry:
    return CodedEntry.get(CodedEntry.source_id == source_id)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"hello": 1}', "not FHIR"),
        (b'{"resourceType": "Patient"}', "not a Bundle"),
        (b'{"resourceType": "Bundle", "type": "collection", "total": "many"}', "not a valid FHIR STU3 Bundle"),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": []}', "no Patient"),
        (b" " * (20 * 1024 * 1024 + 1), "20 MB"),
    ],
)
def test_bad_file_is_refused_and_writes_nothing(practice, who, raw, message):
    actor, patient = who
    before = counts()
    with pytest.raises(DomainError, match=message):
        import_bundle(actor, practice, patient.id, raw)
    assert counts() == before


def test_mismatched_nhs_number_dob_and_left_patient_are_refused_and_write_nothing(practice, who):
    actor, patient = who
    before = counts()
    with pytest.raises(DomainError, match="NHS number"):
        import_bundle(actor, practice, patient.id, bundle(patient, condition(), nhs="9999999999"))
    with pytest.raises(DomainError, match="date of birth"):
        import_bundle(actor, practice, patient.id, bundle(patient, condition(), dob="1901-01-01"))
    gone = make_patient(practice, left_on=patient.date_of_birth, left_reason="left")
    before = counts()
    with pytest.raises(DomainError, match="left"):
        import_bundle(actor, practice, gone.id, bundle(gone, condition()))
    assert counts() == before


def test_entries_keep_code_term_date_recorder_and_place(practice, who):
    actor, patient = who
    problem = condition(asserter={"reference": "Practitioner/pr1"}, context={"reference": "Encounter/e1"})
    enc = fb.encounter(location=[{"location": {"reference": "Location/loc1"}}])
    import_bundle(actor, practice, patient.id, bundle(patient, problem, enc, fb.practitioner(), fb.location()))
    row = entry("c1")
    assert (row.kind, row.snomed_code, row.term, row.effective_on.isoformat()) == (
        "problem",
        "195967001",
        "Asthma",
        "2020-01-02",
    )
    assert (row.recorded_by, row.recorded_at_place) == ("Dr Asha Patel", "Riverside Surgery, Room 2")


def test_result_carries_value_units_range_interpretation_and_abnormal_waits_for_review(practice, who):
    actor, patient = who
    high = fb.observation(
        "o1",
        value=80,
        referenceRange=[{"low": {"value": 20}, "high": {"value": 42}}],
        interpretation={"coding": [{"code": "H", "display": "High"}]},
    )
    normal = fb.observation("o2", term="Sodium", value=140, unit="mmol/L", referenceRange=[{"text": "133-146"}])
    report = import_bundle(actor, practice, patient.id, bundle(patient, high, normal))
    row = entry("o1")
    assert (row.value, row.units, row.reference_range, row.interpretation, row.abnormal) == (
        "80",
        "mmol/mol",
        "20-42",
        "High",
        True,
    )
    assert entry("o2").reference_range == "133-146" and not entry("o2").abnormal
    assert report.counts[("result", "waiting for review")] == 1
    shown = [e.source_id for e in record_service.visible_entries(practice, patient.id, "detailed")]
    assert shown == ["o2"]


def test_report_and_specimen_group_their_results(practice, who):
    actor, patient = who
    resources = (fb.observation("o1"), fb.observation("o2", term="Haemoglobin"), fb.report(results=("o1", "o2")))
    import_bundle(actor, practice, patient.id, bundle(patient, *resources, fb.specimen(), fb.observation("o3")))
    label = entry("o1").group_label
    assert label == entry("o2").group_label
    assert "Full blood count" in label and "Venous blood specimen" in label and "01 Mar 2021" in label
    assert entry("o3").group_label == ""


def test_a_confidential_report_hides_the_results_it_groups(practice, who):
    actor, patient = who
    secret = fb.report(results=("o1",), meta=NOPAT)
    import_bundle(actor, practice, patient.id, bundle(patient, fb.observation("o1"), secret, fb.specimen()))
    assert entry("o1").hidden_reason == "confidential"
    assert record_service.visible_entries(practice, patient.id, "full").count() == 0


def test_problems_keep_status_and_what_they_link(practice, who):
    actor, patient = who
    link = {
        "url": "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-RelatedClinicalContent-1",
        "valueReference": {"reference": "Observation/o1"},
    }
    past = condition("c2", "Fractured wrist", clinicalStatus="resolved", abatementDateTime="2021-01-01")
    import_bundle(
        actor,
        practice,
        patient.id,
        bundle(patient, condition(extension=[link], clinicalStatus="active"), past, fb.observation()),
    )
    assert entry("c1").clinical_status == "active" and entry("c2").clinical_status == "resolved"
    assert entry("o1").linked_to == "c1"


def test_allergy_keeps_its_reaction(practice, who):
    actor, patient = who
    rash = fb.allergy(reaction=[{"manifestation": [fb.code("Rash", "271807003")]}])
    import_bundle(actor, practice, patient.id, bundle(patient, rash))
    assert (entry("a1").kind, entry("a1").value) == ("allergy", "Rash")


def test_repeat_medicine_from_statement_plan_and_issues_lands_on_the_repeat_list(practice, who):
    actor, patient = who
    resources = (
        fb.medication(),
        fb.plan(recorder={"reference": "Practitioner/pr1"}),
        fb.statement(),
        fb.order("o-1", on="2024-02-01"),
        fb.order("o-2", on="2024-03-01"),
        fb.practitioner(),
    )
    report = import_bundle(actor, practice, patient.id, bundle(patient, *resources))
    medicine = Medicine.get()  # one medicine: the statement, its plan and its issues are one item
    assert (medicine.source_id, medicine.name, medicine.kind, medicine.dose, medicine.quantity) == (
        "s1",
        "Salbutamol 100micrograms inhaler",
        "repeat",
        "Two puffs when needed",
        "1 inhaler",
    )
    assert (medicine.last_issued_on.isoformat(), medicine.review_on.isoformat(), medicine.issues_left) == (
        "2024-03-01",
        "2025-01-10",
        4,
    )
    assert (medicine.interval_days, medicine.recorded_by) == (28, "Dr Asha Patel")
    assert report.counts[("medication issue", "read with its plan")] == 2
    assert [o.medicine.id for o in orderable(practice, patient.id)] == [medicine.id]


def test_acute_stopped_and_confidential_medicines(practice, who):
    actor, patient = who
    resources = (
        fb.medication("m1", "Amoxicillin 500mg capsules"),
        fb.plan("r1", "m1", kind="acute"),
        fb.medication("m2", "Sertraline 50mg tablets"),
        fb.plan("r2", "m2"),
        fb.statement("s2", "r2", "m2", status="stopped"),
        fb.medication("m3", "Secret 1mg tablets"),
        fb.plan("r3", "m3", meta=NOPAT),
    )
    import_bundle(actor, practice, patient.id, bundle(patient, *resources))
    acute, stopped, secret = (Medicine.get(Medicine.source_id == s) for s in ("r1", "s2", "r3"))
    assert acute.kind == "acute" and acute.stopped_at is None
    assert stopped.stopped_at is not None
    assert secret.hidden_reason == "confidential"
    shown = [m.name for m in record_service.current_medicines(practice, patient.id, "summary")]
    assert shown == ["Amoxicillin 500mg capsules"]
    assert [o.medicine.name for o in orderable(practice, patient.id)] == ["Amoxicillin 500mg capsules"]


def test_consultation_holds_its_topics_and_headings_at_the_full_level_only(practice, who):
    actor, patient = who
    noted = fb.observation("o1", term="Chest clear", comment="No wheeze heard")
    hidden = fb.observation("o2", term="Disclosed something", meta=NOPAT)
    resources = (fb.encounter(), *fb.consultation_lists(items=("o1",)), noted)
    import_bundle(actor, practice, patient.id, bundle(patient, *resources))
    consultation = entry("e1")
    assert (consultation.kind, consultation.term, consultation.effective_on.isoformat()) == (
        "consultation",
        "Surgery consultation",
        "2023-04-05",
    )
    assert "Cough" in consultation.text and "Examination: Chest clear" in consultation.text
    assert "No wheeze heard" in consultation.text
    assert "e1" not in [e.source_id for e in record_service.visible_entries(practice, patient.id, "detailed")]
    assert "e1" in [e.source_id for e in record_service.visible_entries(practice, patient.id, "full")]
    # A consultation holding a confidential item comes in hidden whole: its text would name the item.
    resources = (fb.encounter("e2"), *fb.consultation_lists("e2", items=("o2",)), hidden)
    import_bundle(actor, practice, patient.id, bundle(patient, *resources))
    assert entry("e2").hidden_reason == "confidential" and "Disclosed" not in entry("e2").text


def test_referral_is_a_detailed_level_entry_with_its_free_text_kept(practice, who):
    actor, patient = who
    import_bundle(actor, practice, patient.id, bundle(patient, fb.referral()))
    row = entry("ref1")
    assert (row.kind, row.snomed_code, row.term, row.text) == (
        "referral",
        "308447003",
        "Referral to physiotherapist",
        "Knee pain after a fall",
    )
    assert "ref1" in [e.source_id for e in record_service.visible_entries(practice, patient.id, "detailed")]
    assert record_service.visible_entries(practice, patient.id, "summary").count() == 0


def test_document_keeps_type_date_author_organisation_and_content(practice, who):
    actor, patient = who
    authored = {
        "author": [{"reference": "Practitioner/pr1"}],
        "custodian": {"reference": "Organization/org1"},
    }
    resources = (
        fb.document("d1", "Outpatient letter", data="Seen in clinic today.", **authored),
        fb.document("d2", "Discharge summary"),  # content at a URL, and the bundle has it as a Binary
        fb.binary("d2-bin", "Discharged home on day 3."),
        fb.document("d3", "Clinical report"),  # content at a URL only
        fb.document("d4", "Scanned letter", data="%PDF-1.4 fake", content_type="application/pdf"),
        fb.practitioner(),
        fb.organization(),
    )
    import_bundle(actor, practice, patient.id, bundle(patient, *resources))
    d1, d2, d3, d4 = (Letter.get(Letter.source_id == s) for s in ("d1", "d2", "d3", "d4"))
    assert (d1.kind, d1.title, d1.received_on.isoformat(), d1.author, d1.organisation, d1.body) == (
        "outpatient",
        "Outpatient letter",
        "2022-02-01",
        "Dr Asha Patel",
        "Riverside Surgery",
        "Seen in clinic today.",
    )
    assert (d2.kind, d2.body) == ("discharge", "Discharged home on day 3.")
    assert d3.kind == "other" and "held in the practice's clinical system" in d3.body
    attachment = LetterAttachment.get(LetterAttachment.letter == d4.id)
    assert (attachment.content_type, bytes(attachment.data)) == ("application/pdf", b"%PDF-1.4 fake")
    assert {letter.status for letter in Letter.select()} == {"awaiting_review"}


def test_documents_marked_current_and_confidential_still_await_review(practice, who):
    actor, patient = who
    report = import_bundle(actor, practice, patient.id, bundle(patient, fb.document(data="x", meta=NOPAT)))
    letter = Letter.get()
    assert letter.status == "awaiting_review" and "NOPAT" in letter.decision_note
    assert report.counts[("letter", "hidden as confidential")] == 1
    assert record_service.visible_letters(practice, patient.id, "full").count() == 0


def test_nopat_entry_arrives_hidden_with_the_reason(practice, who):
    actor, patient = who
    report = import_bundle(actor, practice, patient.id, bundle(patient, condition("c2", meta=NOPAT)))
    row = entry("c2")
    assert row.hidden_at is not None and row.hidden_reason == "confidential"
    assert report.counts[("problem", "hidden as confidential")] == 1


def test_unknown_types_are_listed_and_invalid_resources_skipped_without_failing(practice, who):
    actor, patient = who
    broken = {"resourceType": "Observation", "id": "bad", "code": {"text": "No status"}}
    flag = {"resourceType": "Flag", "id": "f1"}
    report = import_bundle(actor, practice, patient.id, bundle(patient, condition(), broken, flag, flag))
    assert report.unknown == {"Flag": 2}
    assert report.skipped == {"Observation not valid FHIR STU3 (status)": 1}
    assert [e.source_id for e in CodedEntry.select()] == ["c1"]
    kept = json.loads(AuditEvent.select().order_by(AuditEvent.id.desc()).get().detail)
    assert kept["unknown"] == {"Flag": 2} and ["problem", "new", 1] in kept["counts"]


def test_what_suppliers_really_send_is_accepted(practice, who):
    """SystmOne's ids with underscores, the demonstrator's date-times without a zone, codes with spaces."""
    actor, patient = who
    odd = fb.observation("5000_1f44", effectiveDateTime="2019-03-28T10:30:00")
    odd["code"]["coding"][0]["code"] = " 86290005"
    import_bundle(actor, practice, patient.id, bundle(patient, odd))
    row = entry("5000_1f44")
    assert (row.snomed_code, row.effective_on.isoformat()) == ("86290005", "2019-03-28")


def test_reimport_is_idempotent_and_newer_bundle_hides_missing_and_keeps_hidden(practice, who):
    actor, patient = who
    doc = fb.document("d1", "Letter", data="Body")
    first = bundle(patient, condition("c1"), condition("c2", "Eczema"), doc, fb.medication(), fb.plan())
    import_bundle(actor, practice, patient.id, first)
    snapshot = [(e.id, e.term, e.hidden_at, e.source_digest) for e in CodedEntry.select().order_by(CodedEntry.id)]
    again = import_bundle(actor, practice, patient.id, first)
    assert again.writes == 0
    assert again.counts[("problem", "unchanged")] == 2 and again.counts[("letter", "unchanged")] == 1
    assert [
        (e.id, e.term, e.hidden_at, e.source_digest) for e in CodedEntry.select().order_by(CodedEntry.id)
    ] == snapshot
    Letter.update(status="cleared").execute()
    CodedEntry.update(hidden_at=CodedEntry.created_at, hidden_reason="serious_harm").where(
        CodedEntry.source_id == "c1"
    ).execute()
    doc["type"] = {"text": "Letter, amended"}
    newer = import_bundle(actor, practice, patient.id, bundle(patient, condition("c1", "Asthma, changed"), doc))
    c1, c2 = entry("c1"), entry("c2")
    assert c1.term == "Asthma, changed" and c1.hidden_reason == "serious_harm"
    assert c2.hidden_at is not None and c2.hidden_reason == "not_in_source"
    assert Letter.get().status == "cleared" and Letter.get().title == "Letter, amended"
    assert Medicine.get().stopped_at is not None
    assert CodedEntry.select().count() == 2
    assert newer.counts[("problem", "hidden, no longer sent")] == 1


def test_a_letter_waiting_for_review_stays_waiting_when_a_newer_bundle_changes_it(practice, who):
    actor, patient = who
    import_bundle(actor, practice, patient.id, bundle(patient, fb.document(data="First")))
    import_bundle(actor, practice, patient.id, bundle(patient, fb.document(data="Second")))
    letter = Letter.get()
    assert (letter.body, letter.status) == ("Second", "awaiting_review")


@pytest.mark.parametrize("name", fb.SAMPLE_NAMES)
def test_shared_sample_imports_twice_and_the_second_time_writes_nothing(practice, name):
    fb.skip_without_samples(pytest, name)
    raw, nhs, dob = fb.sample_patient(name)
    patient = make_patient(practice, nhs_number=nhs, date_of_birth=dob)
    actor = actor_for(make_staff(practice, "clinician"))
    first = import_bundle(actor, practice, patient.id, raw)
    assert first.writes > 0 and not first.skipped
    second = import_bundle(actor, practice, patient.id, raw)
    assert second.writes == 0
    assert Letter.select().where(Letter.status != "awaiting_review").count() == 0
    assert record_service.visible_letters(practice, patient.id, "full").count() == 0


def test_a_consultation_never_shows_an_item_the_patient_may_not_see(client, practice, who):
    """Its text names the items filed under it: one a clinician hides later, or an abnormal result still waiting
    for review, drops out of it on the patient's pages while the rest of the consultation stays."""
    from tests.builders import make_patient_session, make_registered_account

    actor, patient = who
    high = {"coding": [{"code": "H", "display": "High"}]}
    items = (
        fb.observation("o1", term="Chest clear"),
        fb.observation("o2", term="Peak flow"),
        fb.observation("o3", term="Serum potassium", value=6.4, unit="mmol/L", interpretation=high),
    )
    lists = fb.consultation_lists(items=("o1", "o2", "o3"))
    import_bundle(actor, practice, patient.id, bundle(patient, fb.encounter(), *lists, *items))
    record_service.hide_entry(actor, entry("o2").id, "third_party")
    make_patient_session(client, make_registered_account(practice, patient, record_level="full"))
    pages = [client.get(url).get_data(as_text=True) for url in ("/record", "/record/consultation")]
    for html in pages:
        assert "Cough" in html and "Chest clear" in html
        assert "Peak flow" not in html and "Serum potassium" not in html and "6.4" not in html
    record_service.review_result(actor, entry("o3").id)
    assert "Serum potassium: 6.4" in client.get("/record/consultation").get_data(as_text=True)
