"""Reception's patient list over real routes: adding, correcting (audited), leaving or death, and the paged search."""

import gzip
from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.clock import utcnow
from kiosk.models import Appointment, AuditEvent, LinkageKey, OnlineAccount, Patient, ProxyLink, WebSession
from kiosk.services import checkin, patient_list, reports
from tests.builders import (
    actor_for,
    make_appointment,
    make_clinician,
    make_identity_check,
    make_kiosk,
    make_online_account,
    make_patient,
    make_patient_session,
    make_practice,
    make_proxy_link,
    make_registered_account,
    make_slot,
    make_staff,
    make_staff_session,
)
from tests.pages import BUDGET_BYTES, check_html

NOW = datetime(2026, 6, 10, 9, 0, tzinfo=UTC)
VALID = "9434765919"  # the NHS's own example number: the check digit is right
ALSO_VALID = "9990000018"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def reception(client, practice):
    staff = make_staff(practice, "reception")
    make_staff_session(client, staff)
    return staff


def text(response) -> str:
    return " ".join(check_html(response.get_data(as_text=True)).body.text(separator=" ").split())


def field_error(response, field_id: str) -> str:
    tree = check_html(response.get_data(as_text=True))
    assert tree.css_first("title").text().startswith("Error: ")
    node = tree.css_first(f"#{field_id}-error")
    assert node is not None, f"no error next to {field_id}"
    return " ".join(node.text().replace("Error:", "", 1).split())


def details(**overrides) -> dict:
    return {
        "title": "Ms",
        "given_name": "Grace",
        "family_name": "Shaw",
        "day": "14",
        "month": "3",
        "year": "1985",
        "sex": "female",
        "nhs_number": "943 476 5919",
        "address": "1 High Street, Leeds",
        "postcode": "ls1 4ap",
        "mobile": "07700 900123",
        "email": "grace@example.com",
        "nominated_pharmacy": "Boots, Briggate",
        **overrides,
    }


def add(client, **overrides):
    return client.form_post("/staff/patients/new", details(**overrides))


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


# Adding


def test_reception_adds_a_patient_with_every_detail(client, reception, practice):
    response = add(client)
    patient = Patient.get(Patient.nhs_number == VALID)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/staff/patients/{patient.id}")
    assert (patient.practice_id, patient.title, patient.full_name, patient.date_of_birth, patient.sex) == (
        practice.id,
        "Ms",
        "Grace Shaw",
        date(1985, 3, 14),
        "female",
    )
    assert (patient.address, patient.postcode, patient.mobile, patient.email, patient.nominated_pharmacy) == (
        "1 High Street, Leeds",
        "LS1 4AP",
        "07700 900123",
        "grace@example.com",
        "Boots, Briggate",
    )


def test_adding_a_patient_is_audited(client, reception):
    add(client)
    event = events("patient.create")[0]
    assert (event.actor_id, event.patient_id, VALID in event.detail) == (
        reception.id,
        Patient.get().id,
        True,
    )


def test_the_new_patient_shows_on_their_page(client, reception):
    response = client.get(add(client).headers["Location"])
    assert "1 High Street, Leeds" in text(response) and "Boots, Briggate" in text(response)


def test_a_duplicate_nhs_number_is_refused_on_the_form(client, reception, practice):
    make_patient(practice, nhs_number=VALID)
    response = add(client)
    assert field_error(response, "nhs_number") == patient_list.DUPLICATE_NHS_NUMBER
    assert Patient.select().count() == 1


def test_the_same_nhs_number_at_another_practice_is_allowed(client, reception):
    make_patient(make_practice(), nhs_number=VALID)
    assert add(client).status_code == 303


def test_an_nhs_number_with_a_wrong_check_digit_is_refused(client, reception):
    response = add(client, nhs_number="943 476 5918")
    assert field_error(response, "nhs_number") == "This is not a valid NHS number: check the digits"
    assert Patient.select().count() == 0


def test_an_nhs_number_that_is_not_ten_digits_is_refused(client, reception):
    assert field_error(add(client, nhs_number="94347659"), "nhs_number") == "Enter a 10 digit NHS number"


def test_sex_has_no_default(client, reception):
    assert field_error(add(client, sex=""), "sex") == "Choose their sex"


def test_a_date_of_birth_in_the_future_is_refused(client, reception):
    assert "in the past" in field_error(add(client, year="2027"), "dob")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("postcode", "12345", "Enter a real postcode, like LS1 4AP"),
        ("mobile", "123", "Enter a phone number with 10 or 11 digits, like 07700 900123"),
        ("email", "grace-at-example", "Enter an email address like name@example.com"),
    ],
)
def test_contact_details_are_checked(client, reception, field, value, message):
    assert field_error(add(client, **{field: value}), field) == message


