"""Small GP Connect (FHIR STU3, CareConnect-GPC shaped) bundles for tests: each builder returns one valid resource.

The shared samples (../shared/gpconnect/ beside the project) show what suppliers really send; these are the
project's own, one rule at a time.
"""

import base64
import json
from datetime import date
from pathlib import Path

SNOMED = "http://snomed.info/sct"
NOPAT = {"security": [{"system": "http://hl7.org/fhir/v3/ActCode", "code": "NOPAT"}]}
SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "gpconnect"
SAMPLE_NAMES = [
    "full_record.json",
    "TPP_9465699012_full.json",
    "Medicus_9465704970_full.json",
    "EMIS_Docs_consolidated_V2.json",
]
PATIENT_REF = {"reference": "Patient/p1"}


def code(term: str, snomed: str = "195967001") -> dict:
    return {"coding": [{"system": SNOMED, "code": snomed, "display": term}]}


def bundle(patient, *resources, nhs: str | None = None, dob: str | None = None) -> bytes:
    fhir_patient = {
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs or patient.nhs_number}],
        "birthDate": dob or patient.date_of_birth.isoformat(),
    }
    return json.dumps(
        {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": r} for r in (fhir_patient, *resources)]}
    ).encode()


def practitioner(id_="pr1", given="Asha", family="Patel", prefix="Dr") -> dict:
    return {
        "resourceType": "Practitioner",
        "id": id_,
        "name": [{"given": [given], "family": family, "prefix": [prefix]}],
    }


def organization(id_="org1", name="Riverside Surgery") -> dict:
    return {"resourceType": "Organization", "id": id_, "name": name}


def location(id_="loc1", name="Riverside Surgery, Room 2") -> dict:
    return {"resourceType": "Location", "id": id_, "name": name}


def condition(id_="c1", term="Asthma", snomed="195967001", **extra) -> dict:
    return {
        "resourceType": "Condition",
        "id": id_,
        "subject": PATIENT_REF,
        "assertedDate": "2020-01-02",
        "code": code(term, snomed),
        **extra,
    }


def observation(id_="o1", term="HbA1c", value=48, unit="mmol/mol", **extra) -> dict:
    return {
        "resourceType": "Observation",
        "id": id_,
        "status": "final",
        "subject": PATIENT_REF,
        "effectiveDateTime": "2021-03-04",
        "code": code(term, "1107481000000106"),
        "valueQuantity": {"value": value, "unit": unit},
        **extra,
    }


def allergy(id_="a1", term="Penicillin allergy", **extra) -> dict:
    return {
        "resourceType": "AllergyIntolerance",
        "id": id_,
        "patient": PATIENT_REF,
        "verificationStatus": "confirmed",
        "assertedDate": "2019-05-06",
        "code": code(term, "91936005"),
        **extra,
    }


def immunization(id_="i1", term="Flu vaccine", **extra) -> dict:
    return {
        "resourceType": "Immunization",
        "id": id_,
        "status": "completed",
        "notGiven": False,
        "primarySource": True,
        "patient": PATIENT_REF,
        "date": "2018-01-01",
        "vaccineCode": code(term, "1"),
        **extra,
    }


def medication(id_="m1", name="Salbutamol 100micrograms inhaler") -> dict:
    return {
        "resourceType": "Medication",
        "id": id_,
        "code": {"coding": [{"system": SNOMED, "code": "1", "display": name}]},
    }


def plan(id_="r1", med="m1", kind="repeat", allowed=6, issued=2, **extra) -> dict:
    return {
        "resourceType": "MedicationRequest",
        "id": id_,
        "status": "active",
        "intent": "plan",
        "subject": PATIENT_REF,
        "authoredOn": "2024-01-10",
        "medicationReference": {"reference": f"Medication/{med}"},
        "dosageInstruction": [{"text": "Two puffs when needed"}],
        "dispenseRequest": {
            "quantity": {"value": 1, "unit": "inhaler"},
            "validityPeriod": {"start": "2024-01-10", "end": "2025-01-10"},
            "expectedSupplyDuration": {"value": 28, "unit": "day", "code": "d"},
        },
        "extension": [
            {
                "url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-PrescriptionType-1",
                "valueCodeableConcept": {"coding": [{"code": kind}]},
            },
            {
                "url": "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-MedicationRepeatInformation-1",
                "extension": [
                    {"url": "numberOfRepeatPrescriptionsAllowed", "valuePositiveInt": allowed},
                    {"url": "numberOfRepeatPrescriptionsIssued", "valuePositiveInt": issued},
                    {"url": "authorisationExpiryDate", "valueDateTime": "2025-01-10"},
                ],
            },
        ],
        **extra,
    }


def order(id_="o-r1", plan_id="r1", med="m1", on="2024-03-01") -> dict:
    return {
        "resourceType": "MedicationRequest",
        "id": id_,
        "status": "completed",
        "intent": "order",
        "subject": PATIENT_REF,
        "authoredOn": on,
        "basedOn": [{"reference": f"MedicationRequest/{plan_id}"}],
        "medicationReference": {"reference": f"Medication/{med}"},
    }


def statement(id_="s1", plan_id="r1", med="m1", status="active", **extra) -> dict:
    return {
        "resourceType": "MedicationStatement",
        "id": id_,
        "status": status,
        "taken": "unk",
        "subject": PATIENT_REF,
        "basedOn": [{"reference": f"MedicationRequest/{plan_id}"}],
        "medicationReference": {"reference": f"Medication/{med}"},
        "dosage": [{"text": "Two puffs when needed"}],
        **extra,
    }


def document(id_="d1", title="Discharge summary", data: str | None = None, content_type="text/plain", **extra) -> dict:
    attachment = {"contentType": content_type}
    if data is not None:
        attachment["data"] = base64.b64encode(data.encode()).decode()
    else:
        attachment["url"] = f"https://example.invalid/Binary/{id_}-bin"
    return {
        "resourceType": "DocumentReference",
        "id": id_,
        "status": "current",
        "type": {"text": title},
        "subject": PATIENT_REF,
        "created": "2022-02-01",
        "indexed": "2022-02-02T10:00:00+00:00",
        "content": [{"attachment": attachment}],
        **extra,
    }


def binary(id_: str, text: str, content_type="text/plain") -> dict:
    return {
        "resourceType": "Binary",
        "id": id_,
        "contentType": content_type,
        "content": base64.b64encode(text.encode()).decode(),
    }


def encounter(id_="e1", **extra) -> dict:
    return {
        "resourceType": "Encounter",
        "id": id_,
        "status": "finished",
        "subject": PATIENT_REF,
        "type": [{"text": "Surgery consultation"}],
        "period": {"start": "2023-04-05T09:10:00+00:00"},
        **extra,
    }


def consultation_lists(encounter_id="e1", items=("o1",), heading="Examination", title="Cough") -> list[dict]:
    """The Consultation List, one topic, one heading holding `items` (Observation ids)."""
    base = {"resourceType": "List", "status": "current", "mode": "snapshot", "subject": PATIENT_REF}
    enc = {"reference": f"Encounter/{encounter_id}"}
    return [
        {
            **base,
            "id": f"{encounter_id}-list",
            "title": "Surgery consultation",
            "encounter": enc,
            "code": code("Consultation", "325851000000107"),
            "date": "2023-04-05",
            "entry": [{"item": {"reference": f"List/{encounter_id}-topic"}}],
        },
        {
            **base,
            "id": f"{encounter_id}-topic",
            "title": title,
            "encounter": enc,
            "code": code("Topic (EHR)", "25851000000105"),
            "entry": [{"item": {"reference": f"List/{encounter_id}-heading"}}],
        },
        {
            **base,
            "id": f"{encounter_id}-heading",
            "title": heading,
            "encounter": enc,
            "code": code("Category (EHR)", "24781000000107"),
            "entry": [{"item": {"reference": f"Observation/{i}"}} for i in items],
        },
    ]


def referral(id_="ref1", term="Referral to physiotherapist", **extra) -> dict:
    return {
        "resourceType": "ReferralRequest",
        "id": id_,
        "status": "active",
        "intent": "order",
        "subject": PATIENT_REF,
        "authoredOn": "2023-05-06",
        "priority": "routine",
        "reasonCode": [code(term, "308447003")],
        "description": "Knee pain after a fall",
        **extra,
    }


def report(id_="dr1", results=("o1",), specimen="sp1", term="Full blood count", **extra) -> dict:
    return {
        "resourceType": "DiagnosticReport",
        "id": id_,
        "status": "final",
        "subject": PATIENT_REF,
        "issued": "2021-03-05T12:00:00+00:00",
        "code": code(term, "26604007"),
        "specimen": [{"reference": f"Specimen/{specimen}"}],
        "result": [{"reference": f"Observation/{o}"} for o in results],
        **extra,
    }


def specimen(id_="sp1", kind="Venous blood specimen") -> dict:
    return {
        "resourceType": "Specimen",
        "id": id_,
        "subject": PATIENT_REF,
        "type": code(kind, "122555007"),
        "collection": {"collectedDateTime": "2021-03-01T09:00:00+00:00"},
    }


def sample_patient(name: str) -> tuple[bytes, str, date]:
    """A shared sample's bytes, and the NHS number and date of birth its Patient carries."""
    raw = (SAMPLES / name).read_bytes()
    data = json.loads(raw)
    fhir_patient = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Patient")
    nhs = next(i["value"] for i in fhir_patient["identifier"] if i["system"].endswith("nhs-number"))
    return raw, nhs, date.fromisoformat(fhir_patient["birthDate"][:10])


def skip_without_samples(pytest, name: str = "full_record.json") -> None:
    if not (SAMPLES / name).exists():
        pytest.skip(f"{SAMPLES / name} is absent: the shared GP Connect samples are not on this machine")
