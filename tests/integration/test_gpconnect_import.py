"""GP Connect structured-record import: refusals write nothing, mapping, idempotent re-import, R5/R6."""

import json
from pathlib import Path

import pytest

from kiosk.models import AuditEvent, CodedEntry, Letter, Medicine
from kiosk.services import DomainError
from kiosk.services.gpconnect_import import import_bundle
from tests.builders import actor_for, make_patient, make_staff

SAMPLES = Path("/work/shared/gpconnect")


def bundle(patient, *resources, nhs=None, dob=None):
    fhir_patient = {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs or patient.nhs_number}],
        "birthDate": dob or patient.date_of_birth.isoformat(),
    }
    return json.dumps(
        {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in (fhir_patient, *resources)]}
    ).encode()


def condition(id_="c1", term="Asthma", **extra):
    return {
        "resourceType": "Condition",
        "id": id_,
        "assertedDate": "2020-01-02",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "195967001", "display": term}]},
        **extra,
    }


def counts():
    return CodedEntry.select().count(), Letter.select().count(), Medicine.select().count(), AuditEvent.select().count()


@pytest.fixture
def who(practice):
    clinician = make_staff(practice, "clinician")
    return actor_for(clinician), make_patient(practice)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"hello": 1}', "not FHIR"),
        (b'{"resourceType": "Patient"}', "not a Bundle"),
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


def test_mismatched_nhs_number_dob_and_left_patient_are_refused(practice, who):
    actor, patient = who
    before = counts()
    with pytest.raises(DomainError, match="NHS number"):
        import_bundle(actor, practice, patient.id, bundle(patient, condition(), nhs="9999999999"))
    with pytest.raises(DomainError, match="date of birth"):
        import_bundle(actor, practice, patient.id, bundle(patient, condition(), dob="1901-01-01"))
    gone = make_patient(practice, left_on=patient.date_of_birth, left_reason="left")
    with pytest.raises(DomainError, match="left"):
        import_bundle(actor, practice, gone.id, bundle(gone, condition()))
    assert counts() == before


def test_each_kind_is_mapped(practice, who):
    actor, patient = who
    obs = {
        "resourceType": "Observation",
        "id": "o1",
        "effectiveDateTime": "2021-03-04",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "1107481000000106", "display": "HbA1c"}]},
        "valueQuantity": {"value": 80, "unit": "mmol/mol"},
        "referenceRange": [{"low": {"value": 20}, "high": {"value": 42}}],
        "interpretation": {"coding": [{"code": "H"}]},
    }
    allergy = {
        "resourceType": "AllergyIntolerance",
        "id": "a1",
        "assertedDate": "2019-05-06",
        "code": {"coding": [{"system": "http://snomed.info/sct", "code": "91936005", "display": "Penicillin allergy"}]},
    }
    imm = {
        "resourceType": "Immunization",
        "id": "i1",
        "date": "2018-01-01",
        "vaccineCode": {"coding": [{"system": "http://snomed.info/sct", "code": "1", "display": "Flu vaccine"}]},
    }
    med = {"resourceType": "Medication", "id": "m1", "code": {"coding": [{"display": "Salbutamol inhaler"}]}}
    req = {
        "resourceType": "MedicationRequest",
        "id": "r1",
        "medicationReference": {"reference": "Medication/m1"},
        "dosageInstruction": [{"text": "Two puffs when needed"}],
        "dispenseRequest": {"quantity": {"value": 1, "unit": "inhaler"}},
        "extension": [
            {
                "url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-PrescriptionType-1",
                "valueCodeableConcept": {"coding": [{"code": "repeat"}]},
            }
        ],
    }
    doc = {
        "resourceType": "DocumentReference",
        "id": "d1",
        "indexed": "2022-02-02",
        "status": "current",
        "type": {"text": "Discharge summary"},
    }
    report = import_bundle(
        actor,
        practice,
        patient.id,
        bundle(patient, condition(), obs, allergy, imm, med, req, doc, {"resourceType": "Flag", "id": "f"}),
    )
    result = CodedEntry.get(CodedEntry.source_id == "o1")
    assert (result.kind, result.value, result.units, result.reference_range, result.abnormal) == (
        "result",
        "80",
        "mmol/mol",
        "20-42",
        True,
    )
    assert {e.kind for e in CodedEntry.select()} == {"problem", "result", "allergy", "immunisation"}
    medicine = Medicine.get(Medicine.source_id == "r1")
    assert (medicine.name, medicine.kind, medicine.dose, medicine.quantity) == (
        "Salbutamol inhaler",
        "repeat",
        "Two puffs when needed",
        "1 inhaler",
    )
    letter = Letter.get(Letter.source_id == "d1")
    assert letter.status == "awaiting_review" and "held in the practice's clinical system" in letter.body
    assert report.skipped["unsupported Flag"] == 1
    assert "gpconnect" in AuditEvent.select().order_by(AuditEvent.id.desc()).get().action


