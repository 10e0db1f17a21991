"""Import a GP Connect Access Record: Structured bundle (FHIR STU3, CareConnect-GPC) into a patient's record.

Parsed and validated with fhir.resources' STU3 package. A refusal (DomainError) writes nothing. Everything the
bundle brings keeps its source resource id, so a re-import updates what changed, leaves the rest alone, and hides
(never deletes) what the source stopped sending. Documents always arrive awaiting review and resources the source
marks not for the patient (meta.security NOPAT) arrive hidden, whatever the bundle says otherwise (R5, R6).

Real supplier output bends STU3 in three known ways, which validation forgives (the values are kept as sent):
resource ids with underscores or longer than 64 characters (SystmOne), date-times without a time zone (the
demonstrator), and codes with a space before or after them (both). A resource still invalid after that is
skipped and counted; only an invalid Bundle or Patient refuses the whole file.
"""

import base64
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from fhir.resources.STU3 import get_fhir_model_class
from fhir.resources.STU3.bundle import Bundle

from kiosk.actor import Actor
from kiosk.clock import local_today, utcnow
from kiosk.db import database
from kiosk.models import AuditEvent, CodedEntry, Letter, LetterAttachment, Medicine, Patient, Practice, StaffUser
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
    "ReferralRequest": "referral",
    "Encounter": "consultation",
}
# Read for what they say about other resources (names, groups, headings), never imported on their own.
SUPPORTING = {
    "Patient",
    "Organization",
    "Practitioner",
    "PractitionerRole",
    "Location",
    "Medication",
    "List",
    "DiagnosticReport",
    "Specimen",
    "Binary",
}
TAKEN = {*ENTRY_KINDS, *SUPPORTING, "MedicationStatement", "MedicationRequest", "DocumentReference"}
ABNORMAL = {"H", "L", "HH", "LL", "A", "AA", "HU", "LU", "<", ">"}
STOPPED = {"stopped", "completed", "cancelled", "entered-in-error"}
REPEAT_TYPES = {"repeat", "repeat-dispensing", "delayed-prescribing"}
RELATED_CONTENT = "Extension-CareConnect-RelatedClinicalContent-1"
NO_CONTENT = "The content of this document is held in the practice's clinical system. Ask the practice for a copy."
TEXT_TYPES = ("text/plain", "text/html", "text/xml", "application/xml", "application/json")
_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_NAIVE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


@dataclass
class ImportReport:
    counts: Counter = field(default_factory=Counter)  # (kind, outcome) -> n
    skipped: Counter = field(default_factory=Counter)  # reason -> n
    unknown: Counter = field(default_factory=Counter)  # resource type kiosk does not take -> n
    writes: int = 0
    event_id: int | None = None  # the audit event that keeps this report

    def add(self, kind: str, outcome: str) -> None:
        self.counts[(kind, outcome)] += 1

    def summary(self) -> str:
        parts = [f"{kind} {outcome}: {n}" for (kind, outcome), n in sorted(self.counts.items())]
        parts += [f"skipped ({reason}): {n}" for reason, n in sorted(self.skipped.items())]
        parts += [f"unsupported {rtype}: {n}" for rtype, n in sorted(self.unknown.items())]
        return "; ".join(parts) or "nothing in the bundle"

    def as_json(self) -> str:
        """What the audit log keeps, and the report page reads back."""
        return json.dumps(
            {
                "counts": [[k, o, n] for (k, o), n in sorted(self.counts.items())],
                "skipped": dict(sorted(self.skipped.items())),
                "unknown": dict(sorted(self.unknown.items())),
            },
            separators=(",", ":"),
        )


def parse(raw: bytes) -> dict:
    if len(raw) > MAX_BYTES:
        raise DomainError("The file is larger than 20 MB. Nothing was imported.", "bundle")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise DomainError("The file is not valid JSON. Nothing was imported.", "bundle") from e
    if not isinstance(data, dict) or "resourceType" not in data:
        raise DomainError("The file is not FHIR: it has no resourceType. Nothing was imported.", "bundle")
    if data["resourceType"] != "Bundle":
        raise DomainError(f"The file is a FHIR {str(data['resourceType'])[:40]}, not a Bundle.", "bundle")
    if not isinstance(data.get("entry", []), list):
        raise DomainError("The file is not a valid FHIR STU3 Bundle: its entries are not a list.", "bundle")
    try:
        Bundle.model_validate({k: v for k, v in data.items() if k != "entry"})
    except Exception as e:  # noqa: BLE001 - the validator's own error classes vary by version
        raise DomainError("The file is not a valid FHIR STU3 Bundle.", "bundle") from e
    return data


