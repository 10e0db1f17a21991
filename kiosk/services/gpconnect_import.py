"""Import a GP Connect Access Record: Structured bundle (FHIR STU3, CareConnect-GPC) into a patient's record.

Parsed and validated with fhir.resources' STU3 package. A refusal (DomainError) writes nothing. Everything the
bundle brings keeps its source resource id, so a re-import updates what changed, leaves the rest alone, and hides
(never deletes) what the source stopped sending. Documents always arrive awaiting review and resources the source
marks not for the patient (meta.security NOPAT) arrive hidden, whatever the bundle says otherwise (R5, R6).
"""

import base64
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from fhir.resources.STU3.bundle import Bundle

from kiosk.actor import Actor
from kiosk.clock import utcnow
from kiosk.db import database
from kiosk.models import CodedEntry, Letter, Medicine, Patient, Practice
from kiosk.services import DomainError
from kiosk.services.audit import append

MAX_BYTES = 20 * 1024 * 1024
NHS_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
SNOMED = "http://snomed.info/sct"
ENTRY_KINDS = {
    "AllergyIntolerance": "allergy",
    "Condition": "problem",
    "Observation": "result",
    "Immunization": "immunisation",
    "Procedure": "procedure",
}
IGNORED = {"Patient", "Organization", "Practitioner", "PractitionerRole", "Location", "Medication", "List"}
ABNORMAL = {"H", "L", "HH", "LL", "A", "AA", "HU", "LU"}


@dataclass
class ImportReport:
    counts: Counter = field(default_factory=Counter)  # (kind, outcome) -> n
    skipped: Counter = field(default_factory=Counter)  # reason -> n

    def add(self, kind: str, outcome: str) -> None:
        self.counts[(kind, outcome)] += 1

    def summary(self) -> str:
        parts = [f"{kind} {outcome}: {n}" for (kind, outcome), n in sorted(self.counts.items())]
        parts += [f"skipped ({reason}): {n}" for reason, n in sorted(self.skipped.items())]
        return "; ".join(parts) or "nothing in the bundle"


def parse(raw: bytes) -> dict:
    if len(raw) > MAX_BYTES:
        raise DomainError("The file is larger than 20 MB.", "bundle")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise DomainError("The file is not valid JSON.", "bundle") from e
    if not isinstance(data, dict) or "resourceType" not in data:
        raise DomainError("The file is not FHIR: it has no resourceType.", "bundle")
    if data["resourceType"] != "Bundle":
        raise DomainError(f"The file is a FHIR {data['resourceType']}, not a Bundle.", "bundle")
    try:
        Bundle.model_validate({k: v for k, v in data.items() if k != "entry"})
    except Exception as e:  # noqa: BLE001 - the validator's own error classes vary by version
        raise DomainError("The file is not a valid FHIR STU3 Bundle.", "bundle") from e
    return data


def _resources(data: dict) -> list[dict]:
    return [
        e["resource"] for e in data.get("entry") or [] if isinstance(e, dict) and isinstance(e.get("resource"), dict)
    ]


def _match(practice: Practice, patient: Patient, resources: list[dict]) -> None:
    patients = [r for r in resources if r.get("resourceType") == "Patient"]
    if not patients:
        raise DomainError("The bundle holds no Patient.", "bundle")
    fhir_patient = patients[0]
    numbers = [
        i.get("value", "").replace(" ", "")
        for i in fhir_patient.get("identifier") or []
        if i.get("system") == NHS_SYSTEM
    ]
    if patient.practice_id != practice.id:
        raise DomainError("That patient is not on this practice's list.", "bundle")
    if patient.nhs_number not in numbers:
        raise DomainError("The bundle's NHS number is not this patient's.", "bundle")
    if fhir_patient.get("birthDate") and fhir_patient["birthDate"] != patient.date_of_birth.isoformat():
        raise DomainError("The bundle's date of birth is not this patient's.", "bundle")
    if patient.left_on is not None:
        raise DomainError("This patient has left the practice.", "bundle")


def _coding(r: dict, key: str = "code") -> tuple[str, str]:
    concept = r.get(key) or {}
    codings = concept.get("coding") or []
    snomed = next((c for c in codings if c.get("system") == SNOMED), codings[0] if codings else {})
    return str(snomed.get("code", ""))[:20], (concept.get("text") or snomed.get("display") or "")[:255]


def _date(*values) -> date | None:
    for v in values:
        if isinstance(v, str) and len(v) >= 10:
            try:
                return date.fromisoformat(v[:10])
            except ValueError:
                continue
    return None


def _confidential(r: dict) -> bool:
    return any(s.get("code") == "NOPAT" for s in (r.get("meta") or {}).get("security") or [])


def _digest(r: dict) -> str:
    return hashlib.sha256(json.dumps(r, sort_keys=True).encode()).hexdigest()


def _entry_values(kind: str, r: dict) -> dict:
    code, term = _coding(r, "vaccineCode" if kind == "immunisation" else "code")
    values = {
        "snomed_code": code or "unknown",
        "term": term or "Unnamed entry",
        "effective_on": _date(
            r.get("effectiveDateTime"),
            r.get("assertedDate"),
            r.get("onsetDateTime"),
            r.get("date"),
            r.get("performedDateTime"),
            r.get("issued"),
        )
        or date.today(),
    }
    if kind == "result":
        q = r.get("valueQuantity") or {}
        values["value"] = str(q.get("value", r.get("valueString", "")))[:60]
        values["units"] = str(q.get("unit", ""))[:30]
        ranges = r.get("referenceRange") or []
        if ranges:
            low, high = (ranges[0].get("low") or {}).get("value"), (ranges[0].get("high") or {}).get("value")
            values["reference_range"] = ranges[0].get("text") or f"{low if low is not None else ''}-{high or ''}"
        interp = [c.get("code") for c in ((r.get("interpretation") or {}).get("coding") or [])]
        values["abnormal"] = any(c in ABNORMAL for c in interp)
    return values


