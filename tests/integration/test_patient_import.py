"""Importing a practice list over real routes and through `flask import-patients`: preview first, then all of it
or nothing; re-importing changes nothing; a list of 10,000 rows."""

import io
from datetime import UTC, date, datetime

import pytest

from kiosk.models import AuditEvent, Patient, PatientImport
from kiosk.services import patient_import
from tests.builders import (
    PRACTICE_LIST_HEADER,
    make_patient,
    make_practice,
    make_staff,
    make_staff_session,
    practice_list_csv,
    valid_nhs_numbers,
)
from tests.pages import check_html, csrf_token

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
HEADER = PRACTICE_LIST_HEADER


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def reception(client, practice):
    staff = make_staff(practice, "reception")
    make_staff_session(client, staff)
    return staff


csv_of = practice_list_csv


def numbers(count: int, start: int = 1) -> list[str]:
    return valid_nhs_numbers(count, 990_000_000 + start)


def text(response) -> str:
    return " ".join(check_html(response.get_data(as_text=True)).body.text(separator=" ").split())


def upload(client, content: str | bytes, filename: str = "list.csv"):
    data = content.encode() if isinstance(content, str) else content
    token = csrf_token(client.get("/staff/patients/import").get_data(as_text=True))
    return client.post(
        "/staff/patients/import",
        data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def preview_page(client, content):
    response = upload(client, content)
    assert response.status_code == 303, text(response)
    return response.headers["Location"], client.get(response.headers["Location"])


def commit(client, location, digest=None):
    page = client.get(location).get_data(as_text=True)
    if digest is None:
        node = check_html(page).css_first("input[name=digest]")
        assert node is not None, "no commit form on the preview"
        digest = node.attributes["value"]
    return client.post(location, data={"csrf_token": csrf_token(page), "digest": digest})


def summary(response) -> dict:
    tree = check_html(response.get_data(as_text=True))
    keys = [n.text(strip=True) for n in tree.css(".nhsuk-summary-list__key")]
    values = [n.text(strip=True) for n in tree.css(".nhsuk-summary-list__value")]
    return dict(zip(keys, values, strict=True))


def everything(practice) -> list[tuple]:
    return list(Patient.for_practice(practice.id).order_by(Patient.id).tuples())


# The page documents the file


def test_the_upload_page_documents_every_column(client, reception):
    page = text(client.get("/staff/patients/import"))
    assert all(column.name in page for column in patient_import.COLUMNS)
    assert "nhs_number (required)" in page and "address" in page


def test_the_template_and_example_download_as_csv(client, reception):
    template = client.get("/staff/patients/import/template.csv")
    example = client.get("/staff/patients/import/example.csv")
    assert template.mimetype == "text/csv" and "attachment" in template.headers["Content-Disposition"]
    assert template.get_data(as_text=True).lstrip("\ufeff").startswith("nhs_number,title,given_name")
    assert example.get_data(as_text=True).count("\r\n") == 4


def test_the_download_links_are_not_boosted(client, reception):
    """A boosted link fetches with htmx and swaps the CSV into the page instead of saving it."""
    tree = check_html(client.get("/staff/patients/import").get_data(as_text=True))
    links = tree.css("a[download]")
    assert [a.attributes.get("hx-boost") for a in links] == ["false", "false"]


def test_the_example_file_imports_as_it_is(client, reception, practice):
    example = client.get("/staff/patients/import/example.csv").get_data()
    location, _ = preview_page(client, example)
    commit(client, location)
    assert Patient.for_practice(practice.id).count() == 3


# Preview, then commit


def test_upload_previews_without_writing(client, reception, practice):
    _, page = preview_page(client, csv_of(5))
    assert summary(page) == {
        "New patients": "5",
        "Already on the list, details would change": "0",
        "Already on the list, no change": "0",
        "Rejected rows": "0",
    }
    assert Patient.select().count() == 0


def test_the_preview_counts_updates_matched_by_nhs_number(client, reception, practice):
    first = numbers(1)[0]
    make_patient(practice, nhs_number=first, given_name="Old", family_name="Name")
    _, page = preview_page(client, csv_of(3))
    assert (summary(page)["New patients"], summary(page)["Already on the list, details would change"]) == ("2", "1")


def test_commit_writes_every_row_and_the_page_says_what_happened(client, reception, practice):
    location, _ = preview_page(client, csv_of(5))
    response = commit(client, location)
    assert response.status_code == 303
    done = client.get(location)
    assert "Practice list imported" in text(done)
    assert summary(done) == {"Patients added": "5", "Patients updated": "0", "Already up to date": "0"}
    grace = Patient.get(Patient.given_name == "Given0")
    assert (grace.address, grace.postcode, grace.date_of_birth) == (
        "0 High Street, Leeds",
        "LS1 4AP",
        date(1985, 3, 14),
    )


def test_committed_content_is_not_kept(client, reception):
    location, _ = preview_page(client, csv_of(2))
    commit(client, location)
    assert PatientImport.get().content == ""


def test_an_update_changes_only_what_differs_and_is_audited_old_and_new(client, reception, practice):
    first = numbers(1)[0]
    patient = make_patient(practice, nhs_number=first, given_name="Given0", family_name="Brown")
    location, _ = preview_page(
        client, f"nhs_number,given_name,family_name,date_of_birth,sex\n{first},Given0,Shaw,14/03/1985,female\n"
    )
    commit(client, location)
    event = AuditEvent.get((AuditEvent.action == "patient.update") & (AuditEvent.patient == patient.id))
    assert "family_name: Brown -> Shaw" in event.detail and "given_name" not in event.detail


def test_a_column_left_out_changes_nothing_for_people_already_listed(client, reception, practice):
    first = numbers(1)[0]
    patient = make_patient(practice, nhs_number=first, mobile="07700 900999", family_name="Shaw", given_name="G")
    location, _ = preview_page(
        client, f"nhs_number,given_name,family_name,date_of_birth,sex\n{first},Grace,Shaw,01/01/1980,female\n"
    )
    commit(client, location)
    assert (Patient.get_by_id(patient.id).given_name, Patient.get_by_id(patient.id).mobile) == ("Grace", "07700 900999")


def test_every_new_patient_is_audited(client, reception):
    location, _ = preview_page(client, csv_of(4))
    commit(client, location)
    assert AuditEvent.select().where(AuditEvent.action == "patient.create").count() == 4
    assert "4 added, 0 updated, 0 unchanged" in AuditEvent.get(AuditEvent.action == "patient.import").detail


def test_reimporting_the_same_file_changes_nothing(client, reception, practice):
    content = csv_of(6)
    location, _ = preview_page(client, content)
    commit(client, location)
    before = everything(practice)
    location, page = preview_page(client, content)
    assert summary(page)["Already on the list, no change"] == "6"
    assert "nothing to import" in text(page)
    assert everything(practice) == before


def test_a_second_press_of_import_does_not_import_twice(client, reception, practice):
    location, _ = preview_page(client, csv_of(3))
    page = client.get(location).get_data(as_text=True)
    digest = check_html(page).css_first("input[name=digest]").attributes["value"]
    for _ in range(2):
        client.post(location, data={"csrf_token": csrf_token(page), "digest": digest})
    assert Patient.for_practice(practice.id).count() == 3


def test_a_commit_for_a_different_file_is_refused(client, reception, practice):
    location, _ = preview_page(client, csv_of(3))
    response = commit(client, location, digest="0" * 64)
    assert "This is not the file the preview showed" in text(response)
    assert Patient.select().count() == 0


def test_a_commit_without_its_digest_imports_nothing_and_says_so(client, reception, practice):
    location, page = preview_page(client, csv_of(3))
    response = client.post(location, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert "Nothing was imported. Upload the file again." in text(response)
    assert Patient.select().count() == 0


# Rejected rows block the commit


BAD = (
    f"{HEADER}\r\n"
    f"{numbers(1)[0]},Ms,Grace,Shaw,14/03/1985,female,,,,,\r\n"
    "9434765918,Mr,Tom,Nowak,02/11/1962,male,,,,,\r\n"
    f"{numbers(1, 50)[0]},Mx,Sam,Lee,31/02/2001,other,,,,,\r\n"
)


def test_rejected_rows_are_listed_with_line_and_reason(client, reception):
    _, page = preview_page(client, BAD)
    body = text(page)
    assert "3 NHS number 9434765918 is not valid (its check digit is wrong)" in body
    assert "4 date_of_birth “31/02/2001” is not a real date (use DD/MM/YYYY)" in body


def test_rejected_rows_block_the_commit_and_the_preview_says_so(client, reception):
    _, page = preview_page(client, BAD)
    assert "Nothing can be imported yet" in text(page) and "The whole file is imported or none of it" in text(page)
    assert check_html(page.get_data(as_text=True)).css_first("input[name=digest]") is None


def test_a_forced_commit_of_a_file_with_rejected_rows_leaves_the_database_unchanged(client, reception, practice):
    make_patient(practice)
    before = everything(practice)
    location, page = preview_page(client, BAD)
    staged = PatientImport.get()
    response = client.post(
        location, data={"csrf_token": csrf_token(page.get_data(as_text=True)), "digest": staged.digest}
    )
    assert "Fix the rejected rows" in text(response)
    assert everything(practice) == before


def test_a_duplicate_nhs_number_in_the_file_is_rejected(client, reception):
    number = numbers(1)[0]
    _, page = preview_page(
        client,
        f"nhs_number,given_name,family_name,date_of_birth,sex\n{number},A,B,01/01/1980,male\n{number},C,D,01/01/1981,male\n",
    )
    assert f"3 NHS number {number} is also on line 2" in text(page)


def test_a_failure_part_way_through_writes_nothing(client, reception, practice, monkeypatch):
    location, _ = preview_page(client, csv_of(1200))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(patient_import, "append_many", broken)
    with pytest.raises(RuntimeError):
        commit(client, location)
    assert Patient.select().count() == 0 and PatientImport.get().committed_at is None


# Files that cannot be a list


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty"),
        (
            b"nhs_number,given_name\n9434765919,Grace\n",
            "The file has no family_name, date_of_birth, sex column",
        ),
        (f"{HEADER}\nZoë\n".encode("cp1252"), "The file is not UTF-8 text"),
        (f"{HEADER}\n".encode() + b" " * (5 * 1024 * 1024), "The file is 5.0 MB: a list can be at most 4 MB"),
    ],
)
def test_a_file_that_cannot_be_read_says_why_on_the_upload_page(client, reception, content, message):
    response = upload(client, content)
    tree = check_html(response.get_data(as_text=True))
    assert tree.css_first("title").text().startswith("Error: ")
    assert message in tree.css_first("#file-error").text()
    assert PatientImport.select().count() == 0