def _forgiving(value):
    """A copy for validation only, with the known supplier deviations mended (see the module docstring)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k == "id" and isinstance(v, str) and not _ID.match(v):
                out[k] = hashlib.sha256(v.encode()).hexdigest()[:64]
            elif k == "code" and isinstance(v, str):
                out[k] = v.strip()
            else:
                out[k] = _forgiving(v)
        return out
    if isinstance(value, list):
        return [_forgiving(v) for v in value]
    if isinstance(value, str) and _NAIVE_TIME.match(value):
        return value + "+00:00"
    return value


def _invalid(r: dict) -> str | None:
    """Why a resource is not valid STU3, or None. Unknown types are not this function's business."""
    try:
        model = get_fhir_model_class(r["resourceType"])
    except (KeyError, ValueError, TypeError):
        return None
    try:
        model.model_validate(_forgiving(r))
    except Exception as e:  # noqa: BLE001 - pydantic's ValidationError, or the library's own
        errors = getattr(e, "errors", None)
        where = ".".join(str(p) for p in errors()[0]["loc"]) if callable(errors) and errors() else "content"
        return f"{r['resourceType']} not valid FHIR STU3 ({where[:60]})"
    return None


def _resources(data: dict) -> list[dict]:
    return [
        e["resource"]
        for e in data.get("entry") or []
        if isinstance(e, dict)
        and isinstance(e.get("resource"), dict)
        and isinstance(e["resource"].get("resourceType"), str)
    ]


def _match(practice: Practice, patient: Patient, resources: list[dict]) -> None:
    patients = [r for r in resources if r.get("resourceType") == "Patient"]
    if not patients:
        raise DomainError("The bundle holds no Patient. Nothing was imported.", "bundle")
    fhir_patient = patients[0]
    if _invalid(fhir_patient):
        raise DomainError("The bundle's Patient is not valid FHIR STU3. Nothing was imported.", "bundle")
    numbers = [
        str(i.get("value", "")).replace(" ", "")
        for i in fhir_patient.get("identifier") or []
        if isinstance(i, dict) and i.get("system") == NHS_SYSTEM
    ]
    if patient.practice_id != practice.id:
        raise DomainError("That patient is not on this practice's list.", "bundle")
    if patient.nhs_number not in numbers:
        raise DomainError("The bundle's NHS number is not this patient's. Nothing was imported.", "bundle")
    if fhir_patient.get("birthDate") and str(fhir_patient["birthDate"])[:10] != patient.date_of_birth.isoformat():
        raise DomainError("The bundle's date of birth is not this patient's. Nothing was imported.", "bundle")
    if patient.left_on is not None:
        raise DomainError("This patient has left the practice. Nothing was imported.", "bundle")


def bundle_nhs_number(raw: bytes) -> str:
    """The NHS number the bundle's Patient carries, for the command that finds the patient by it."""
    for r in _resources(parse(raw)):
        if r["resourceType"] == "Patient":
            for i in r.get("identifier") or []:
                if isinstance(i, dict) and i.get("system") == NHS_SYSTEM:
                    return str(i.get("value", "")).replace(" ", "")
    raise DomainError("The bundle holds no Patient with an NHS number.", "bundle")


# Reading the bundle ---------------------------------------------------------------------------------------------


class Index:
    """Resources by type and id, to resolve references ("Practitioner/1", a full URL, or "#contained")."""

    def __init__(self, resources: list[dict]):
        self.by_ref = {f"{r['resourceType']}/{r.get('id')}": r for r in resources if r.get("id")}

    def get(self, ref: dict | None, within: dict | None = None) -> dict:
        target = (ref or {}).get("reference") if isinstance(ref, dict) else None
        if not isinstance(target, str):
            return {}
        if target.startswith("#") and within:
            return next((c for c in within.get("contained") or [] if c.get("id") == target[1:]), {})
        parts = target.rstrip("/").split("/")
        return self.by_ref.get("/".join(parts[-2:]), {})

    def name(self, ref: dict | None, within: dict | None = None) -> str:
        """A person's or an organisation's name, as the bundle gives it (or the reference's display)."""
        r = self.get(ref, within)
        if r.get("resourceType") == "PractitionerRole":
            r = self.get(r.get("practitioner")) or r
        if r.get("resourceType") == "Practitioner":
            names = r.get("name") or []
            n = names[0] if names and isinstance(names[0], dict) else {}
            text = n.get("text") or " ".join([*(n.get("prefix") or []), *(n.get("given") or []), n.get("family") or ""])
            return text.strip()[:200]
        if r.get("name"):
            return str(r["name"])[:200]
        return str((ref or {}).get("display") or "")[:200] if isinstance(ref, dict) else ""


def _coding(r: dict, key: str = "code") -> tuple[str, str]:
    concept = r.get(key) or {}
    if isinstance(concept, list):
        concept = concept[0] if concept else {}
    codings = concept.get("coding") or []
    snomed = next((c for c in codings if c.get("system") == SNOMED), codings[0] if codings else {})
    return str(snomed.get("code", "")).strip()[:20], (concept.get("text") or snomed.get("display") or "")[:255]


