"""Importing a practice list from CSV, for the upload page and `flask import-patients` alike.

Nothing is written until a preview has said what would happen: how many patients are new, how many already on the
list (matched by NHS number) would be updated, and every rejected row with its line and reason. A file with any
rejected row cannot be committed: the commit writes all of it in one transaction or nothing, and re-importing the
same file changes nothing. Cells are kept exactly as typed: a cell that looks like a spreadsheet formula is text here,
never evaluated.

Between preview and commit the uploaded text waits in patient_import with its SHA-256, and the commit re-reads that
text (and re-checks it against the list as it is then), never a second upload.
"""

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from peewee import IntegrityError

from kiosk.actor import Actor
from kiosk.clock import local_today, utcnow
from kiosk.db import database
from kiosk.models import SEXES, Patient, PatientImport, Practice
from kiosk.models.people import (
    email_is_valid,
    mobile_is_valid,
    nhs_number_is_valid,
    normalise_nhs_number,
    normalise_postcode,
    postcode_is_valid,
)
from kiosk.services import DomainError
from kiosk.services.audit import append, append_many
from kiosk.services.patient_list import describe_changes

MAX_BYTES = 4 * 1024 * 1024  # a 20,000-patient list with addresses is about 3 MB
MAX_ROWS = 20_000
STAGED_FOR = timedelta(hours=24)
CHUNK = 500  # rows per INSERT: 500 x 12 values stays far inside SQLite's limit on bound parameters


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    max_length: int
    description: str
    example: str


COLUMNS = (
    Column("nhs_number", True, 10, "10 digits; spaces allowed. Matches someone already on the list.", "943 476 5919"),
    Column("title", False, 20, "Mr, Mrs, Ms, Mx, Dr …", "Ms"),
    Column("given_name", True, 80, "First name.", "Grace"),
    Column("family_name", True, 80, "Last name.", "Shaw"),
    Column("date_of_birth", True, 10, "DD/MM/YYYY or YYYY-MM-DD.", "14/03/1985"),
    Column("sex", True, 10, "female, male or other (F, M or O also work).", "female"),
    Column(
        "address", False, 300, "The address without the postcode; commas are fine inside quotes.", "1 High St, Leeds"
    ),
    Column("postcode", False, 10, "A UK postcode.", "LS1 4AP"),
    Column("mobile", False, 20, "10 or 11 digits, +44 allowed.", "07700 900123"),
    Column("email", False, 254, "An email address.", "grace@example.com"),
    Column("nominated_pharmacy", False, 200, "Empty: collects prescriptions at the practice.", "Boots, Briggate"),
)
BY_NAME = {c.name: c for c in COLUMNS}
REQUIRED = [c.name for c in COLUMNS if c.required]
SEX_WORDS = {**{k: k for k in SEXES}, "f": "female", "m": "male", "o": "other"}
DATE_PATTERNS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
# C0 controls other than tab, newline and carriage return, and lone surrogates: nothing a person types, and NUL
# cannot be stored in PostgreSQL text at all.
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


class FileProblem(DomainError):
    """The file as a whole cannot be read as a practice list: nothing in it is previewed."""


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass(frozen=True)
class Row:
    line: int
    values: dict  # only the columns the file has, cleaned as they would be stored


@dataclass
class Preview:
    columns: list[str]
    rows: list[Row]
    rejected: list[Rejected]
    digest: str
    new: list[Row] = field(default_factory=list)
    updates: list[tuple[int, Row, dict, dict]] = field(default_factory=list)  # (patient id, row, before, changed)
    unchanged: int = 0

    @property
    def can_commit(self) -> bool:
        return not self.rejected and bool(self.rows)