def test_clinicians_can_search_but_not_add(client, practice):
    make_staff_session(client, make_staff(practice, "clinician"))
    make_patient(practice, family_name="Shaw")
    assert "SHAW" in text(client.get("/staff/patients/?q=shaw"))
    assert client.get("/staff/patients/new").status_code == 404
    assert "Add a patient" not in text(client.get("/staff/patients/"))


def test_the_search_page_links_to_adding_and_importing(client, reception):
    page = check_html(client.get("/staff/patients/").get_data(as_text=True))
    links = {a.text(strip=True): a.attributes["href"] for a in page.css("a")}
    assert (links["Add a patient"], links["Import a list"]) == ("/staff/patients/new", "/staff/patients/import")


# Editing


def edit(client, patient, **overrides):
    return client.form_post(f"/staff/patients/{patient.id}/edit", details(**overrides))


def test_the_edit_page_starts_with_the_patients_details(client, reception, practice):
    patient = make_patient(practice, given_name="Grace", family_name="Shaw", mobile="07700 900123")
    page = check_html(client.get(f"/staff/patients/{patient.id}/edit").get_data(as_text=True))
    values = {n.attributes["name"]: n.attributes.get("value") for n in page.css("input")}
    assert (values["family_name"], values["mobile"], values["year"]) == ("Shaw", "07700 900123", "1980")


def test_an_edit_is_audited_with_the_old_and_new_values(client, reception, practice):
    patient = make_patient(practice, nhs_number=VALID, family_name="Shaw", mobile="")
    edit(client, patient, family_name="Brown", mobile="07700 900999")
    detail = events("patient.update")[0].detail
    assert "family_name: Shaw -> Brown" in detail and "mobile:  -> 07700 900999" in detail
    assert Patient.get_by_id(patient.id).family_name == "Brown"


def test_an_edit_that_changes_nothing_is_not_audited(client, reception, practice):
    patient = patient_list.add_patient(actor_for(reception), patient_list.PatientDetails(
        "Ms", "Grace", "Shaw", date(1985, 3, 14), "female", VALID, "1 High Street, Leeds", "LS1 4AP",
        "07700 900123", "grace@example.com", "Boots, Briggate",
    ))  # fmt: skip
    assert edit(client, patient).status_code == 303
    assert events("patient.update") == []


def test_an_edit_to_another_patients_nhs_number_is_refused(client, reception, practice):
    make_patient(practice, nhs_number=ALSO_VALID)
    patient = make_patient(practice, nhs_number=VALID)
    response = edit(client, patient, nhs_number=ALSO_VALID)
    assert field_error(response, "nhs_number") == patient_list.DUPLICATE_NHS_NUMBER
    assert Patient.get_by_id(patient.id).nhs_number == VALID


@pytest.mark.parametrize("page", ["edit", "leave"])
def test_another_practices_patient_is_not_found(client, reception, page):
    elsewhere = make_patient(make_practice())
    assert client.get(f"/staff/patients/{elsewhere.id}/{page}").status_code == 404


# Leaving or death


@pytest.fixture
def leaver(practice):
    """A patient with everything that leaving ends: online access in use, a letter's key, proxies both ways,
    bookings in the future, one a few minutes ago (still inside the kiosk's late window), and one long past."""
    patient = make_patient(
        practice, given_name="Grace", family_name="Shaw", sex="female", date_of_birth=date(1985, 3, 14)
    )
    account = make_registered_account(practice, patient, appointments=True, prescriptions=True)
    LinkageKey.create(
        practice=practice.id,
        account=account,
        key_hash="x" * 64,
        expires_at=utcnow() + timedelta(days=14),
        issued_by=make_staff(practice),
    )
    helper = make_registered_account(practice)
    make_proxy_link(helper, patient)
    child = make_patient(practice, given_name="Sophie", date_of_birth=date(2018, 1, 1))
    make_proxy_link(account, child, basis="parental")
    clinician = make_clinician(practice)
    make_appointment(patient, make_slot(clinician, utcnow() + timedelta(days=3)))
    make_appointment(patient, make_slot(clinician, utcnow() + timedelta(days=10)))
    make_appointment(patient, make_slot(clinician, utcnow() - timedelta(minutes=5)))
    make_appointment(patient, make_slot(clinician, utcnow() - timedelta(days=30)), status="seen")
    return patient


def leave(client, patient, reason="left", on=date(2026, 6, 9)):
    data = {"reason": reason, "day": str(on.day), "month": str(on.month), "year": str(on.year)}
    return client.form_post(f"/staff/patients/{patient.id}/leave", data)