def _date(*values) -> date | None:
    """The first usable date; FHIR allows "1952" and "1952-07", which stand for their first day."""
    for v in values:
        if isinstance(v, dict):
            v = v.get("start") or v.get("end")
        if not isinstance(v, str) or len(v) < 4:
            continue
        try:
            if len(v) >= 10:
                return date.fromisoformat(v[:10])
            if len(v) == 7:
                return date.fromisoformat(v + "-01")
            return date(int(v[:4]), 1, 1)
        except ValueError:
            continue
    return None


def _confidential(r: dict) -> bool:
    return any(isinstance(s, dict) and s.get("code") == "NOPAT" for s in (r.get("meta") or {}).get("security") or [])


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _ext(r: dict, suffix: str) -> list[dict]:
    return [e for e in r.get("extension") or [] if isinstance(e, dict) and str(e.get("url", "")).endswith(suffix)]


def _who_where(r: dict, ix: Index) -> tuple[str, str]:
    """Who recorded an entry and where, by the reference each resource type uses."""
    rtype = r["resourceType"]
    who = ""
    if rtype == "AllergyIntolerance":
        who = ix.name(r.get("recorder"), r) or ix.name(r.get("asserter"), r)
    elif rtype == "Condition":
        who = ix.name(r.get("asserter"), r)
    elif rtype in ("Observation", "DiagnosticReport"):
        performers = r.get("performer") or []
        who = next((ix.name(p.get("actor", p), r) for p in performers if isinstance(p, dict)), "")
    elif rtype == "Immunization":
        who = next((ix.name(p.get("actor"), r) for p in r.get("practitioner") or [] if isinstance(p, dict)), "")
    elif rtype == "Procedure":
        who = next((ix.name(p.get("actor"), r) for p in r.get("performer") or [] if isinstance(p, dict)), "")
    elif rtype in ("MedicationRequest", "ReferralRequest"):
        who = ix.name(r.get("recorder"), r) or ix.name((r.get("requester") or {}).get("agent"), r)
    elif rtype == "MedicationStatement":
        who = ix.name(r.get("informationSource"), r)
    elif rtype == "Encounter":
        people = [p for p in r.get("participant") or [] if isinstance(p, dict)]
        who = next((ix.name(p.get("individual"), r) for p in people if ix.name(p.get("individual"), r)), "")
    encounter = r if rtype == "Encounter" else ix.get(r.get("context") or (r.get("context") or {}).get("encounter"))
    if rtype == "DocumentReference":
        encounter = ix.get((r.get("context") or {}).get("encounter"))
    where = ""
    if encounter:
        places = [p for p in encounter.get("location") or [] if isinstance(p, dict)]
        where = next((ix.name(p.get("location"), encounter) for p in places), "") or ix.name(
            encounter.get("serviceProvider"), encounter
        )
    return who[:200], where[:120]


@dataclass
class Context:
    """What one resource's mapping needs to know about the rest of the bundle."""

    ix: Index
    groups: dict  # observation id -> (label, confidential)
    problems: dict  # linked resource id -> (problem id, confidential)
    consultations: dict  # encounter id -> (title, text, confidential inside)


def _read_context(resources: list[dict], ix: Index) -> Context:
    problems: dict = {}
    for r in resources:
        if r["resourceType"] == "Condition" and r.get("id"):
            for e in _ext(r, RELATED_CONTENT):
                target = ix.get(e.get("valueReference"), r)
                if target.get("id"):
                    problems.setdefault(target["id"], (r["id"], _confidential(r)))
    return Context(ix, _report_groups(resources, ix), problems, _consultations(resources, ix))


def _report_groups(resources: list[dict], ix: Index) -> dict:
    """Each result a DiagnosticReport groups (and the members of a test group in it): the report and specimen."""
    groups: dict = {}
    for r in resources:
        if r["resourceType"] == "DiagnosticReport":
            _code, term = _coding(r)
            label = f"Report: {term or 'Test report'}"
            issued = _date(r.get("issued"), r.get("effectiveDateTime"))
            if issued:
                label += f", {issued:%d %b %Y}"
            for ref in r.get("specimen") or []:
                specimen = ix.get(ref, r)
                if specimen:
                    _sc, kind = _coding(specimen, "type")
                    collected = _date(
                        (specimen.get("collection") or {}).get("collectedDateTime"), specimen.get("receivedTime")
                    )
                    label += f". Specimen: {kind or 'sample'}" + (
                        f", collected {collected:%d %b %Y}" if collected else ""
                    )
                    break
            for ref in r.get("result") or []:
                obs = ix.get(ref, r)
                if obs.get("id"):
                    groups[obs["id"]] = (label[:255], _confidential(r))
                    for member in obs.get("related") or []:
                        inner = ix.get((member or {}).get("target"), obs)
                        if inner.get("id"):
                            groups.setdefault(inner["id"], (label[:255], _confidential(r)))
    return groups