@dataclass(frozen=True)
class Result:
    added: int
    updated: int
    unchanged: int


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode(data: bytes, size: int | None = None) -> str:
    """The file's text: UTF-8 with or without the byte order mark Excel writes. `size` is the whole file's, when
    only its first MAX_BYTES + 1 bytes were read."""
    if len(data) > MAX_BYTES:
        raise FileProblem(
            f"The file is {(size or len(data)) / 1024 / 1024:.1f} MB: "
            f"a list can be at most {MAX_BYTES // 1024 // 1024} MB. "
            "Split it into smaller files and import each."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise FileProblem(
            f"The file is not UTF-8 text (the first unreadable byte is number {e.start + 1}). In Excel choose "
            "Save as, then “CSV UTF-8 (Comma delimited)”."
        ) from None
    if not text.strip():
        raise FileProblem("The file is empty. Use the template: a header row, then one patient per line.")
    return text


def parse(text: str) -> tuple[list[str], list[Row], list[Rejected]]:
    """Read the CSV: the header names the columns (any order, any case), each later line is one patient.

    Raises FileProblem for a file that cannot be a practice list; rows that are wrong come back as Rejected."""
    reader = csv.reader(io.StringIO(text, newline=""))
    columns = _header(reader)
    rows, rejected, seen = [], [], {}
    line = reader.line_num + 1
    try:
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue  # a blank line, or a row of empty cells a spreadsheet left behind
            if len(rows) + len(rejected) >= MAX_ROWS:
                raise FileProblem(f"The file has more than {MAX_ROWS:,} patients: split it into smaller files.")
            values, problem = _row(columns, cells)
            if problem is None:
                earlier = seen.get(values["nhs_number"])
                if earlier is not None:
                    problem = f"NHS number {values['nhs_number']} is also on line {earlier}"
                else:
                    seen[values["nhs_number"]] = start
            if problem:
                rejected.append(Rejected(start, problem))
            else:
                rows.append(Row(start, values))
    except csv.Error as e:
        raise FileProblem(f"Line {line} could not be read as CSV ({e}). Check its quotation marks.") from None
    if not rows and not rejected:
        raise FileProblem("The file has a header row but no patients.")
    return columns, rows, rejected


def _header(reader) -> list[str]:
    """The column names from the header row; FileProblem when a column is unknown, repeated or missing."""
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise FileProblem("The first line must be the header row: see the template.") from None
    columns = [_column_name(h) for h in header]
    unknown = [h for h, name in zip(header, columns, strict=True) if name not in BY_NAME]
    if unknown:
        raise FileProblem(
            f"Line 1 has a column this list does not take: “{unknown[0][:40]}”. The columns are: "
            + ", ".join(BY_NAME)
            + "."
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise FileProblem(f"Line 1 names the column {repeated[0]} more than once.")
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise FileProblem(f"The file has no {', '.join(missing)} column: every patient needs one. See the template.")
    return columns


def _column_name(heading: str) -> str:
    return re.sub(r"[\s\-]+", "_", heading.strip().lower())


def _row(columns: list[str], cells: list[str]) -> tuple[dict, str | None]:
    if len(cells) != len(columns):
        return {}, f"has {len(cells)} cells where the header has {len(columns)}: check for a comma outside quotes"
    values = {}
    for name, raw in zip(columns, cells, strict=True):
        if _UNSTORABLE.search(raw):
            return {}, f"{name} contains a character that is not allowed"
        column, cell = BY_NAME[name], raw.strip()
        if column.required and not cell:
            return {}, f"{name} is empty"
        value, problem = _clean(name, cell)
        if problem:
            return {}, problem
        if isinstance(value, str) and len(value) > column.max_length:
            return {}, f"{name} is longer than {column.max_length} characters"
        values[name] = value
    return values, None


def _clean(name: str, cell: str):
    """(value as stored, problem or None). Text cells are kept as typed, '=SUM(A1)' included."""
    if name == "nhs_number":
        digits = normalise_nhs_number(cell)
        if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
            return "", f"NHS number “{cell[:20]}” is not 10 digits"
        if not nhs_number_is_valid(digits):
            return "", f"NHS number {digits} is not valid (its check digit is wrong)"
        return digits, None
    if name == "date_of_birth":
        born = _date(cell)
        if born is None:
            return "", f"date_of_birth “{cell[:20]}” is not a real date (use DD/MM/YYYY)"
        if born > local_today():
            return "", f"date_of_birth {cell} is in the future"
        return born, None
    if name == "sex":
        sex = SEX_WORDS.get(cell.lower())
        return (sex, None) if sex else ("", f"sex “{cell[:20]}” must be female, male or other")
    if not cell:
        return "", None
    if name == "postcode":
        return (
            (normalise_postcode(cell), None)
            if postcode_is_valid(cell)
            else ("", f"postcode “{cell[:12]}” is not a UK postcode")
        )
    if name == "mobile" and not mobile_is_valid(cell):
        return "", f"mobile “{cell[:20]}” is not a phone number"
    if name == "email" and not email_is_valid(cell):
        return "", f"email “{cell[:40]}” is not an email address"
    return cell, None


def _date(cell: str) -> date | None:
    if len(cell) > 10:
        return None
    for pattern in DATE_PATTERNS:
        try:
            value = datetime.strptime(cell, pattern).date()
        except ValueError:
            continue
        return value if value.year >= 1900 else None
    return None


def preview(practice_id: int, text: str) -> Preview:
    """What committing `text` would do to this practice's list as it stands now. Reads only."""
    columns, rows, rejected = parse(text)
    result = Preview(columns, rows, rejected, digest_of(text))
    by_number = {row.values["nhs_number"]: row for row in rows}
    numbers = list(by_number)
    compared = [c for c in columns if c != "nhs_number"]
    found = set()
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        query = Patient.for_practice(practice_id).where(Patient.nhs_number.in_(chunk))
        for patient in query:
            found.add(patient.nhs_number)
            row = by_number[patient.nhs_number]
            before = {name: getattr(patient, name) for name in compared}
            changed = {name: row.values[name] for name in compared if before[name] != row.values[name]}
            if changed:
                result.updates.append((patient.id, row, before, changed))
            else:
                result.unchanged += 1
    result.new = [row for row in rows if row.values["nhs_number"] not in found]
    return result


def apply(actor: Actor, plan: Preview, progress: Callable[[int], None] | None = None) -> Result:
    """Write a preview that can be committed: one transaction, new patients in batches, then the updates."""
    if not plan.can_commit:
        raise DomainError("Fix the rejected rows and upload the file again: nothing has been imported")
    step = progress or (lambda _n: None)
    now = utcnow()
    defaults = {c.name: "" for c in COLUMNS if not c.required}
    events = []
    try:
        with database.atomic():
            for start in range(0, len(plan.new), CHUNK):
                chunk = plan.new[start : start + CHUNK]
                Patient.insert_many(
                    [{**defaults, **row.values, "practice": actor.practice_id, "created_at": now} for row in chunk]
                ).execute()
                numbers = [row.values["nhs_number"] for row in chunk]
                ids = dict(
                    Patient.for_practice(actor.practice_id)
                    .where(Patient.nhs_number.in_(numbers))
                    .select(Patient.nhs_number, Patient.id)
                    .tuples()
                )
                events += [_event("patient.create", ids[n], f"imported; NHS number {n}") for n in numbers]
                step(len(chunk))
            for patient_id, _row, before, changed in plan.updates:
                Patient.update(**changed).where(Patient.id == patient_id).execute()
                events.append(_event("patient.update", patient_id, "imported; " + describe_changes(before, changed)))
                step(1)
            step(plan.unchanged)
            append_many(actor, events)
            result = Result(len(plan.new), len(plan.updates), plan.unchanged)
            append(
                actor,
                "patient.import",
                detail=f"{result.added} added, {result.updated} updated, {result.unchanged} unchanged; "
                f"sha256 {plan.digest}",
            )
    except IntegrityError:
        raise DomainError(
            "Someone changed the list while it was importing. Nothing was imported: preview the file again."
        ) from None
    return result


def _event(action: str, patient_id: int, detail: str) -> dict:
    return {
        "action": action,
        "patient_id": patient_id,
        "object_type": "patient",
        "object_id": patient_id,
        "detail": detail,
    }


def command_actor(ods_code: str) -> Actor:
    """Who `flask import-patients` acts as, in the audit log: the command line, for the practice named."""
    practice = Practice.get_or_none(Practice.ods_code == ods_code.strip().upper())
    if practice is None:
        raise DomainError(f"No practice has the ODS code {ods_code.strip().upper()[:10]}")
    return Actor("system", None, "flask import-patients", "system", practice.id, "command line")


# The page's journey: stage, preview, commit --------------------------------------------------------------------


def stage(actor: Actor, filename: str, data: bytes) -> tuple[PatientImport, Preview]:
    """Keep an uploaded file for its preview. A file that cannot be read raises FileProblem and is not kept."""
    text = decode(data)
    plan = preview(actor.practice_id, text)
    with database.atomic():
        PatientImport.delete().where(
            (PatientImport.practice == actor.practice_id)
            & PatientImport.committed_at.is_null()
            & (PatientImport.created_at < utcnow() - STAGED_FOR)
        ).execute()
        staged = PatientImport.create(
            practice=actor.practice_id,
            uploaded_by=actor.id,
            filename=_safe_name(filename),
            content=text,
            digest=plan.digest,
        )
        append(
            actor,
            "patient.import_preview",
            obj=staged,
            detail=f"{len(plan.rows)} readable, {len(plan.rejected)} rejected; sha256 {plan.digest}",
        )
    return staged, plan


def _safe_name(filename: str | None) -> str:
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:200]


def staged(practice_id: int, import_id: int) -> PatientImport:
    """This practice's staged upload, or DoesNotExist (a foreign id looks like a missing one)."""
    return PatientImport.get_in_practice(practice_id, import_id)


def staged_preview(staged_import: PatientImport) -> Preview | None:
    """The preview of a staged upload against the list as it is now; None once it has been committed."""
    if staged_import.committed_at is not None:
        return None
    return preview(staged_import.practice_id, staged_import.content)


def commit(actor: Actor, import_id: int, digest: str, progress: Callable[[int], None] | None = None) -> PatientImport:
    """Import the staged file whose preview carried `digest`, all of it or nothing."""
    with database.atomic():
        staged_import = PatientImport.get_in_practice(actor.practice_id, import_id)
        if staged_import.committed_at is not None:
            return staged_import  # a second press of the button, or a second tab: already done
        if digest != staged_import.digest:
            raise DomainError("This is not the file the preview showed. Upload it again.")
        if staged_import.created_at < utcnow() - STAGED_FOR:
            raise DomainError("This upload is more than a day old. Upload the file again to see a fresh preview.")
        plan = preview(actor.practice_id, staged_import.content)
        result = apply(actor, plan, progress)
        changed = (
            PatientImport.update(
                committed_at=utcnow(),
                content="",
                added=result.added,
                updated=result.updated,
                unchanged=result.unchanged,
            )
            .where((PatientImport.id == staged_import.id) & PatientImport.committed_at.is_null())
            .execute()
        )
        if not changed:  # committed by another request meanwhile: this one's writes roll back with the transaction
            raise DomainError("This list has just been imported by someone else.")
    return PatientImport.get_by_id(staged_import.id)


# Downloads -------------------------------------------------------------------------------------------------------


EXAMPLE_PEOPLE = (
    (
        "Ms",
        "Grace",
        "Shaw",
        "14/03/1985",
        "female",
        "1 High Street, Leeds",
        "LS1 4AP",
        "07700 900123",
        "grace@example.com",
        "",
    ),
    (
        "Mr",
        "Tomasz",
        "Nowak",
        "02/11/1962",
        "male",
        "Flat 3, 27 Park Road, Leeds",
        "LS6 2AB",
        "",
        "",
        "Boots, Briggate",
    ),
    ("", "Sam", "O'Neill", "29/02/2012", "other", "", "LS12 3CD", "", "", ""),
)


def _example_nhs_numbers(count: int) -> list[str]:
    """Valid numbers from the 999 range, which NHS England keeps for testing and never issues to anyone."""
    numbers = []
    for body in range(999_000_001, 999_999_999, 7):
        numbers += [f"{body}{d}" for d in range(10) if nhs_number_is_valid(f"{body}{d}")][:1]
        if len(numbers) == count:
            return numbers
    raise AssertionError("the 999 range has valid numbers")


def template_csv() -> str:
    return _csv([[c.name for c in COLUMNS]])


def example_csv() -> str:
    order = [c.name for c in COLUMNS]
    rows = []
    for number, person in zip(_example_nhs_numbers(len(EXAMPLE_PEOPLE)), EXAMPLE_PEOPLE, strict=True):
        values = dict(zip(order[1:], person, strict=True))
        rows.append([f"{number[:3]} {number[3:6]} {number[6:]}", *[values[name] for name in order[1:]]])
    return _csv([order, *rows])


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()
