from datetime import date

from kiosk.models import Appointment, AuditEvent
from tests.builders import make_appointment, make_patient


def walk_to_confirm(client, letter="S", sex="female", dob=(14, 3, 1985)):
    client.form_post("/kiosk/letter", {"letter": letter}, token_from="/kiosk/")
    client.form_post("/kiosk/sex", {"sex": sex})
    day, month, year = dob
    return client.form_post("/kiosk/date-of-birth", {"day": day, "month": month, "year": year})


def test_matching_patient_is_checked_in_and_told_so(kiosk_client, practice):
    patient = make_patient(practice, family_name="Shaw", sex="female", date_of_birth=date(1985, 3, 14))
    appointment = make_appointment(patient)

    response = walk_to_confirm(kiosk_client)
    assert response.headers["Location"].endswith("/kiosk/confirm")
    page = kiosk_client.get("/kiosk/confirm").get_data(as_text=True)
    assert "with Dr A Patel: is this you?" in page
    assert "Shaw" not in page

    done = kiosk_client.form_post("/kiosk/confirm", {"appointment": appointment.id}, follow_redirects=True)
    assert "You are checked in. Please take a seat." in done.get_data(as_text=True)
    assert Appointment.get_by_id(appointment.id).status == "arrived"
    assert AuditEvent.select().where(AuditEvent.action == "kiosk.check_in", AuditEvent.outcome == "ok").count() == 1