def _item_line(item: dict) -> tuple[str, bool]:
    _code, term = _coding(item, "vaccineCode" if item.get("resourceType") == "Immunization" else "code")
    if item.get("resourceType") == "MedicationRequest":
        term = term or "Medication"
    value = item.get("valueString") or ""
    q = item.get("valueQuantity") or {}
    if q.get("value") is not None:
        value = f"{q.get('comparator', '')}{q['value']} {q.get('unit', '')}".strip()
    comment = item.get("comment") or item.get("description") or ""
    notes = " ".join(n.get("text", "") for n in item.get("note") or [] if isinstance(n, dict))
    line = ": ".join(p for p in (term, value) if p)
    extra = " ".join(p for p in (comment, notes) if p)
    return (f"{line} ({extra})" if line and extra else line or extra), _confidential(item)


def _consultations(resources: list[dict], ix: Index) -> dict:
    """Each Encounter's consultation List: its title, and its topics' headings with their items, as text."""
    out: dict = {}
    for lst in resources:
        if lst["resourceType"] != "List" or _coding(lst)[0] != "325851000000107":  # SNOMED "Consultation"
            continue
        encounter = ix.get(lst.get("encounter"), lst)
        if not encounter.get("id"):
            continue
        lines, secret = [], _confidential(lst)
        for topic_ref in lst.get("entry") or []:
            topic = ix.get((topic_ref or {}).get("item"), lst)
            if topic.get("resourceType") != "List":
                continue
            secret = secret or _confidential(topic)
            lines.append(topic.get("title") or "Topic")
            for heading_ref in topic.get("entry") or []:
                heading = ix.get((heading_ref or {}).get("item"), topic)
                items = (
                    [heading]
                    if heading.get("resourceType") != "List"
                    else [ix.get((i or {}).get("item"), heading) for i in heading.get("entry") or []]
                )
                texts = []
                for item in items:
                    if not item:
                        continue
                    text, item_secret = _item_line(item)
                    secret = secret or item_secret
                    if text and not item_secret:
                        texts.append(text)
                if heading.get("resourceType") == "List":
                    secret = secret or _confidential(heading)
                    lines.append(f"  {heading.get('title') or 'Notes'}: " + "; ".join(texts))
                elif texts:
                    lines.append("  " + "; ".join(texts))
        out[encounter["id"]] = (lst.get("title") or "", "\n".join(lines), secret, _date(lst.get("date")))
    return out


# Mapping --------------------------------------------------------------------------------------------------------


def _entry_values(kind: str, r: dict, ctx: Context) -> dict:
    key = {"immunisation": "vaccineCode", "referral": "reasonCode"}.get(kind, "code")
    code, term = _coding(r, key)
    if kind == "referral" and not term:
        code, term = _coding(r, "type")
    if kind == "consultation":
        code, term = _coding(r, "type")
    who, where = _who_where(r, ctx.ix)
    values = {
        "snomed_code": code or "unknown",
        "term": term or "Unnamed entry",
        "effective_on": _date(
            r.get("effectiveDateTime"),
            r.get("effectivePeriod"),
            r.get("assertedDate"),
            r.get("onsetDateTime"),
            r.get("date"),
            r.get("performedDateTime"),
            r.get("performedPeriod"),
            r.get("authoredOn"),
            r.get("period"),
            r.get("issued"),
        )
        or local_today(),
        "recorded_by": who,
        "recorded_at_place": where,
        "linked_to": ctx.problems.get(r["id"], ("", False))[0][:120],
    }
    if kind == "result":
        values.update(_result_values(r))
        values["group_label"] = ctx.groups.get(r["id"], ("", False))[0]
    elif kind == "problem":
        values["clinical_status"] = str(r.get("clinicalStatus") or "")[:20]
        if r.get("abatementDateTime") or r.get("clinicalStatus") in ("inactive", "resolved"):
            values["clinical_status"] = str(r.get("clinicalStatus") or "resolved")[:20]
    elif kind == "allergy":
        reactions = [m for x in r.get("reaction") or [] for m in (x.get("manifestation") or [])]
        names = [_coding({"code": m})[1] for m in reactions]
        values["value"] = ", ".join(n for n in names if n)[:60]
        values["clinical_status"] = str(r.get("clinicalStatus") or "")[:20]
    elif kind == "referral":
        values["text"] = str(r.get("description") or "")  # free text: the full level only shows it
        values["clinical_status"] = str(r.get("priority") or "")[:20]
    elif kind == "consultation":
        title, text, _secret, listed = ctx.consultations.get(r["id"], ("", "", False, None))
        values["term"] = (title or term or "Consultation")[:255]
        values["snomed_code"] = code or "325851000000107"  # SNOMED CT "Consultation", the List's own code
        values["text"] = text
        values["effective_on"] = _date(r.get("period")) or listed or values["effective_on"]
    return values


