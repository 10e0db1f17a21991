"""Who is told what by text and email: choices, proxy scope, discreet wording, reminders, and the pages for them."""

import json
from datetime import datetime, timedelta

import pytest
import time_machine

from kiosk.clock import local_to_utc, local_today, utcnow
from kiosk.db import database
from kiosk.models import AuditEvent, ContactPreference, Notification
from kiosk.services import DomainError, booking, notifications, prescriptions, record
from kiosk.services.notifications import TEMPLATES, render
from tests.builders import (
    actor_for,
    make_appointment,
    make_clinician,
    make_contact_preference,
    make_letter,
    make_medicine,
    make_patient,
    make_patient_session,
    make_prescription_request,
    make_proxy_link,
    make_registered_account,
    make_slot,
    make_staff,
    make_staff_session,
)


@pytest.fixture
def patient(practice):
    return make_patient(practice, given_name="Sophie", family_name="Hartley-Quinn")


@pytest.fixture
def account(practice, patient):
    return make_registered_account(practice, patient, appointments=True, prescriptions=True, record_level="full")


@pytest.fixture
def reception(practice):
    return make_staff(practice, "reception")


def _book(practice, patient, reception, **slot):
    clinician = make_clinician(practice)
    s = make_slot(clinician, utcnow() + timedelta(days=3), **slot)
    return booking.book(actor_for(reception), patient.id, s.id, token=booking.new_token())


def _bodies():
    return [render(n.template_key, json.loads(n.personalisation)) for n in Notification.select()]


def test_without_a_choice_nothing_is_queued(practice, patient, account, reception):
    _book(practice, patient, reception)
    assert Notification.select().count() == 0


def test_a_booking_queues_a_text_with_the_day_and_time_only(practice, patient, account, reception):
    practice.phone = "01234 567890"
    practice.save()
    make_contact_preference(practice, account=account)
    _book(practice, patient, reception, kind="nurse")
    (row,) = Notification.select()
    assert (row.channel, row.recipient, row.template_key, row.status) == (
        "sms",
        "07700900123",
        "appointment_booked",
        "queued",
    )
    (body,) = _bodies()
    assert body.startswith(f"{practice.name}: your appointment on ")
    assert "phone 01234 567890" in body
    assert "nurse" not in body.lower() and "Patel" not in body


def test_a_rolled_back_booking_queues_nothing(practice, patient, account, reception):
    make_contact_preference(practice, account=account)
    with pytest.raises(RuntimeError), database.atomic():
        _book(practice, patient, reception)
        assert Notification.select().count() == 1  # written inside the booking's transaction...
        raise RuntimeError("the request failed after booking")
    assert Notification.select().count() == 0  # ...and gone with it


def test_a_refused_booking_queues_nothing(practice, patient, account):
    make_contact_preference(practice, account=account)
    clinician = make_clinician(practice)
    s = make_slot(clinician, utcnow() + timedelta(days=3), released_online=False)
    with pytest.raises(DomainError):
        booking.book(_patient_actor(account), patient.id, s.id, token="t1")
    assert Notification.select().count() == 0


def _patient_actor(account):
    from kiosk.actor import Actor

    return Actor.patient(account.id, account.full_name, account.practice_id, "phone")


def test_choosing_email_only_sends_no_text(practice, patient, account, reception):
    make_contact_preference(
        practice, account=account, sms_appointments=False, email="sophie@example.com", email_appointments=True
    )
    _book(practice, patient, reception)
    assert [(n.channel, n.recipient) for n in Notification.select()] == [("email", "sophie@example.com")]


def test_a_patient_without_an_account_gets_appointment_texts_once_reception_records_consent(practice, reception):
    patient = make_patient(practice)
    make_contact_preference(practice, patient=patient, mobile="07700900456")
    appointment = _book(practice, patient, reception)
    booking.cancel(actor_for(reception), appointment.id, token="c1", reason="Clinician off sick")
    assert [n.template_key for n in Notification.select().order_by(Notification.id)] == [
        "appointment_booked",
        "appointment_cancelled",
    ]
    assert not any("sick" in b for b in _bodies())