def test_document_marked_current_still_awaits_review_and_nopat_is_hidden(practice, who):
    actor, patient = who
    secret = condition("c2", meta={"security": [{"system": "http://hl7.org/fhir/v3/ActCode", "code": "NOPAT"}]})
    import_bundle(actor, practice, patient.id, bundle(patient, secret))
    entry = CodedEntry.get(CodedEntry.source_id == "c2")
    assert entry.hidden_at is not None and entry.hidden_reason == "confidential"


def test_reimport_is_idempotent_and_newer_bundle_hides_missing_and_keeps_hidden(practice, who):
    actor, patient = who
    doc = {"resourceType": "DocumentReference", "id": "d1", "indexed": "2022-02-02", "type": {"text": "Letter"}}
    first = bundle(patient, condition("c1"), condition("c2", "Eczema"), doc)
    import_bundle(actor, practice, patient.id, first)
    snapshot = [(e.id, e.term, e.hidden_at) for e in CodedEntry.select().order_by(CodedEntry.id)]
    again = import_bundle(actor, practice, patient.id, first)
    assert again.counts[("problem", "unchanged")] == 2 and again.counts[("letter", "unchanged")] == 1
    assert [(e.id, e.term, e.hidden_at) for e in CodedEntry.select().order_by(CodedEntry.id)] == snapshot
    Letter.update(status="cleared").execute()
    CodedEntry.update(hidden_at=snapshot[0][2] or CodedEntry.created_at, hidden_reason="clinician").where(
        CodedEntry.source_id == "c1"
    ).execute()
    doc["type"] = {"text": "Letter, amended"}
    import_bundle(actor, practice, patient.id, bundle(patient, condition("c1", "Asthma, changed"), doc))
    c1, c2 = CodedEntry.get(CodedEntry.source_id == "c1"), CodedEntry.get(CodedEntry.source_id == "c2")
    assert c1.term == "Asthma, changed" and c1.hidden_reason == "clinician"
    assert c2.hidden_at is not None and c2.hidden_reason == "not_in_source"
    assert Letter.get().status == "cleared"
    assert CodedEntry.select().count() == 2


@pytest.mark.parametrize(
    "name",
    ["full_record.json", "TPP_9465699012_full.json", "Medicus_9465704970_full.json", "EMIS_Docs_consolidated_V2.json"],
)
def test_shared_sample_imports_and_no_letter_shows_before_review(practice, name):
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared GP Connect samples are not on this machine")
    raw = path.read_bytes()
    data = json.loads(raw)
    fhir_patient = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient")
    nhs = next(i["value"] for i in fhir_patient["identifier"] if i["system"].endswith("nhs-number"))
    from datetime import date

    patient = make_patient(practice, nhs_number=nhs, date_of_birth=date.fromisoformat(fhir_patient["birthDate"][:10]))
    actor = actor_for(make_staff(practice, "clinician"))
    import_bundle(actor, practice, patient.id, raw)
    from kiosk.services.record import visible_letters

    assert Letter.select().where(Letter.status != "awaiting_review").count() == 0
    assert visible_letters(practice, patient.id, "full").count() == 0