def _result_values(r: dict) -> dict:
    q = r.get("valueQuantity") or {}
    if q.get("value") is not None:
        value, units = f"{q.get('comparator', '')}{q['value']}", str(q.get("unit") or q.get("code") or "")
    else:
        concept = r.get("valueCodeableConcept")
        value = _coding({"code": concept})[1] if concept else str(r.get("valueString") or "")
        units = ""
    out = {"value": value[:60], "units": units[:30], "text": str(r.get("comment") or "")}
    ranges = [x for x in r.get("referenceRange") or [] if isinstance(x, dict)]
    if ranges:
        low, high = (ranges[0].get("low") or {}).get("value"), (ranges[0].get("high") or {}).get("value")
        if ranges[0].get("text"):
            out["reference_range"] = str(ranges[0]["text"])[:60]
        elif low is not None or high is not None:
            out["reference_range"] = f"{'' if low is None else low}-{'' if high is None else high}"[:60]
    interpretation = r.get("interpretation") or {}
    codes = [str(c.get("code")) for c in interpretation.get("coding") or [] if isinstance(c, dict)]
    label = interpretation.get("text") or next(
        (c.get("display") for c in interpretation.get("coding") or [] if c.get("display")), ""
    )
    out["interpretation"] = str(label or ",".join(codes))[:60]
    out["abnormal"] = any(c in ABNORMAL for c in codes) or "abnormal" in str(label).lower()
    return out


def _hidden_reason(r: dict, kind: str, ctx: Context) -> bool:
    """Confidential: the resource itself, the report that groups it, or (a consultation) anything inside it."""
    if _confidential(r):
        return True
    if kind == "result" and ctx.groups.get(r["id"], ("", False))[1]:
        return True
    return kind == "consultation" and ctx.consultations.get(r["id"], ("", "", False, None))[2]


def _upsert(model, existing: dict, values: dict, sid: str, digest: str, secret: bool, kind: str, base: dict, report):
    row = existing.pop(sid, None)
    if row is None:
        if secret:
            values.update(hidden_at=utcnow(), hidden_reason="confidential")
            report.add(kind, "hidden as confidential")
        created = model.create(**base, **values, source_id=sid, source_digest=digest)
        report.writes += 1
        report.add(kind, "new")
        if kind == "letter" or values.get("abnormal"):
            report.add(kind, "waiting for review")
        return created
    if row.source_digest == digest:
        report.add(kind, "unchanged")
        return None
    # A newer version updates the content only: who hid, cleared, withheld or stopped it is the practice's decision.
    values.pop("status", None)
    values.pop("decision_note", None)
    if getattr(row, "stopped_at", None) is not None:  # never restarted by an import; stopped when the source stops it
        values.pop("stopped_at", None)
        values.pop("stopped_reason", None)
    if secret and getattr(row, "hidden_at", None) is None and hasattr(model, "hidden_at"):
        values.update(hidden_at=utcnow(), hidden_reason="confidential")
        report.add(kind, "hidden as confidential")
    if values.get("abnormal") and not row.abnormal:
        values.update(reviewed_at=None, reviewed_by=None)  # a result that turned abnormal waits for review again
    model.update(**values, source_digest=digest).where(model.id == row.id).execute()
    report.writes += 1
    report.add(kind, "updated")
    return None


def _medicines(resources: list[dict], ix: Index) -> list[tuple[str, dict, list[dict]]]:
    """One medicine per MedicationStatement (with its plan and the plan's issues), or per plan no statement names."""
    by_id = {r.get("id"): r for r in resources if r["resourceType"] == "MedicationRequest" and r.get("id")}
    issues: dict[str, list[dict]] = {}
    for r in by_id.values():
        if r.get("intent") == "order":
            for ref in r.get("basedOn") or []:
                plan = ix.get(ref, r)
                if plan.get("id"):
                    issues.setdefault(plan["id"], []).append(r)
    out, planned = [], set()
    for r in resources:
        if r["resourceType"] == "MedicationStatement" and r.get("id"):
            plans = [ix.get(ref, r) for ref in r.get("basedOn") or []]
            plan = next((p for p in plans if p.get("resourceType") == "MedicationRequest"), {})
            planned.add(plan.get("id"))
            out.append((r["id"], {"statement": r, "plan": plan}, issues.get(plan.get("id"), [])))
    for r in by_id.values():
        if r.get("intent") != "order" and r["id"] not in planned:
            out.append((r["id"], {"statement": {}, "plan": r}, issues.get(r["id"], [])))
        elif r.get("intent") == "order" and not any(ix.get(ref, r) for ref in r.get("basedOn") or []):
            out.append((r["id"], {"statement": {}, "plan": r}, []))  # an issue of no plan: an acute on its own
    return out