def test_no_file_chosen_says_so(client, reception):
    token = csrf_token(client.get("/staff/patients/import").get_data(as_text=True))
    response = client.post("/staff/patients/import", data={"csrf_token": token}, content_type="multipart/form-data")
    assert "Choose a CSV file to upload" in text(response)


# Who may import


def test_clinicians_cannot_import(client, practice):
    make_staff_session(client, make_staff(practice, "clinician"))
    assert client.get("/staff/patients/import").status_code == 404
    assert client.get("/staff/patients/import/template.csv").status_code == 404


def test_another_practices_upload_is_not_found(client, reception):
    other = make_practice()
    staged = PatientImport.create(practice=other.id, content=csv_of(1), digest="x")
    assert client.get(f"/staff/patients/import/{staged.id}").status_code == 404


# A full practice list


def test_ten_thousand_rows_preview_commit_and_re_preview(client, reception, practice):
    """A whole practice's list in one upload; how long it takes is measured by make bench, not here."""
    content = csv_of(10_000)
    location, page = preview_page(client, content)
    assert summary(page)["New patients"] == "10000"
    commit(client, location)
    assert Patient.for_practice(practice.id).count() == 10_000
    again, page = preview_page(client, content)
    assert summary(page)["Already on the list, no change"] == "10000"