def test_a_proxy_within_scope_is_told_with_the_first_name_only(practice, patient, account, reception):
    parent = make_registered_account(practice, None, given_name="Hannah", family_name="Green")
    make_proxy_link(parent, patient, appointments=True)
    make_contact_preference(practice, account=parent, mobile="07700900999")
    _book(practice, patient, reception)
    (row,) = Notification.select()
    assert row.account_id == parent.id
    body = _bodies()[0]
    assert "Sophie’s appointment" in body
    assert "Hartley" not in body and "Quinn" not in body


def test_a_proxy_outside_scope_is_told_nothing(practice, patient, account, reception):
    parent = make_registered_account(practice, None)
    make_proxy_link(parent, patient, appointments=True, prescriptions=False)
    make_contact_preference(practice, account=parent, mobile="07700900999")
    medicine = make_medicine(patient)
    request = make_prescription_request(patient, [medicine], status="approved")
    prescriptions.fulfil(actor_for(reception), request.id, "ready")
    assert Notification.select().count() == 0


def test_a_proxy_whose_access_has_ended_is_told_nothing(practice, patient, account, reception):
    parent = make_registered_account(practice, None)
    make_proxy_link(parent, patient, appointments=True, ends_on=local_today())
    make_contact_preference(practice, account=parent)
    _book(practice, patient, reception)
    assert Notification.select().count() == 0


def test_a_letter_is_news_only_to_someone_who_can_read_it(practice, patient, reception):
    summary_only = make_registered_account(practice, patient, record_level="summary")
    make_contact_preference(practice, account=summary_only)
    gp = make_staff(practice, "clinician")
    letter = make_letter(patient)
    record.decide_letter(actor_for(gp), letter.id, clear=True)
    assert Notification.select().count() == 0


def test_a_withheld_letter_sends_nothing(practice, patient, account):
    make_contact_preference(practice, account=account)
    letter = make_letter(patient)
    record.decide_letter(actor_for(make_staff(practice, "clinician")), letter.id, clear=False, reason="third_party")
    assert Notification.select().count() == 0


FORBIDDEN = ["Sertraline", "Hartley-Quinn", "low mood", "Psychiatry", "suicidal", "Mental health", "Chlamydia", "nurse"]


def test_no_message_carries_clinical_content_across_every_template(practice, patient, account, reception):
    """Every template, every channel, with clinical words in every field a careless template could reach."""
    practice.phone = "01234 567890"
    practice.save()
    make_contact_preference(
        practice,
        account=account,
        email="sophie@example.com",
        **{f"email_{c}": True for c in ("appointments", "prescriptions", "letters")},
    )
    gp = make_staff(practice, "clinician", name="Dr Mental health")
    appointment = _book(practice, patient, reception, kind="nurse")
    booking.cancel(actor_for(reception), appointment.id, token="c1", reason="Psychiatry review moved: low mood")
    _book(practice, patient, reception, kind="nurse")
    later = _book(practice, patient, reception, kind="nurse")
    later.slot.starts_at = local_to_utc(
        datetime.combine(local_today() + timedelta(days=1), datetime.min.time()).replace(hour=10)
    )
    later.slot.save()
    sertraline = make_medicine(patient, name="Sertraline", strength="50mg")
    for how in ("ready", "sent"):
        request = make_prescription_request(patient, [sertraline], note="suicidal thoughts again")
        item = request.items.get()
        prescriptions.decide(
            actor_for(gp), request.id, [prescriptions.ItemDecision(item.id, False, "Psychiatry must review: low mood")]
        )
        approved = make_prescription_request(patient, [make_medicine(patient, name="Sertraline")], status="approved")
        prescriptions.fulfil(actor_for(reception), approved.id, how)
    letter = make_letter(
        patient, author="Psychiatry, City Hospital", body="Chlamydia screen; low mood", kind="referral"
    )
    record.decide_letter(actor_for(gp), letter.id, clear=True, note="Mental health team letter")
    result = make_coded_entry_result(patient)
    record.review_result(actor_for(gp), result.id)
    with time_machine.travel(
        local_to_utc(datetime.combine(local_today(), datetime.min.time()).replace(hour=19)), tick=False
    ):
        notifications.enqueue_due_reminders()
    assert {n.template_key for n in Notification.select()} == set(TEMPLATES)
    assert {n.channel for n in Notification.select()} == {"sms", "email"}
    texts = (
        _bodies()
        + [n.personalisation for n in Notification.select()]
        + [notifications.render_subject({"practice": practice.name})]
    )
    for text in texts:
        for word in FORBIDDEN:
            assert word.lower() not in text.lower(), (word, text)