def _medicine_values(parts: dict, orders: list[dict], ix: Index) -> dict:
    statement, plan = parts["statement"], parts["plan"]
    source = plan or statement
    med = ix.get(source.get("medicationReference"), source) or ix.get(statement.get("medicationReference"), statement)
    name = _coding(med)[1] if med else ""
    name = name or _coding(source, "medicationCodeableConcept")[1] or _coding(statement, "medicationCodeableConcept")[1]
    dosage = (statement.get("dosage") or plan.get("dosageInstruction") or [{}])[0] or {}
    dose = " ".join(p for p in (dosage.get("text"), dosage.get("patientInstruction")) if p)
    types = [
        c.get("code")
        for e in _ext(plan, "PrescriptionType-1")
        for c in (e.get("valueCodeableConcept") or {}).get("coding") or []
    ]
    repeat = (
        any(t in REPEAT_TYPES for t in types)
        if types
        else plan.get("intent") == "plan" and bool(_ext(plan, "RepeatInformation-1"))
    )
    values = {
        "name": (name or "Unnamed medicine")[:120],
        "dose": dose[:200],
        "quantity": "",
        "kind": "repeat" if repeat else "acute",
        "issues_left": 0 if not repeat else 6,
    }
    qty = (plan.get("dispenseRequest") or {}).get("quantity") or {}
    quantity_text = next((e.get("valueString") for e in _ext(qty, "MedicationQuantityText-1")), "")
    if qty.get("value") is not None:
        values["quantity"] = f"{qty['value']} {qty.get('unit', '')}".strip()[:60]
    elif quantity_text:
        values["quantity"] = str(quantity_text)[:60]
    for info in _ext(plan, "MedicationRepeatInformation-1"):
        inner = {e.get("url"): e for e in info.get("extension") or []}
        allowed = (inner.get("numberOfRepeatPrescriptionsAllowed") or {}).get("valuePositiveInt")
        issued = (inner.get("numberOfRepeatPrescriptionsIssued") or {}).get("valuePositiveInt") or 0
        if isinstance(allowed, int):
            values["issues_left"] = max(0, allowed - int(issued))
        expiry = _date((inner.get("authorisationExpiryDate") or {}).get("valueDateTime"))
        if expiry:
            values["review_on"] = expiry
    if "review_on" not in values and (
        end := _date(((plan.get("dispenseRequest") or {}).get("validityPeriod") or {}).get("end"))
    ):
        values["review_on"] = end
    issued_on = [
        d
        for d in (_date(o.get("authoredOn"), (o.get("dispenseRequest") or {}).get("validityPeriod")) for o in orders)
        if d
    ]
    last = next((_date(e.get("valueDateTime")) for e in _ext(statement, "LastIssueDate-1")), None)
    if issued_on or last:
        values["last_issued_on"] = max([*issued_on, *([last] if last else [])])
    supply = (plan.get("dispenseRequest") or {}).get("expectedSupplyDuration") or {}
    if isinstance(supply.get("value"), (int, float)) and supply.get("code", "d") == "d" and 0 < supply["value"] <= 366:
        values["interval_days"] = int(supply["value"])
    status = statement.get("status") or plan.get("status")
    if status in STOPPED or plan.get("status") in STOPPED:
        values["stopped_at"] = utcnow()
        values["stopped_reason"] = "Ended in the clinical system"
    who, where = _who_where(plan or statement, ix)
    values["recorded_by"], values["recorded_at_place"] = who, where
    return values


def _letter_kind(term: str) -> str:
    t = term.lower()
    if "discharge" in t:
        return "discharge"
    if "outpatient" in t or re.search(r"\bclinic\b", t):
        return "outpatient"
    if "referral" in t:
        return "referral"
    return "other"


def _letter_values(r: dict, ix: Index) -> tuple[dict, tuple[str, str, bytes] | None]:
    """A letter's fields, and an attachment when the bundle carries content that is not text."""
    _code, term = _coding(r, "type")
    title = term or str(r.get("description") or "") or "Document"
    body, attachment = "", None
    for c in r.get("content") or []:
        att = (c or {}).get("attachment") or {}
        data, ctype = att.get("data"), str(att.get("contentType") or "application/octet-stream")
        if not data and att.get("url"):
            binary = ix.by_ref.get("Binary/" + str(att["url"]).rstrip("/").split("/")[-1], {})
            data, ctype = binary.get("content") or binary.get("data"), str(binary.get("contentType") or ctype)
        if not data:
            continue
        try:
            content = base64.b64decode(data, validate=False)
        except ValueError:
            continue
        if ctype.split(";")[0].strip() in TEXT_TYPES:
            body = content.decode("utf-8", "replace")
        else:
            attachment = (f"{title[:150]}.{ctype.split('/')[-1][:10]}", ctype[:100], content)
        break
    author = next((ix.name(a, r) for a in r.get("author") or [] if ix.name(a, r)), "")
    organisation = ix.name(r.get("custodian"), r) or next(
        (ix.name(a, r) for a in r.get("author") or [] if ix.get(a, r).get("resourceType") == "Organization"), ""
    )
    if not body:
        described = str(r.get("description") or "").strip()
        body = (f"{described}. " if described and described != title else "") + (
            "The attached file holds the content." if attachment else NO_CONTENT
        )
    values = {
        "kind": _letter_kind(title),
        "title": title[:255],
        "received_on": _date(r.get("created"), r.get("indexed")) or local_today(),
        "author": (author or organisation or "GP Connect")[:200],
        "organisation": organisation[:200],
        "body": body,
        "status": "awaiting_review",
    }
    if _confidential(r):
        values["decision_note"] = "The clinical system marked this document not for the patient (NOPAT)."
    return values, attachment


