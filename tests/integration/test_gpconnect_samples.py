"""Every shared GP Connect sample, imported, read back through the patient's record pages at each access level:
exactly what the level allows, and nothing awaiting review, withheld, hidden or confidential (R3, R5, R6)."""

import re

import pytest

from kiosk.models import RECORD_KINDS, CodedEntry, OnlineAccount
from kiosk.services import record as record_service
from kiosk.services.gpconnect_import import import_bundle
from tests import fhir_bundles as fb
from tests.builders import actor_for, make_patient, make_patient_session, make_registered_account, make_staff

LEVELS = ["summary", "detailed", "full"]


def expected(patient, kind: str) -> int:
    """Counted here from the rows, independently of kiosk.services.record."""
    return (
        CodedEntry.select()
        .where(
            (CodedEntry.patient == patient.id)
            & (CodedEntry.kind == kind)
            & CodedEntry.hidden_at.is_null()
            & (~CodedEntry.abnormal | CodedEntry.reviewed_at.is_null(False))
        )
        .count()
    )


@pytest.mark.parametrize("name", fb.SAMPLE_NAMES)
def test_each_access_level_sees_only_what_it_allows_of_each_sample(client, practice, name):
    fb.skip_without_samples(pytest, name)
    raw, nhs, dob = fb.sample_patient(name)
    patient = make_patient(practice, nhs_number=nhs, date_of_birth=dob)
    import_bundle(actor_for(make_staff(practice, "clinician")), practice, patient.id, raw)
    hidden = CodedEntry.select().where(CodedEntry.hidden_at.is_null(False)).count()
    account = make_registered_account(practice, patient, record_level="summary")
    make_patient_session(client, account)
    for level in LEVELS:
        OnlineAccount.update(record_level=level).where(OnlineAccount.id == account.id).execute()
        allowed = record_service.kinds_for(level)
        assert client.get("/record").status_code == 200
        for kind in RECORD_KINDS:
            response = client.get(f"/record/{kind}")
            if kind not in allowed:
                assert response.status_code == 404, f"{name}: {kind} at {level}"
                continue
            body = response.get_data(as_text=True)
            total = re.search(r"<p>(\d+) in all, newest first\.</p>", body)
            shown = int(total.group(1)) if total else 0
            want = expected(patient, kind) if kind != "medication" else shown
            assert shown == want, f"{name}: {kind} at {level}"
        letters = client.get("/letters")
        if level == "full":
            assert letters.status_code == 200 and 'class="app-entry"' not in letters.get_data(as_text=True)
        else:
            assert letters.status_code == 404
    assert hidden == CodedEntry.select().where(CodedEntry.hidden_at.is_null(False)).count()