def _hide_on_create(values: dict, r: dict, report: ImportReport, kind: str) -> None:
    if _confidential(r):
        values.update(hidden_at=utcnow(), hidden_reason="confidential")
        report.add(kind, "hidden as confidential")


def _upsert(model, existing: dict, values: dict, r: dict, report: ImportReport, kind: str, base: dict) -> None:
    sid, digest = r["id"], _digest(r)
    row = existing.pop(sid, None)
    if row is None:
        _hide_on_create(values, r, report, kind)
        model.create(**base, **values, source_id=sid, source_digest=digest)
        report.add(kind, "new")
        if kind == "letter" or values.get("abnormal"):
            report.add(kind, "awaiting review")
        return
    if row.source_digest == digest:
        report.add(kind, "unchanged")
        return
    # A newer version updates the content only: who hid, cleared or withheld it is the practice's decision.
    values.pop("status", None)
    if kind != "letter" and _confidential(r) and getattr(row, "hidden_at", None) is None:
        values.update(hidden_at=utcnow(), hidden_reason="confidential")
    model.update(**values, source_digest=digest).where(model.id == row.id).execute()
    report.add(kind, "updated")


def _medicine_values(r: dict, meds: dict) -> dict:
    ref = ((r.get("medicationReference") or {}).get("reference") or "").split("/")[-1]
    med = meds.get(ref, {})
    _code, name = _coding(med) if med else _coding(r, "medicationCodeableConcept")
    dosage = (r.get("dosage") or r.get("dosageInstruction") or [{}])[0]
    # CareConnect-GPC carries repeat versus acute in the prescriptionType extension.
    repeat = any("repeat" in json.dumps(e).lower() for e in r.get("extension") or [])
    values = {
        "name": (name or "Unnamed medicine")[:120],
        "dose": (dosage.get("text") or "")[:200],
        "quantity": "",
        "kind": "repeat" if repeat else "acute",
    }
    qty = (r.get("dispenseRequest") or {}).get("quantity") or {}
    if qty:
        values["quantity"] = f"{qty.get('value', '')} {qty.get('unit', '')}".strip()[:60]
    return values


def _imported_before(model, patient: Patient) -> dict:
    """What an earlier import brought for this patient, by source resource id (read practice first)."""
    rows = model.select().where(
        (model.practice == patient.practice_id) & (model.patient == patient.id) & (model.source_id != "")
    )
    return {row.source_id: row for row in rows}


def import_bundle(actor: Actor, practice: Practice, patient_id: int, raw: bytes) -> ImportReport:
    """Import one bundle for one patient of the practice. Refusals raise DomainError and write nothing."""
    data = parse(raw)
    resources = _resources(data)
    patient = Patient.get_or_none((Patient.id == patient_id) & (Patient.practice == practice.id))
    if patient is None:
        raise DomainError("That patient is not on this practice's list.", "bundle")
    _match(practice, patient, resources)
    report = ImportReport()
    meds = {r.get("id"): r for r in resources if r.get("resourceType") == "Medication"}
    with database.atomic():
        base = {"practice": practice.id, "patient": patient.id}
        entries = _imported_before(CodedEntry, patient)
        letters = _imported_before(Letter, patient)
        medicines = _imported_before(Medicine, patient)
        for r in resources:
            rtype = r.get("resourceType")
            if not r.get("id"):
                report.skipped[f"{rtype} without an id"] += 1
            elif rtype in ENTRY_KINDS:
                kind = ENTRY_KINDS[rtype]
                _upsert(CodedEntry, entries, {**_entry_values(kind, r), "kind": kind}, r, report, kind, base)
            elif rtype in ("MedicationStatement", "MedicationRequest"):
                _upsert(Medicine, medicines, _medicine_values(r, meds), r, report, "medication", base)
            elif rtype == "DocumentReference":
                _upsert(Letter, letters, _letter_values(r), r, report, "letter", {**base, "filed_by": actor.id})
            elif rtype not in IGNORED:
                report.skipped[f"unsupported {rtype}"] += 1
        _hide_missing(entries, medicines, report)
        append(actor, "gpconnect.import", patient_id=patient.id, obj=patient, detail=report.summary())
    return report


def _letter_values(r: dict) -> dict:
    content = ""
    for c in r.get("content") or []:
        att = c.get("attachment") or {}
        if att.get("data"):
            content = base64.b64decode(att["data"]).decode("utf-8", "replace")
    author = next((a.get("display", "") for a in r.get("author") or [] if a.get("display")), "")
    _code, term = _coding(r, "type")
    return {
        "kind": "other",
        "received_on": _date(r.get("indexed"), r.get("created")) or date.today(),
        "author": (author or term or "GP Connect")[:200],
        "body": content or f"{term or 'Document'}: the content is held in the practice's clinical system.",
        "status": "awaiting_review",
    }


def _hide_missing(entries: dict, medicines: dict, report: ImportReport) -> None:
    now = utcnow()
    for row in entries.values():
        if row.hidden_at is None:
            CodedEntry.update(hidden_at=now, hidden_reason="not_in_source").where(CodedEntry.id == row.id).execute()
            report.add(row.kind, "hidden, no longer sent")
    for row in medicines.values():
        if row.stopped_at is None:
            Medicine.update(stopped_at=now, stopped_reason="No longer in the clinical system's record").where(
                Medicine.id == row.id
            ).execute()
            report.add("medication", "stopped, no longer sent")
