"""GP Connect import from the staff record page and from the command line: who may, the report, the refusals."""

import io
import json

import pytest

from kiosk.models import AuditEvent, CodedEntry, Letter, LetterAttachment, Medicine
from tests import fhir_bundles as fb
from tests.builders import make_patient, make_staff, make_staff_session
from tests.pages import csrf_token


def record_rows():
    return (
        CodedEntry.select().count(),
        Letter.select().count(),
        Medicine.select().count(),
        LetterAttachment.select().count(),
    )


def small_bundle(patient) -> bytes:
    return fb.bundle(
        patient,
        fb.condition(),
        fb.observation(interpretation={"coding": [{"code": "H"}]}),
        fb.document(data="Seen today."),
        {"resourceType": "Flag", "id": "f1"},
    )


def upload(client, patient, raw: bytes, name: str = "record.json"):
    url = f"/staff/patients/{patient.id}/record/import"
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(
        url,
        data={"csrf_token": token, "bundle": (io.BytesIO(raw), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("role", ["clinician", "manager"])
def test_clinician_or_manager_uploads_a_bundle_and_reads_the_report(client, practice, role):
    patient = make_patient(practice)
    make_staff_session(client, make_staff(practice, role, name="Dr Ruth Mensah"))
    response = upload(client, patient, small_bundle(patient))
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "GP Connect record imported" in html
    assert "Problem" in html and "Letter" in html and "Flag: 1" in html and "Dr Ruth Mensah" in html
    event = AuditEvent.get(AuditEvent.action == "gpconnect.import")
    assert json.loads(event.detail)["unknown"] == {"Flag": 1}
    assert AuditEvent.select().where(AuditEvent.action == "gpconnect.view_report").count() == 1
    assert record_rows()[:2] == (2, 1)


def test_reception_sees_that_an_import_happened_but_not_what_it_brought(client, practice):
    patient = make_patient(practice)
    clinician = make_staff(practice, "clinician", name="Dr Ruth Mensah")
    make_staff_session(client, clinician)
    report_url = upload(client, patient, small_bundle(patient)).headers["Location"]
    make_staff_session(client, make_staff(practice, "reception"))
    html = client.get(f"/staff/patients/{patient.id}/record").get_data(as_text=True)
    assert "Imports from the clinical system" in html and "by Dr Ruth Mensah" in html
    assert report_url not in html and "Import a GP Connect record" not in html
    assert client.get(report_url).status_code == 404
    assert client.get(f"/staff/patients/{patient.id}/record/import").status_code == 404


def test_report_of_another_patient_or_practice_is_not_found(client, practice):
    patient, other = make_patient(practice), make_patient(practice)
    make_staff_session(client, make_staff(practice, "clinician"))
    report_url = upload(client, patient, small_bundle(patient)).headers["Location"]
    event_id = report_url.rsplit("/", 1)[-1]
    assert client.get(f"/staff/patients/{other.id}/record/imports/{event_id}").status_code == 404
    assert client.get(f"/staff/patients/{patient.id}/record/imports/2000000000").status_code == 404


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"hello": 1}', "not FHIR"),
        (b'{"resourceType": "Bundle", "type": "collection", "entry": []}', "no Patient"),
        (b" " * (20 * 1024 * 1024 + 1), "larger than 20 MB"),
    ],
)
def test_a_refused_upload_says_why_next_to_the_field_writes_nothing_and_is_audited(client, practice, raw, message):
    patient = make_patient(practice)
    make_staff_session(client, make_staff(practice, "clinician"))
    response = upload(client, patient, raw)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html and 'id="bundle-error"' in html
    assert html.count("<title>Error: ") == 1
    assert record_rows() == (0, 0, 0, 0)
    refused = AuditEvent.get(AuditEvent.action == "gpconnect.import")
    assert refused.outcome == "refused" and message in refused.detail


def test_a_mismatched_or_departed_patient_is_refused_with_the_reason(client, practice):
    patient = make_patient(practice)
    gone = make_patient(practice, left_on=patient.date_of_birth, left_reason="left")
    make_staff_session(client, make_staff(practice, "clinician"))
    assert "NHS number is not this patient" in upload(client, patient, fb.bundle(gone)).get_data(as_text=True)
    assert "has left the practice" in upload(client, gone, fb.bundle(gone)).get_data(as_text=True)
    assert record_rows() == (0, 0, 0, 0)


def test_a_request_far_over_20_mb_is_refused_before_it_is_read(client, practice):
    patient = make_patient(practice)
    make_staff_session(client, make_staff(practice, "clinician"))
    url = f"/staff/patients/{patient.id}/record/import"
    huge = io.BytesIO(b" " * (22 * 1024 * 1024))
    response = client.post(url, data={"bundle": (huge, "big.json")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 413 and "20 MB or smaller" in html
    assert record_rows() == (0, 0, 0, 0)


def test_the_command_imports_many_files_and_fails_when_one_is_refused(app, practice, tmp_path):
    staff = make_staff(practice, "clinician")
    first, second = make_patient(practice), make_patient(practice)
    files = []
    for n, raw in enumerate([fb.bundle(first, fb.condition()), fb.bundle(second, fb.allergy()), b"{broken"]):
        path = tmp_path / f"record{n}.json"
        path.write_bytes(raw)
        files.append(str(path))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-gpconnect", "--ods", practice.ods_code, "--by", staff.email, *files])
    assert result.exit_code != 0
    assert "Imported 2 of 3 files" in result.output and "record2.json: The file is not valid JSON" in result.output
    assert {(e.patient_id, e.kind) for e in CodedEntry.select()} == {(first.id, "problem"), (second.id, "allergy")}
    again = runner.invoke(args=["import-gpconnect", "--ods", practice.ods_code, "--by", staff.email, *files[:2]])
    assert again.exit_code == 0 and "unchanged 2" in again.output
    assert AuditEvent.select().where(AuditEvent.action == "gpconnect.import").count() == 4


def test_the_command_needs_a_known_practice_and_a_clinician_or_manager(app, practice, tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b"{}")
    reception = make_staff(practice, "reception")
    runner = app.test_cli_runner()
    bad_ods = runner.invoke(args=["import-gpconnect", "--ods", "Z99999", "--by", reception.email, str(path)])
    not_clinical = runner.invoke(
        args=["import-gpconnect", "--ods", practice.ods_code, "--by", reception.email, str(path)]
    )
    assert bad_ods.exit_code != 0 and "No practice has the ODS code Z99999" in bad_ods.output
    assert not_clinical.exit_code != 0 and "No clinician or manager" in not_clinical.output