def test_leaving_is_recorded_with_the_date_and_reason(client, reception, leaver):
    response = leave(client, leaver, "deceased", date(2026, 6, 8))
    patient = Patient.get_by_id(leaver.id)
    assert response.headers["Location"].endswith(f"/staff/patients/{leaver.id}/left")
    assert (patient.left_on, patient.left_reason) == (date(2026, 6, 8), "deceased")
    assert events("patient.left")[0].detail == "Died on 2026-06-08"


def test_a_patient_who_left_loses_online_access_and_their_letters_key(client, reception, leaver):
    account = OnlineAccount.get(OnlineAccount.patient == leaver.id)
    make_patient_session(client.application.test_client(), account)
    leave(client, leaver)
    assert OnlineAccount.get_by_id(account.id).is_suspended
    assert LinkageKey.get(LinkageKey.account == account.id).revoked_at is not None
    assert WebSession.select().where(WebSession.user_kind == "patient").count() == 0


def test_a_patient_who_left_loses_proxy_access_both_ways(client, reception, leaver):
    leave(client, leaver)
    account = OnlineAccount.get(OnlineAccount.patient == leaver.id)
    links = ProxyLink.select().where((ProxyLink.patient == leaver.id) | (ProxyLink.proxy == account.id))
    assert sorted(link.status for link in links) == ["ended", "ended"]


def test_a_patient_who_left_has_future_bookings_cancelled_and_the_past_kept(client, reception, leaver):
    leave(client, leaver)
    statuses = [
        a.status for a in Appointment.select().where(Appointment.patient == leaver.id).order_by(Appointment.slot)
    ]
    assert statuses == ["cancelled", "cancelled", "booked", "seen"]


def test_the_confirmation_lists_the_cancelled_bookings(client, reception, leaver):
    page = text(client.get(leave(client, leaver).headers["Location"]))
    assert "Appointments cancelled" in page
    assert "Saturday 13 June" in page and "Saturday 20 June" in page


def test_the_confirmation_says_when_there_was_nothing_to_cancel(client, reception, practice):
    patient = make_patient(practice)
    assert "no future appointments" in text(client.get(leave(client, patient).headers["Location"]))


def test_a_patient_who_left_no_longer_matches_at_the_kiosk(client, reception, practice, leaver):
    kiosk = make_kiosk(practice)
    assert checkin.find(actor_for(kiosk), "S", "female", date(1985, 3, 14)) != []
    leave(client, leaver)
    assert checkin.find(actor_for(kiosk), "S", "female", date(1985, 3, 14)) == []


def test_a_patient_who_left_is_not_counted_in_uptake(client, reception, practice, leaver):
    before = reports.uptake(practice.id)
    leave(client, leaver)
    after = reports.uptake(practice.id)
    assert (after.list_size, after.registered) == (before.list_size - 1, before.registered - 1)


def test_online_access_cannot_be_brought_back_after_leaving(client, reception, leaver):
    leave(client, leaver)
    account = OnlineAccount.get(OnlineAccount.patient == leaver.id)
    # Neither page offers these buttons any more: the forms are sent as an old page or a script would send them.
    for url in (f"/staff/online-accounts/{account.id}/restore", f"/staff/patients/{leaver.id}/online-access"):
        answer = client.form_post(url, token_from="/staff/patients/new")
        assert "no longer registered at the practice" in text(client.get(answer.headers["Location"]))
    assert OnlineAccount.get_by_id(account.id).is_suspended
    assert events("online.restore") == []


def test_no_proxy_access_can_be_granted_to_or_for_someone_who_left(client, reception, practice, leaver):
    leave(client, leaver)
    helper = make_registered_account(practice, make_patient(practice, given_name="Hannah", family_name="Green"))
    make_identity_check(helper)
    fields = {"basis": "consent", "record_level": "none", "decision": "grant", "reason": "Asked for"}
    for_leaver = client.form_post(
        f"/staff/patients/{leaver.id}/proxies/new",
        {"proxy_account_id": helper.account_id, **fields},
        token_from="/staff/patients/new",
    )
    leavers_account = OnlineAccount.get(OnlineAccount.patient == leaver.id)
    make_identity_check(leavers_account)
    by_leaver = client.form_post(
        f"/staff/patients/{helper.patient_id}/proxies/new", {"proxy_account_id": leavers_account.account_id, **fields}
    )
    assert "This patient is no longer registered at the practice" in text(for_leaver)
    assert "The proxy is no longer registered at the practice" in text(by_leaver)
    assert ProxyLink.select().where(ProxyLink.status == "active").count() == 0


def test_reception_cannot_book_someone_who_left(client, reception, practice, leaver):
    leave(client, leaver)
    slot = make_slot(make_clinician(practice), utcnow() + timedelta(days=5))
    client.form_post(
        f"/staff/diary/slots/{slot.id}/book", {"patient": leaver.id, "token": "t" * 32}, token_from="/staff/diary/"
    )
    assert Appointment.select().where(Appointment.slot == slot.id).count() == 0