def make_coded_entry_result(patient):
    from tests.builders import make_entry

    return make_entry(patient, "result", term="Chlamydia trachomatis test", abnormal=True, value="Positive")


def test_a_reviewed_result_is_news_only_when_it_becomes_visible(practice, patient, account):
    make_contact_preference(practice, account=account)
    gp = make_staff(practice, "clinician")
    hidden = make_coded_entry_result(patient)
    record.hide_entry(actor_for(gp), hidden.id, "serious_harm")
    record.review_result(actor_for(gp), hidden.id)
    assert Notification.select().count() == 0
    shown = make_coded_entry_result(patient)
    record.review_result(actor_for(gp), shown.id)
    assert [n.template_key for n in Notification.select()] == ["new_to_read"]


# Reminders --------------------------------------------------------------------------------------------------------


def _tomorrow_at(hour):
    return local_to_utc(datetime.combine(local_today() + timedelta(days=1), datetime.min.time()).replace(hour=hour))


def _today_at(hour):
    return local_to_utc(datetime.combine(local_today(), datetime.min.time()).replace(hour=hour))


def test_reminders_go_once_from_the_practice_hour_and_never_for_a_cancelled_appointment(
    practice, patient, account, reception
):
    practice.reminder_hour = 17
    practice.save()
    make_contact_preference(practice, account=account)
    clinician = make_clinician(practice)
    kept = make_appointment(patient, make_slot(clinician, _tomorrow_at(9)))
    cancelled = make_appointment(patient, make_slot(clinician, _tomorrow_at(11)))
    booking.cancel(actor_for(reception), cancelled.id, token="c1", reason="Asked to")
    Notification.delete().execute()
    with time_machine.travel(_today_at(16), tick=False):
        assert notifications.enqueue_due_reminders() == 0
    with time_machine.travel(_today_at(17), tick=False):
        assert notifications.enqueue_due_reminders() == 1
        assert notifications.enqueue_due_reminders() == 0
    (row,) = Notification.select()
    assert (row.template_key, row.appointment_id) == ("appointment_reminder", kept.id)
    # Even a second worker racing past the EXISTS check cannot add it twice: the once_key is unique.
    with time_machine.travel(_today_at(17), tick=False):
        written = notifications.enqueue_for(
            practice, patient, "appointment_reminder", appointment=kept, once=f"reminder:{kept.id}"
        )
    assert written == 0
    assert Notification.select().count() == 1


def test_a_queued_reminder_is_withdrawn_when_the_appointment_is_cancelled(practice, patient, account, reception):
    practice.reminder_hour = 8
    practice.save()
    make_contact_preference(practice, account=account)
    appointment = make_appointment(patient, make_slot(make_clinician(practice), _tomorrow_at(15)))
    with time_machine.travel(_today_at(12), tick=False):
        notifications.enqueue_due_reminders()
    booking.cancel(actor_for(reception), appointment.id, token="c1", reason="Asked to")
    statuses = {n.template_key: n.status for n in Notification.select()}
    assert statuses == {"appointment_reminder": "withdrawn", "appointment_cancelled": "queued"}


def test_the_reminder_hour_is_a_bounded_practice_setting(client, practice):
    manager = make_staff(practice, "manager")
    make_staff_session(client, manager)
    page = client.get("/staff/practice/settings/")
    assert "Appointment reminders" in page.get_data(as_text=True)
    refused = client.form_post("/staff/practice/settings/reminders", {"reminder_hour": "23"})
    assert "between 8 and 20" in refused.get_data(as_text=True)
    saved = client.form_post("/staff/practice/settings/reminders", {"reminder_hour": "9"})
    assert saved.status_code == 303
    practice = type(practice).get_by_id(practice.id)
    assert practice.reminder_hour == 9


# Contact details ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("07700 900123", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("0044 (0)7700-900-123", None),
        ("447700900123", "07700900123"),
    ],
)
def test_uk_mobile_numbers_are_normalised(typed, kept):
    assert notifications.normalise_mobile(typed) == (kept or notifications.normalise_mobile(typed))


@pytest.mark.parametrize("typed", ["01234 567890", "0770090012", "+33 6 12 34 56 78", "07700 9001234", "phone me"])
def test_numbers_that_are_not_uk_mobiles_are_refused(typed):
    assert notifications.normalise_mobile(typed) is None