def _imported_before(model, patient: Patient) -> dict:
    """What an earlier import brought for this patient, by source resource id (read practice first)."""
    rows = model.select().where(
        (model.practice == patient.practice_id) & (model.patient == patient.id) & (model.source_id != "")
    )
    return {row.source_id: row for row in rows}


def _filer(actor: Actor, practice: Practice) -> int:
    if actor.kind == "staff" and actor.id is not None:
        return actor.id
    raise DomainError("Imported letters need a member of staff to file them.", "bundle")


def import_bundle(actor: Actor, practice: Practice, patient_id: int, raw: bytes) -> ImportReport:
    """Import one bundle for one patient of the practice, in one transaction. Refusals raise DomainError and
    write nothing. The report is kept in the audit log, and returned."""
    data = parse(raw)
    resources = _resources(data)
    patient = Patient.get_or_none((Patient.id == patient_id) & (Patient.practice == practice.id))
    if patient is None:
        raise DomainError("That patient is not on this practice's list.", "bundle")
    _match(practice, patient, resources)
    filed_by = _filer(actor, practice)
    report = ImportReport()
    valid = _screen(resources, report)
    ix = Index(valid)
    ctx = _read_context(valid, ix)
    _write(actor, practice, patient, filed_by, valid, ctx, report)
    return report


def _screen(resources: list[dict], report: ImportReport) -> list[dict]:
    """The resources to import: valid STU3 of the types kiosk takes. The rest are counted in the report."""
    valid = []
    for r in resources:
        taken = r["resourceType"] in TAKEN and r["resourceType"] != "Patient"
        problem = _invalid(r) if taken else None
        if r["resourceType"] not in TAKEN:
            report.unknown[r["resourceType"]] += 1
        elif problem:
            report.skipped[problem] += 1
        elif not r.get("id") and r["resourceType"] not in SUPPORTING:
            report.skipped[f"{r['resourceType']} without an id"] += 1
        else:
            valid.append(r)
    return valid


def _write(actor: Actor, practice: Practice, patient: Patient, filed_by: int, valid: list, ctx, report) -> None:
    ix = ctx.ix
    with database.atomic():
        base = {"practice": practice.id, "patient": patient.id}
        entries = _imported_before(CodedEntry, patient)
        letters = _imported_before(Letter, patient)
        medicines = _imported_before(Medicine, patient)
        for r in valid:
            rtype = r["resourceType"]
            if rtype in ENTRY_KINDS:
                kind = ENTRY_KINDS[rtype]
                values = {**_entry_values(kind, r, ctx), "kind": kind}
                secret = _hidden_reason(r, kind, ctx)
                _upsert(CodedEntry, entries, values, r["id"], _digest(r, values), secret, kind, base, report)
            elif rtype == "DocumentReference":
                values, attachment = _letter_values(r, ix)
                digest = _digest(r, values, attachment[1] if attachment else "")
                letter = _upsert(
                    Letter, letters, values, r["id"], digest, False, "letter", {**base, "filed_by": filed_by}, report
                )
                if _confidential(r):
                    report.add("letter", "hidden as confidential")
                if letter is not None and attachment:
                    name, ctype, content = attachment
                    LetterAttachment.create(
                        practice=practice.id, letter=letter, filename=name, content_type=ctype, data=content
                    )
            elif rtype == "MedicationRequest" and r.get("intent") == "order":
                report.add("medication issue", "read with its plan")
        for sid, parts, orders in _medicines(valid, ix):
            values = _medicine_values(parts, orders, ix)
            secret = _confidential(parts["statement"]) or _confidential(parts["plan"])
            digest = _digest(parts, orders, {k: v for k, v in values.items() if k != "stopped_at"})
            _upsert(Medicine, medicines, values, sid, digest, secret, "medication", base, report)
        _hide_missing(entries, medicines, report)
        report.event_id = append(
            actor, "gpconnect.import", patient_id=patient.id, obj=patient, detail=report.as_json()
        ).id