def test_the_record_and_its_audit_stay(client, reception, leaver):
    before = AuditEvent.select().where(AuditEvent.patient == leaver.id).count()
    leave(client, leaver)
    assert Patient.get_or_none(Patient.id == leaver.id) is not None
    assert AuditEvent.select().where(AuditEvent.patient == leaver.id).count() > before


def test_leaving_is_all_or_nothing(client, reception, leaver, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(patient_list, "_cancel_future_bookings", fail)
    with pytest.raises(RuntimeError):
        patient_list.mark_left(actor_for(reception), leaver.id, "left", date(2026, 6, 9))
    account = OnlineAccount.get(OnlineAccount.patient == leaver.id)
    assert (Patient.get_by_id(leaver.id).left_on, account.is_suspended) == (None, False)
    assert ProxyLink.select().where(ProxyLink.status == "ended").count() == 0


def test_a_leaving_date_in_the_future_is_refused(client, reception, leaver):
    response = leave(client, leaver, on=date(2026, 6, 11))
    assert field_error(response, "left") == "The date must be today or in the past"
    assert Patient.get_by_id(leaver.id).left_on is None


def test_leaving_needs_a_reason_chosen(client, reception, leaver):
    assert field_error(leave(client, leaver, reason=""), "reason") == "Choose whether they left or died"


def test_a_left_patient_is_marked_in_search_results(client, reception, leaver):
    leave(client, leaver)
    assert "SHAW, Grace Left the practice" in text(client.get("/staff/patients/?q=grace shaw"))


# The search, paged


@pytest.mark.parametrize("query", ["Shaw", "grace", "14/03/1985", "14 3 1985", "943 476 5919", "9434765919"])
def test_search_by_name_nhs_number_or_date_of_birth(client, reception, practice, query):
    make_patient(practice, given_name="Grace", family_name="Shaw", nhs_number=VALID, date_of_birth=date(1985, 3, 14))
    make_patient(practice, given_name="Tom", family_name="Nowak", date_of_birth=date(1962, 11, 2))
    page = text(client.get("/staff/patients/", query_string={"q": query}))
    assert "SHAW, Grace" in page and "NOWAK" not in page


@pytest.fixture
def many_shaws(practice):
    Patient.insert_many(
        [
            {
                "practice": practice.id,
                "nhs_number": f"{n:010d}",
                "given_name": f"Given{n:03d}",
                "family_name": "Shaw",
                "date_of_birth": date(1985, 3, 14),
                "sex": "female",
                "address": "A long address line that takes up a fair amount of room, 221B Baker Street, London",
                "created_at": utcnow(),
            }
            for n in range(1, 131)
        ]
    ).execute()


def test_many_matches_are_paged(client, reception, many_shaws):
    first = check_html(client.get("/staff/patients/?q=shaw").get_data(as_text=True))
    assert len(first.css("tbody tr")) == 25
    assert "130 patients found: page 1 of 6" in first.css_first("caption").text()


def test_the_next_page_carries_on_where_the_first_stopped(client, reception, many_shaws):
    first = check_html(client.get("/staff/patients/?q=shaw").get_data(as_text=True))
    second = check_html(client.get("/staff/patients/?q=shaw&page=2").get_data(as_text=True))
    last_of_first = first.css("tbody tr")[-1].text()
    assert "Given025" in last_of_first and "Given026" in second.css("tbody tr")[0].text()


def test_the_last_page_has_the_rest(client, reception, many_shaws):
    page = check_html(client.get("/staff/patients/?q=shaw&page=6").get_data(as_text=True))
    assert len(page.css("tbody tr")) == 5 and page.css_first("a.nhsuk-pagination__link--next") is None


@pytest.mark.parametrize("page", ["1", "3", "6", "99"])
def test_search_pages_stay_inside_the_budget_with_many_matches(client, reception, many_shaws, page):
    html = client.get(f"/staff/patients/?q=shaw&page={page}").get_data(as_text=True)
    assert len(gzip.compress(html.encode(), 9)) < BUDGET_BYTES


def test_a_page_that_is_not_a_number_runs_no_search(client, reception, many_shaws):
    page = text(client.get("/staff/patients/?q=shaw&page=abc"))
    assert "No search was run. Page must be a number" in page and "Given001" not in page


def test_a_stale_account_for_someone_else_is_left_alone(client, reception, practice, leaver):
    other = make_online_account(practice, make_patient(practice))
    leave(client, leaver)
    assert not OnlineAccount.get_by_id(other.id).is_suspended