def test_the_patient_chooses_texts_on_their_own_page_with_their_password(client, practice, patient, account):
    make_patient_session(client, account)
    page = client.get("/contact-and-notifications")
    assert "Contact and notifications" in page.get_data(as_text=True)
    data = {"mobile": "07700 900 982", "email": "", "sms_appointments": "y"}
    refused = client.form_post("/contact-and-notifications", data)
    assert "Enter your current password" in refused.get_data(as_text=True)
    assert ContactPreference.select().count() == 0
    saved = client.form_post("/contact-and-notifications", {**data, "password": "Quiet harbour lamp 2041"})
    assert saved.status_code == 303
    pref = ContactPreference.get(ContactPreference.account == account.id)
    assert (pref.mobile, pref.sms_appointments, pref.sms_prescriptions) == ("07700900982", True, False)
    # Changing only the choices needs no password.
    again = client.form_post("/contact-and-notifications", {"mobile": "07700900982", "sms_prescriptions": "y"})
    assert again.status_code == 303
    pref = ContactPreference.get(ContactPreference.account == account.id)
    assert (pref.sms_appointments, pref.sms_prescriptions) == (False, True)
    audited = [
        (e.outcome, e.detail)
        for e in AuditEvent.select().where(AuditEvent.action == "notifications.preferences").order_by(AuditEvent.id)
    ]
    assert [o for o, _ in audited] == ["refused", "ok", "ok"]
    assert "contact details changed" in audited[1][1] and "07700" not in audited[1][1]


def test_a_bad_mobile_or_email_gets_a_message_next_to_the_field(client, practice, patient, account):
    make_patient_session(client, account)
    response = client.form_post(
        "/contact-and-notifications", {"mobile": "01234 567890", "email": "sophie@", "password": "x"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<title>Error:" in html
    assert 'id="mobile-error"' in html and "Enter a UK mobile number" in html
    assert 'id="email-error"' in html and "Enter an email address in the correct format" in html
    assert ContactPreference.select().count() == 0


def test_texts_chosen_without_a_mobile_are_refused(client, practice, patient, account):
    make_patient_session(client, account)
    response = client.form_post("/contact-and-notifications", {"sms_letters": "y"})
    assert "Enter a mobile number to get text messages" in response.get_data(as_text=True)
    assert ContactPreference.select().count() == 0


def test_reception_records_consent_for_appointment_texts_without_an_account(client, practice, reception):
    patient = make_patient(practice)
    make_staff_session(client, reception)
    url = f"/staff/patients/{patient.id}/notifications"
    refused = client.form_post(url, {"mobile": "07700900456", "sms_appointments": "y"})
    assert "Record that the patient agrees" in refused.get_data(as_text=True)
    assert ContactPreference.select().count() == 0
    saved = client.form_post(url, {"mobile": "07700900456", "sms_appointments": "y", "consent": "y"})
    assert saved.status_code == 303
    pref = ContactPreference.get(ContactPreference.patient == patient.id)
    assert (pref.mobile, pref.sms_appointments, pref.recorded_by_id) == ("07700900456", True, reception.id)
    event = AuditEvent.select().where(AuditEvent.action == "notifications.preferences").get()
    assert event.patient_id == patient.id and "with consent" in event.detail


def test_a_patient_without_an_account_cannot_be_given_prescription_texts(client, practice, reception):
    patient = make_patient(practice)
    make_staff_session(client, reception)
    response = client.form_post(
        f"/staff/patients/{patient.id}/notifications",
        {"mobile": "07700900456", "sms_prescriptions": "y", "consent": "y"},
    )
    assert "appointment text messages only" in response.get_data(as_text=True)
    assert ContactPreference.select().count() == 0


def test_another_practices_patient_is_not_found_at_the_desk(client, practice, reception):
    from tests.builders import make_practice

    other = make_patient(make_practice())
    make_staff_session(client, reception)
    assert client.get(f"/staff/patients/{other.id}/notifications").status_code == 404


def test_a_clinician_cannot_record_choices(client, practice, patient):
    make_staff_session(client, make_staff(practice, "clinician"))
    assert client.get(f"/staff/patients/{patient.id}/notifications").status_code == 404