def _hide_missing(entries: dict, medicines: dict, report: ImportReport) -> None:
    now = utcnow()
    for row in entries.values():
        if row.hidden_at is None:
            CodedEntry.update(hidden_at=now, hidden_reason="not_in_source").where(CodedEntry.id == row.id).execute()
            report.writes += 1
            report.add(row.kind, "hidden, no longer sent")
    for row in medicines.values():
        if row.stopped_at is None:
            Medicine.update(stopped_at=now, stopped_reason="No longer in the clinical system's record").where(
                Medicine.id == row.id
            ).execute()
            report.writes += 1
            report.add("medication", "stopped, no longer sent")


def staff_import(actor: Actor, patient_id: int, raw: bytes) -> ImportReport:
    """The staff page's way in. A refusal is kept in the audit log too (R12), and nothing else is written."""
    practice = Practice.get_by_id(actor.practice_id)
    try:
        return import_bundle(actor, practice, patient_id, raw)
    except DomainError as e:
        with database.atomic():
            append(actor, "gpconnect.import", patient_id=patient_id, outcome="refused", detail=e.message)
        raise


OUTCOMES = ["new", "updated", "unchanged", "hidden as confidential", "waiting for review"]


@dataclass(frozen=True)
class ReportRow:
    kind: str
    cells: list  # n per OUTCOMES, in order
    other: str  # other outcomes, said in words


def report_rows(record: "ImportRecord") -> list[ReportRow]:
    """The report as a table: one row per kind, a column per outcome, anything else in words."""
    by_kind: dict[str, Counter] = {}
    for kind, outcome, n in record.counts:
        by_kind.setdefault(kind, Counter())[outcome] += n
    rows = []
    for kind, outcomes in sorted(by_kind.items()):
        other = ", ".join(f"{o}: {n}" for o, n in sorted(outcomes.items()) if o not in OUTCOMES)
        rows.append(ReportRow(kind, [outcomes.get(o, 0) for o in OUTCOMES], other))
    return rows


def staff_for_command(practice: Practice, email: str) -> Actor:
    """Who `flask import-gpconnect` files letters as: a clinician or manager of the practice, named by email."""
    staff = StaffUser.get_or_none((StaffUser.practice == practice.id) & (StaffUser.email == email.strip().lower()))
    if staff is None or staff.role not in ("clinician", "manager"):
        raise DomainError(f"No clinician or manager of {practice.ods_code} has the email {email.strip()[:80]}.")
    return Actor.staff(staff.id, staff.name, staff.role, practice.id, "command line (flask import-gpconnect)")


def find_practice(ods_code: str) -> Practice:
    practice = Practice.get_or_none(Practice.ods_code == ods_code.strip().upper())
    if practice is None:
        raise DomainError(f"No practice has the ODS code {ods_code.strip().upper()[:10]}")
    return practice


def import_file(actor: Actor, practice: Practice, raw: bytes) -> tuple[Patient, ImportReport]:
    """The command's way in: the bundle names its patient by NHS number, within the practice."""
    nhs = bundle_nhs_number(raw)
    patient = Patient.get_or_none((Patient.practice == practice.id) & (Patient.nhs_number == nhs))
    if patient is None:
        raise DomainError(f"No patient of {practice.ods_code} has the bundle's NHS number.", "bundle")
    return patient, import_bundle(actor, practice, patient.id, raw)


@dataclass(frozen=True)
class ImportRecord:
    """One import as the audit log keeps it: who and when for everyone, the counts for clinical staff."""

    event_id: int
    at: object
    by: str
    counts: list
    skipped: dict
    unknown: dict


def imports_for(practice_id: int, patient_id: int, limit: int = 10) -> list[ImportRecord]:
    rows = (
        AuditEvent.select()
        .where(
            (AuditEvent.practice == practice_id)
            & (AuditEvent.patient == patient_id)
            & (AuditEvent.action == "gpconnect.import")
            & (AuditEvent.outcome == "ok")
        )
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    return [_record(row) for row in rows]


def import_record(practice_id: int, patient_id: int, event_id: int) -> ImportRecord | None:
    row = AuditEvent.get_or_none(
        (AuditEvent.id == event_id)
        & (AuditEvent.practice == practice_id)
        & (AuditEvent.patient == patient_id)
        & (AuditEvent.action == "gpconnect.import")
        & (AuditEvent.outcome == "ok")
    )
    return _record(row) if row else None


def _record(row) -> ImportRecord:
    try:
        detail = json.loads(row.detail)
    except ValueError:
        detail = {}
    if not isinstance(detail, dict):
        detail = {}
    return ImportRecord(
        row.id, row.at, row.actor_name, detail.get("counts", []), detail.get("skipped", {}), detail.get("unknown", {})
    )