# The command


def write(tmp_path, content: str, name="list.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8-sig"))
    return str(path)


def test_the_command_imports_a_list(app, practice, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["import-patients", "--ods", practice.ods_code, write(tmp_path, csv_of(30))]
    )
    assert result.exit_code == 0, result.output
    assert "30 new, 0 would be updated, 0 unchanged, 0 rejected." in result.output
    assert "Imported: 30 added, 0 updated, 0 unchanged." in result.output
    assert Patient.for_practice(practice.id).count() == 30


def test_the_command_refuses_a_file_with_rejected_rows_and_writes_nothing(app, practice, tmp_path):
    result = app.test_cli_runner().invoke(args=["import-patients", "--ods", practice.ods_code, write(tmp_path, BAD)])
    assert result.exit_code == 1
    assert "line 3: NHS number 9434765918 is not valid" in result.output
    assert "Nothing was imported" in result.output and Patient.select().count() == 0


def test_the_command_dry_run_writes_nothing(app, practice, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["import-patients", "--ods", practice.ods_code, "--dry-run", write(tmp_path, csv_of(3))]
    )
    assert (result.exit_code, "Dry run" in result.output, Patient.select().count()) == (0, True, 0)


def test_the_command_says_when_the_practice_is_unknown(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["import-patients", "--ods", "Z99999", write(tmp_path, csv_of(1))])
    assert result.exit_code == 1 and "No practice has the ODS code Z99999" in result.output


def test_the_command_refuses_a_file_that_is_not_utf8(app, practice, tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(f"{HEADER}\nZoë\n".encode("cp1252"))
    result = app.test_cli_runner().invoke(args=["import-patients", "--ods", practice.ods_code, str(path)])
    assert result.exit_code == 1 and "not UTF-8" in result.output
