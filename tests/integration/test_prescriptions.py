"""Repeat prescriptions over real routes: the patient's list and order, proxies, staff decisions, the repeat list."""

import re
from datetime import timedelta

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from kiosk.clock import local_today, utcnow
from kiosk.models import AuditEvent, Medicine, PrescriptionRequest, RequestItem
from tests.builders import (
    make_medicine,
    make_online_account,
    make_patient,
    make_patient_session,
    make_practice,
    make_prescription_request,
    make_proxy_link,
    make_staff,
    make_staff_session,
)

TODAY = local_today()
# What a page shows and how a form complains do not depend on the database: one backend is enough for those.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def patient(practice):
    return make_patient(practice, given_name="Rosa", family_name="Patel")


def as_patient(client, patient, **services):
    """Sign `patient` in with the prescriptions service on (or `services` as given)."""
    account = make_online_account(patient.practice, patient, **{"prescriptions": True, **services})
    make_patient_session(client, account)
    return account


def as_staff(client, practice, role):
    staff = make_staff(practice, role)
    make_staff_session(client, staff)
    return staff


def page(response) -> HTMLParser:
    return HTMLParser(response.get_data(as_text=True))


def text(response) -> str:
    return re.sub(r"\s+", " ", page(response).body.text())


def title(response) -> str:
    return page(response).css_first("title").text()


def checkbox(response, medicine):
    return page(response).css_first(f"input[name=medicine][value='{medicine.id}']")


def hint(response, medicine) -> str:
    return re.sub(r"\s+", " ", page(response).css_first(f"#medicine-{medicine.id}-hint").text()).strip()


def confirm_fields(response) -> dict:
    """The check page's hidden form, as the browser would send it."""
    form = page(response).css_first("form[method=post][action='/prescriptions/requests']")
    fields = {}
    for node in form.css("input"):
        fields.setdefault(node.attributes["name"], []).append(node.attributes.get("value") or "")
    return fields


def check_page(client, medicines, note=""):
    return client.get("/prescriptions/check", query_string={"medicine": [m.id for m in medicines], "note": note})


def place(client, medicines, note=""):
    return client.post("/prescriptions/requests", data=confirm_fields(check_page(client, medicines, note)))


def requests_of(patient) -> list[PrescriptionRequest]:
    return list(PrescriptionRequest.select().where(PrescriptionRequest.patient == patient.id))


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def approve_and_reject(request, approve, reject, reason="Please book a blood pressure check first") -> dict:
    items = {i.medicine_id: i.id for i in request.items}
    return {
        f"decision-{items[approve.id]}": "approve",
        f"decision-{items[reject.id]}": "reject",
        f"reason-{items[reject.id]}": reason,
    }


def decided(patient, approve: bool = True):
    """A request for one medicine a clinician has already approved (or rejected)."""
    medicine = make_medicine(patient)
    request = make_prescription_request(
        patient, [medicine], status="approved" if approve else "rejected", decided_at=utcnow()
    )
    RequestItem.update(
        status="approved" if approve else "rejected", reason="" if approve else "Please see the nurse"
    ).where(RequestItem.request == request.id).execute()
    return request


# The patient's list: reasons before trying


@sqlite_only
def test_the_list_shows_dose_quantity_next_due_and_review(client, patient):
    as_patient(client, patient)
    make_medicine(
        patient,
        dose="Two puffs when needed",
        quantity="1 inhaler",
        last_issued_on=TODAY - timedelta(days=28),
        review_on=TODAY + timedelta(days=30),
    )
    response = client.get("/prescriptions/")
    due, review = TODAY, TODAY + timedelta(days=30)
    assert hint(response, Medicine.get()).startswith(
        f"Two puffs when needed. Quantity 1 inhaler. Next due {due:%-d %b %Y}. Review by {review:%-d %b %Y}."
    )


@sqlite_only
def test_an_orderable_item_can_be_ticked(client, patient):
    as_patient(client, patient)
    medicine = make_medicine(patient)
    assert "disabled" not in checkbox(client.get("/prescriptions/"), medicine).attributes


BLOCKED = {
    "not-due": ({"last_issued_on": TODAY - timedelta(days=7)}, "Not due yet. You can order this from"),
    "review-overdue": ({"review_on": TODAY - timedelta(days=1)}, "Your medication review is overdue"),
    "acute": ({"kind": "acute"}, "This was a one-off medicine"),
    "no-issues-left": ({"issues_left": 0}, "No issues are left on this repeat"),
}


@sqlite_only
@pytest.mark.parametrize("kind", BLOCKED)
def test_an_item_that_cannot_be_ordered_cannot_be_ticked(client, patient, kind):
    as_patient(client, patient)
    medicine = make_medicine(patient, **BLOCKED[kind][0])
    assert "disabled" in checkbox(client.get("/prescriptions/"), medicine).attributes


@sqlite_only
@pytest.mark.parametrize("kind", BLOCKED)
def test_an_item_that_cannot_be_ordered_says_why_before_trying(client, patient, kind):
    as_patient(client, patient)
    medicine = make_medicine(patient, **BLOCKED[kind][0])
    assert BLOCKED[kind][1] in hint(client.get("/prescriptions/"), medicine)


@sqlite_only
def test_a_not_due_item_says_the_day_it_can_be_ordered(client, patient):
    as_patient(client, patient)
    medicine = make_medicine(patient, last_issued_on=TODAY - timedelta(days=7))
    opens = TODAY + timedelta(days=14)
    assert f"You can order this from {opens:%-d %B %Y}." in hint(client.get("/prescriptions/"), medicine)


@sqlite_only
def test_an_overdue_review_tells_the_patient_to_book_a_review(client, patient):
    as_patient(client, patient)
    medicine = make_medicine(patient, review_on=TODAY - timedelta(days=1))
    assert "Book a medication review appointment, or phone the practice." in hint(
        client.get("/prescriptions/"), medicine
    )


def test_an_item_waiting_for_a_clinician_cannot_be_ticked(client, patient):
    as_patient(client, patient)
    medicine = make_medicine(patient)
    make_prescription_request(patient, [medicine])
    response = client.get("/prescriptions/")
    assert (
        "disabled" in checkbox(response, medicine).attributes,
        "It is waiting for a clinician" in hint(response, medicine),
    ) == (True, True)


def test_a_rejected_item_can_be_ticked_again(client, patient):
    as_patient(client, patient)
    request = decided(patient, approve=False)
    medicine = request.items[0].medicine
    assert "disabled" not in checkbox(client.get("/prescriptions/"), medicine).attributes


def test_a_rejected_item_can_be_ordered_again(client, patient):
    as_patient(client, patient)
    medicine = decided(patient, approve=False).items[0].medicine
    place(client, [medicine])
    assert len(requests_of(patient)) == 2


# Ordering: tick, check, submit, receipt


@sqlite_only
def test_the_check_page_lists_the_chosen_medicines(client, patient):
    as_patient(client, patient)
    first, second = make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril", strength="")
    body = text(check_page(client, [first, second]))
    assert "Amlodipine 5mg, quantity 28 tablets" in body and "Ramipril, quantity 28 tablets" in body


@sqlite_only
def test_the_check_page_shows_the_note(client, patient):
    as_patient(client, patient)
    assert "Your note: Away from Friday" in text(check_page(client, [make_medicine(patient)], "Away from Friday"))


@sqlite_only
def test_the_check_page_says_collect_from_the_practice_without_a_nominated_pharmacy(client, practice, patient):
    as_patient(client, patient)
    assert f"To collect from {practice.name}." in text(check_page(client, [make_medicine(patient)]))


@sqlite_only
def test_the_check_page_names_the_nominated_pharmacy(client, practice):
    patient = make_patient(practice, nominated_pharmacy="Bridge Street Pharmacy")
    as_patient(client, patient)
    assert "To be sent to Bridge Street Pharmacy." in text(check_page(client, [make_medicine(patient)]))


def test_the_check_page_writes_nothing(client, patient):
    as_patient(client, patient)
    check_page(client, [make_medicine(patient)])
    assert requests_of(patient) == []


@sqlite_only
def test_continuing_with_nothing_ticked_shows_an_error(client, patient):
    as_patient(client, patient)
    make_medicine(patient)
    response = client.get("/prescriptions/check")
    assert (title(response).startswith("Error: "), page(response).css_first("#medicine-error").text()) == (
        True,
        "Error: Select the medicines you need",
    )


@sqlite_only
def test_the_check_page_for_an_item_that_is_not_due_shows_an_error(client, patient):
    as_patient(client, patient)
    response = check_page(client, [make_medicine(patient, last_issued_on=TODAY)])
    assert title(response).startswith("Error: ")


@sqlite_only
@pytest.mark.parametrize("medicine", ["not-due", "not-a-number"])
def test_the_check_page_for_an_item_that_cannot_be_ordered_says_so_plainly(client, patient, medicine):
    as_patient(client, patient)
    not_due = make_medicine(patient, last_issued_on=TODAY)
    response = client.get(
        "/prescriptions/check", query_string={"medicine": not_due.id if medicine == "not-due" else "x"}
    )
    assert page(response).css_first("#medicine-error").text() == (
        "Error: One or more medicines cannot be ordered now. Check the list again."
    )


def test_placing_an_order_goes_to_its_receipt(client, patient):
    as_patient(client, patient)
    response = place(client, [make_medicine(patient)])
    assert (response.status_code, response.location) == (303, f"/prescriptions/requests/{requests_of(patient)[0].id}")


def test_the_receipt_lists_each_item_as_waiting_for_a_clinician(client, patient):
    as_patient(client, patient)
    first, second = make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril")
    body = text(client.get(place(client, [first, second], "Away from Friday").location))
    assert "Amlodipine 5mg: Waiting for a clinician" in body and "Ramipril 5mg: Waiting for a clinician" in body


@sqlite_only
def test_the_receipt_says_the_request_was_sent_and_its_status_in_plain_words(client, patient):
    as_patient(client, patient)
    body = text(client.get(place(client, [make_medicine(patient)]).location))
    assert "Prescription request sent" in body and "Status: Requested." in body
    assert "Request sent: requested" not in body


def test_the_order_keeps_the_note(client, patient):
    as_patient(client, patient)
    place(client, [make_medicine(patient)], "Away from Friday")
    assert requests_of(patient)[0].note == "Away from Friday"


def test_the_same_form_posted_twice_makes_one_request(client, patient):
    as_patient(client, patient)
    form = confirm_fields(check_page(client, [make_medicine(patient)]))
    client.post("/prescriptions/requests", data=form)
    client.post("/prescriptions/requests", data=form)
    assert len(requests_of(patient)) == 1


def test_the_same_form_posted_twice_shows_the_same_receipt(client, patient):
    as_patient(client, patient)
    form = confirm_fields(check_page(client, [make_medicine(patient)]))
    first = client.post("/prescriptions/requests", data=form)
    second = client.post("/prescriptions/requests", data=form)
    assert (second.status_code, second.location) == (303, first.location)


@pytest.mark.parametrize("kind", [*BLOCKED, "waiting"])
def test_a_forged_order_including_an_item_that_cannot_be_ordered_is_refused(client, patient, kind):
    as_patient(client, patient)
    fine = make_medicine(patient, name="Amlodipine")
    blocked = make_medicine(patient, name="Ramipril", **BLOCKED.get(kind, ({}, ""))[0])
    if kind == "waiting":
        make_prescription_request(patient, [blocked])
    form = {**confirm_fields(check_page(client, [fine])), "medicine": [fine.id, blocked.id]}
    response = client.post("/prescriptions/requests", data=form)
    assert (title(response).startswith("Error: "), RequestItem.select().count()) == (True, int(kind == "waiting"))


def test_a_forged_order_for_another_patients_medicine_writes_nothing(client, practice, patient):
    as_patient(client, patient)
    mine, theirs = make_medicine(patient), make_medicine(make_patient(practice))
    form = {**confirm_fields(check_page(client, [mine])), "medicine": [theirs.id]}
    client.post("/prescriptions/requests", data=form)
    assert PrescriptionRequest.select().count() == 0


# Following requests


def test_requests_are_listed_newest_first(client, patient):
    as_patient(client, patient)
    older = make_prescription_request(patient, [make_medicine(patient)], created_at=utcnow() - timedelta(days=3))
    newer = make_prescription_request(patient, [make_medicine(patient)], created_at=utcnow() - timedelta(hours=1))
    ids = [s.attributes["aria-labelledby"] for s in page(client.get("/prescriptions/requests")).css("section")]
    assert ids == [f"req-{newer.id}", f"req-{older.id}"]


def test_the_patient_sees_an_approval_and_a_rejection_with_its_reason(client, practice, patient):
    first, second = make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril")
    request = make_prescription_request(patient, [first, second])
    as_staff(client, practice, "clinician")
    client.form_post(f"/staff/prescriptions/{request.id}", approve_and_reject(request, first, second))
    as_patient(client, patient)
    body = text(client.get("/prescriptions/requests"))
    assert (
        "Amlodipine 5mg: Approved" in body,
        "Ramipril 5mg: Rejected. “Please book a blood pressure check first”" in body,
    ) == (True, True)


def test_the_patient_sees_ready_to_collect(client, practice, patient):
    request = decided(patient)
    as_staff(client, practice, "reception")
    client.form_post(
        f"/staff/prescriptions/{request.id}/fulfil", {"how": "ready"}, token_from=f"/staff/prescriptions/{request.id}"
    )
    as_patient(client, patient)
    assert "Ready to collect" in text(client.get("/prescriptions/requests"))


# Access


PATIENT_PAGES = ["/prescriptions/", "/prescriptions/check", "/prescriptions/requests"]


@pytest.mark.parametrize("url", PATIENT_PAGES)
def test_anonymous_people_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert (response.status_code, response.location.split("?")[0]) == (302, "/sign-in")


@pytest.mark.parametrize("url", PATIENT_PAGES)
def test_a_patient_without_the_prescriptions_service_gets_404(client, patient, url):
    as_patient(client, patient, prescriptions=False, appointments=True)
    assert client.get(url).status_code == 404


def test_a_patient_without_the_prescriptions_service_cannot_order(client, patient):
    as_patient(client, patient, prescriptions=False, appointments=True)
    medicine = make_medicine(patient)
    response = client.form_post(
        "/prescriptions/requests", {"medicine": medicine.id, "token": "forged"}, token_from="/home"
    )
    assert (response.status_code, PrescriptionRequest.select().count()) == (404, 0)


def test_another_patients_request_gives_404(client, practice, patient):
    other = make_patient(practice)
    theirs = make_prescription_request(other, [make_medicine(other)])
    as_patient(client, patient)
    assert client.get(f"/prescriptions/requests/{theirs.id}").status_code == 404


def test_another_patients_requests_are_not_listed(client, practice, patient):
    other = make_patient(practice)
    make_medicine(other, name="Warfarin")
    make_prescription_request(other, list(Medicine.select()))
    as_patient(client, patient)
    assert "Warfarin" not in text(client.get("/prescriptions/requests"))


def proxy_for(client, child, **scope):
    """Sign in a parent with proxy access to `child` (scope as given), acting for the child."""
    parent = make_online_account(child.practice, make_patient(child.practice, given_name="Hannah"))
    make_proxy_link(parent, child, basis="parental", **scope)
    make_patient_session(client, parent)
    client.form_post("/acting-for", {"patient": child.id}, token_from="/home")
    return parent


@pytest.fixture
def child(practice):
    from datetime import date

    return make_patient(practice, given_name="Sophie", date_of_birth=date(2018, 4, 1))


def test_a_proxy_whose_scope_includes_prescriptions_can_order_for_the_patient(client, child):
    proxy_for(client, child, prescriptions=True)
    place(client, [make_medicine(child)])
    assert len(requests_of(child)) == 1


def test_a_proxy_order_records_who_asked(client, child):
    parent = proxy_for(client, child, prescriptions=True)
    place(client, [make_medicine(child)])
    assert requests_of(child)[0].requested_by_id == parent.id


def test_a_proxy_order_is_audited_as_the_proxy_for_the_patient(client, child):
    parent = proxy_for(client, child, prescriptions=True)
    place(client, [make_medicine(child)])
    event = events("prescription.order")[-1]
    assert (event.actor_id, event.role, event.patient_id) == (parent.id, "proxy", child.id)


def test_a_proxy_sees_the_patients_medicines_not_their_own(client, child):
    make_medicine(child, name="Salbutamol")
    parent = proxy_for(client, child, prescriptions=True)
    make_medicine(parent.patient, name="Sertraline")
    body = text(client.get("/prescriptions/"))
    assert ("Salbutamol" in body, "Sertraline" in body) == (True, False)


@sqlite_only
def test_a_proxy_reads_about_the_patients_requests_not_their_own(client, child):
    proxy_for(client, child, prescriptions=True)
    medicine = make_medicine(child)
    pages = {
        "list": text(client.get("/prescriptions/")),
        "receipt": text(client.get(place(client, [medicine]).location)),
        "requests": text(client.get("/prescriptions/requests")),
        "home": text(client.get("/home")),
    }
    assert "See Sophie’s requests" in pages["list"] and "Which medicines does Sophie need?" in pages["list"]
    assert "See all Sophie’s requests" in pages["receipt"]
    assert "Sophie’s prescription requests" in pages["requests"]
    assert "follow Sophie’s requests" in pages["home"]
    assert [name for name, body in pages.items() if re.search(r"\byour (requests|prescription)", body, re.I)] == []


@sqlite_only
def test_a_proxy_with_no_orders_yet_is_told_nothing_was_ordered_for_the_patient(client, child):
    proxy_for(client, child, prescriptions=True)
    assert "Nothing has been ordered online for Sophie yet." in text(client.get("/prescriptions/requests"))


@pytest.mark.parametrize("url", PATIENT_PAGES)
def test_a_proxy_whose_scope_leaves_out_prescriptions_gets_404(client, child, url):
    proxy_for(client, child, prescriptions=False, appointments=True)
    assert client.get(url).status_code == 404


def test_a_proxy_whose_scope_leaves_out_prescriptions_cannot_order(client, child):
    proxy_for(client, child, prescriptions=False, appointments=True)
    response = client.form_post(
        "/prescriptions/requests", {"medicine": make_medicine(child).id, "token": "forged"}, token_from="/home"
    )
    assert (response.status_code, PrescriptionRequest.select().count()) == (404, 0)


def test_a_proxy_cannot_open_the_patients_request_after_switching_back_to_themselves(client, child):
    parent = proxy_for(client, child, prescriptions=True)
    receipt = place(client, [make_medicine(child)]).location
    parent.prescriptions = True
    parent.save()
    client.form_post("/acting-for", {"patient": parent.patient_id}, token_from="/home")
    assert client.get(receipt).status_code == 404


# Staff: who may do what


ROLES = ("reception", "clinician", "manager")


def staff_targets(patient) -> dict:
    waiting_medicines = [make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril")]
    return {
        "waiting": make_prescription_request(patient, waiting_medicines),
        "approved": decided(patient),
        "patient": patient,
        "medicine": make_medicine(patient, name="Metformin"),
    }


MEDICINE_FORM = {
    "name": "Metformin",
    "strength": "500mg",
    "dose": "One tablet twice a day",
    "quantity": "56 tablets",
    "kind": "repeat",
    "interval_days": "28",
    "issues_left": "6",
    "review_on": "01/12/2030",
    "last_issued_on": "",
}

# name: (method, url, roles allowed, form data)
STAFF_ACTIONS = {
    "queue": ("GET", "/staff/prescriptions/", ROLES, None),
    "review": ("GET", "/staff/prescriptions/{waiting}", ROLES, None),
    "decide": ("POST", "/staff/prescriptions/{waiting}", ("clinician",), "decisions"),
    "mark ready": ("POST", "/staff/prescriptions/{approved}/fulfil", ("reception", "manager"), {"how": "ready"}),
    "mark sent": ("POST", "/staff/prescriptions/{approved}/fulfil", ("reception", "manager"), {"how": "sent"}),
    "medicines": ("GET", "/staff/patients/{patient}/medicines", ROLES, None),
    "add medicine": ("POST", "/staff/patients/{patient}/medicines", ("clinician", "manager"), MEDICINE_FORM),
    "change medicine page": ("GET", "/staff/medicines/{medicine}", ("clinician", "manager"), None),
    "change medicine": (
        "POST",
        "/staff/medicines/{medicine}",
        ("clinician", "manager"),
        {**MEDICINE_FORM, "issues_left": "2"},
    ),
    "stop medicine": ("POST", "/staff/medicines/{medicine}/stop", ("clinician", "manager"), {"reason": "Side effects"}),
}
DENIED = [(name, role) for name, (_, _, allowed, _) in STAFF_ACTIONS.items() for role in ROLES if role not in allowed]
ALLOWED_POSTS = [(name, allowed[0]) for name, (method, _, allowed, _) in STAFF_ACTIONS.items() if method == "POST"]
WITH_IDS = [name for name, (_, url, _, _) in STAFF_ACTIONS.items() if "{" in url]


def staff_request(client, name: str, things: dict, *, csrf: bool = True):
    method, url, _, data = STAFF_ACTIONS[name]
    url = url.format(**{k: v.id for k, v in things.items()})
    if method == "GET":
        return client.get(url)
    if data == "decisions":
        request = things["waiting"]
        first, second = (i.medicine for i in request.items.order_by(RequestItem.id))
        data = approve_and_reject(request, first, second)
    if not csrf:
        return client.post(url, data=data)
    return client.form_post(url, data, token_from="/staff/prescriptions/")


def state() -> tuple:
    """Everything a prescriptions action could change."""
    return (
        list(PrescriptionRequest.select(PrescriptionRequest.id, PrescriptionRequest.status).tuples()),
        list(RequestItem.select(RequestItem.id, RequestItem.status).tuples()),
        list(Medicine.select().order_by(Medicine.id).tuples()),
    )


@pytest.mark.parametrize(("name", "role"), DENIED, ids=[f"{n}-{r}" for n, r in DENIED])
def test_a_role_without_the_right_gets_404_and_changes_nothing(client, practice, patient, name, role):
    things = staff_targets(patient)
    as_staff(client, practice, role)
    before = state()
    assert (staff_request(client, name, things).status_code, state()) == (404, before)


@pytest.mark.parametrize("name", WITH_IDS)
def test_staff_of_another_practice_get_404_for_this_practices_ids(client, patient, name):
    things = staff_targets(patient)
    as_staff(client, make_practice(), STAFF_ACTIONS[name][2][0])
    before = state()
    assert (staff_request(client, name, things).status_code, state()) == (404, before)


@pytest.mark.parametrize(("name", "role"), ALLOWED_POSTS, ids=[n for n, _ in ALLOWED_POSTS])
def test_a_staff_post_without_a_csrf_token_is_refused_and_changes_nothing(client, practice, patient, name, role):
    things = staff_targets(patient)
    as_staff(client, practice, role)
    before = state()
    assert (staff_request(client, name, things, csrf=False).status_code, state()) == (400, before)


def test_a_patient_order_without_a_csrf_token_is_refused_and_writes_nothing(client, patient):
    as_patient(client, patient)
    form = confirm_fields(check_page(client, [make_medicine(patient)]))
    del form["csrf_token"]
    assert (client.post("/prescriptions/requests", data=form).status_code, requests_of(patient)) == (400, [])


def test_a_clinician_can_decide(client, practice, patient):
    things = staff_targets(patient)
    as_staff(client, practice, "clinician")
    response = staff_request(client, "decide", things)
    assert (response.status_code, PrescriptionRequest.get_by_id(things["waiting"].id).status) == (
        303,
        "partly_approved",
    )


@pytest.mark.parametrize("how", ["ready", "sent"])
def test_reception_can_mark_an_approved_request(client, practice, patient, how):
    things = staff_targets(patient)
    as_staff(client, practice, "reception")
    response = staff_request(client, f"mark {how}", things)
    assert (response.status_code, PrescriptionRequest.get_by_id(things["approved"].id).status) == (303, how)


def test_reception_cannot_mark_a_request_still_waiting_for_a_clinician(client, practice, patient):
    things = staff_targets(patient)
    as_staff(client, practice, "reception")
    client.form_post(
        f"/staff/prescriptions/{things['waiting'].id}/fulfil", {"how": "ready"}, token_from="/staff/prescriptions/"
    )
    assert PrescriptionRequest.get_by_id(things["waiting"].id).status == "requested"


def test_reception_sees_no_decision_form(client, practice, patient):
    things = staff_targets(patient)
    as_staff(client, practice, "reception")
    response = client.get(f"/staff/prescriptions/{things['waiting'].id}")
    assert page(response).css_first(f"form[action='/staff/prescriptions/{things['waiting'].id}']") is None


def test_a_clinician_sees_no_ready_or_sent_form(client, practice, patient):
    things = staff_targets(patient)
    as_staff(client, practice, "clinician")
    response = client.get(f"/staff/prescriptions/{things['approved'].id}")
    assert page(response).css_first("input[name=how]") is None


# Audit


@pytest.mark.parametrize(
    ("url", "action"),
    [("/prescriptions/", "prescription.view_list"), ("/prescriptions/requests", "prescription.view_requests")],
)
def test_a_patient_viewing_their_prescriptions_is_audited(client, patient, url, action):
    account = as_patient(client, patient)
    client.get(url)
    assert [(e.actor_id, e.role, e.patient_id) for e in events(action)] == [(account.id, "patient", patient.id)]


def test_a_patient_viewing_a_receipt_is_audited(client, patient):
    account = as_patient(client, patient)
    request = make_prescription_request(patient, [make_medicine(patient)])
    client.get(f"/prescriptions/requests/{request.id}")
    assert [(e.actor_id, e.patient_id, e.object_id) for e in events("prescription.view_request")] == [
        (account.id, patient.id, request.id)
    ]


def test_staff_viewing_a_request_is_audited(client, practice, patient):
    request = make_prescription_request(patient, [make_medicine(patient)])
    staff = as_staff(client, practice, "clinician")
    client.get(f"/staff/prescriptions/{request.id}")
    assert [(e.actor_id, e.role, e.patient_id) for e in events("prescription.view_request")] == [
        (staff.id, "clinician", patient.id)
    ]


def test_staff_viewing_a_repeat_list_is_audited(client, practice, patient):
    staff = as_staff(client, practice, "reception")
    client.get(f"/staff/patients/{patient.id}/medicines")
    assert [(e.actor_id, e.role, e.patient_id) for e in events("medicine.view_list")] == [
        (staff.id, "reception", patient.id)
    ]


@pytest.mark.parametrize(
    ("name", "role", "action"),
    [
        ("decide", "clinician", "prescription.approve"),
        ("decide", "clinician", "prescription.reject"),
        ("mark ready", "reception", "prescription.ready"),
        ("mark sent", "reception", "prescription.sent"),
        ("add medicine", "clinician", "medicine.add"),
        ("change medicine", "clinician", "medicine.change"),
        ("stop medicine", "clinician", "medicine.stop"),
    ],
    ids=lambda v: v if "." in v else None,
)
def test_each_staff_change_is_audited_with_actor_role_and_patient(client, practice, patient, name, role, action):
    things = staff_targets(patient)
    staff = as_staff(client, practice, role)
    staff_request(client, name, things)
    assert [(e.actor_id, e.role, e.patient_id) for e in events(action)] == [(staff.id, role, patient.id)]


def test_a_patient_order_is_audited_with_actor_role_and_patient(client, patient):
    account = as_patient(client, patient)
    place(client, [make_medicine(patient)])
    assert [(e.actor_id, e.role, e.patient_id, e.outcome) for e in events("prescription.order")] == [
        (account.id, "patient", patient.id, "ok")
    ]


def test_a_refused_patient_order_is_audited(client, patient):
    as_patient(client, patient)
    fine, blocked = make_medicine(patient), make_medicine(patient, review_on=TODAY - timedelta(days=1))
    client.post(
        "/prescriptions/requests",
        data={**confirm_fields(check_page(client, [fine])), "medicine": [fine.id, blocked.id]},
    )
    assert [e.outcome for e in events("prescription.order")] == ["refused"]


# The clinician's queue and review


def test_the_queue_is_oldest_first(client, practice, patient):
    newer = make_prescription_request(patient, [make_medicine(patient)], created_at=utcnow() - timedelta(hours=2))
    older = make_prescription_request(patient, [make_medicine(patient)], created_at=utcnow() - timedelta(days=3))
    as_staff(client, practice, "clinician")
    links = [a.attributes["href"] for a in page(client.get("/staff/prescriptions/")).css("table a")]
    assert links == [f"/staff/prescriptions/{older.id}", f"/staff/prescriptions/{newer.id}"]


@sqlite_only
def test_the_queue_shows_how_long_each_request_has_waited(client, practice, patient):
    make_prescription_request(patient, [make_medicine(patient)], created_at=utcnow() - timedelta(days=3, minutes=1))
    as_staff(client, practice, "clinician")
    cells = [td.text() for td in page(client.get("/staff/prescriptions/")).css("tbody td")]
    assert cells[1] == "3 days"


@sqlite_only
def test_the_review_shows_the_patients_repeat_list_with_review_dates(client, practice, patient):
    review = TODAY + timedelta(days=40)
    make_medicine(patient, name="Levothyroxine", review_on=review)
    request = make_prescription_request(patient, [make_medicine(patient, name="Amlodipine")])
    as_staff(client, practice, "clinician")
    rows = [
        re.sub(r"\s+", " ", tr.text()) for tr in page(client.get(f"/staff/prescriptions/{request.id}")).css("tbody tr")
    ]
    assert any("Levothyroxine" in r and f"{review:%-d %b %Y}" in r for r in rows)


def test_approval_through_the_review_updates_last_issued_and_issues_left(client, practice, patient):
    medicine = make_medicine(patient, issues_left=4, last_issued_on=TODAY - timedelta(days=30))
    request = make_prescription_request(patient, [medicine])
    as_staff(client, practice, "clinician")
    client.form_post(f"/staff/prescriptions/{request.id}", {f"decision-{request.items[0].id}": "approve"})
    after = Medicine.get_by_id(medicine.id)
    assert (after.last_issued_on, after.issues_left) == (TODAY, 3)


def test_a_rejection_without_a_reason_shows_an_error_next_to_the_reason(client, practice, patient):
    request = make_prescription_request(patient, [make_medicine(patient)])
    item = request.items[0]
    as_staff(client, practice, "clinician")
    response = client.form_post(f"/staff/prescriptions/{request.id}", {f"decision-{item.id}": "reject"})
    group = page(response).css_first(f"#reason-{item.id}").parent
    assert (title(response).startswith("Error: "), "Give a reason the patient will read" in group.text()) == (
        True,
        True,
    )


def test_a_rejection_without_a_reason_saves_nothing(client, practice, patient):
    first, second = make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril")
    request = make_prescription_request(patient, [first, second])
    as_staff(client, practice, "clinician")
    client.form_post(f"/staff/prescriptions/{request.id}", approve_and_reject(request, first, second, reason=" "))
    assert {i.status for i in RequestItem.select()} == {"requested"}


@sqlite_only
def test_a_decision_missing_a_choice_shows_an_error(client, practice, patient):
    request = make_prescription_request(patient, [make_medicine(patient)])
    as_staff(client, practice, "clinician")
    response = client.form_post(f"/staff/prescriptions/{request.id}", {})
    assert "Choose approve or reject" in text(response)


# Keeping the repeat list


def add(client, patient, **fields):
    return client.form_post(f"/staff/patients/{patient.id}/medicines", {**MEDICINE_FORM, **fields})


def error_for(response, field: str) -> str:
    node = page(response).css_first(f"#{field}-error")
    return node.text().removeprefix("Error:").strip() if node else ""


def test_adding_a_medicine_puts_it_on_the_list(client, practice, patient):
    as_staff(client, practice, "clinician")
    response = add(client, patient)
    medicine = Medicine.get()
    assert (response.status_code, medicine.name, medicine.review_on.isoformat()) == (303, "Metformin", "2030-12-01")


@sqlite_only
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("review_on", "31/02/2030", "Enter a real date like 31/01/2027"),
        ("last_issued_on", "yesterday", "Enter a real date like 31/01/2027"),
        ("interval_days", "four weeks", "Days must be a number"),
        ("issues_left", "six", "Issues left must be a number"),
        ("interval_days", "0", "Days one issue lasts must be between 1 and 366"),
        ("name", "", "Enter the medicine’s name"),
    ],
)
def test_adding_a_medicine_with_a_mistake_shows_it_next_to_the_field(client, practice, patient, field, value, message):
    as_staff(client, practice, "clinician")
    response = add(client, patient, **{field: value})
    assert (title(response).startswith("Error: "), error_for(response, field)) == (True, message)


@pytest.mark.parametrize(("field", "value"), [("review_on", "31/02/2030"), ("issues_left", "six")])
def test_adding_a_medicine_with_a_mistake_writes_nothing(client, practice, patient, field, value):
    as_staff(client, practice, "clinician")
    add(client, patient, **{field: value})
    assert (Medicine.select().count(), len(events("medicine.add"))) == (0, 0)


@sqlite_only
def test_adding_a_medicine_with_a_mistake_keeps_what_was_typed(client, practice, patient):
    as_staff(client, practice, "clinician")
    response = add(client, patient, review_on="31/02/2030", dose="Two at night")
    assert page(response).css_first("#dose").attributes["value"] == "Two at night"


@sqlite_only
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("review_on", "2030-12-01", "Enter a real date like 31/01/2027"),
        ("issues_left", "lots", "Issues left must be a number"),
    ],
)
def test_changing_a_medicine_with_a_mistake_shows_it_next_to_the_field(
    client, practice, patient, field, value, message
):
    medicine = make_medicine(patient)
    as_staff(client, practice, "clinician")
    response = client.form_post(f"/staff/medicines/{medicine.id}", {**MEDICINE_FORM, field: value})
    assert (title(response).startswith("Error: "), error_for(response, field)) == (True, message)


def test_changing_a_medicine_with_a_mistake_changes_nothing(client, practice, patient):
    medicine = make_medicine(patient)
    before = Medicine.select().where(Medicine.id == medicine.id).tuples().get()
    as_staff(client, practice, "clinician")
    client.form_post(f"/staff/medicines/{medicine.id}", {**MEDICINE_FORM, "issues_left": "2", "review_on": "soon"})
    assert (Medicine.select().where(Medicine.id == medicine.id).tuples().get(), events("medicine.change")) == (
        before,
        [],
    )


@sqlite_only
def test_the_change_page_shows_the_current_dates(client, practice, patient):
    medicine = make_medicine(patient, review_on=TODAY + timedelta(days=10))
    as_staff(client, practice, "clinician")
    response = client.get(f"/staff/medicines/{medicine.id}")
    assert page(response).css_first("#review_on").attributes["value"] == f"{TODAY + timedelta(days=10):%d/%m/%Y}"


def test_changing_a_medicine_saves_the_new_details(client, practice, patient):
    medicine = make_medicine(patient)
    as_staff(client, practice, "clinician")
    client.form_post(f"/staff/medicines/{medicine.id}", {**MEDICINE_FORM, "issues_left": "2"})
    after = Medicine.get_by_id(medicine.id)
    assert (after.name, after.issues_left) == ("Metformin", 2)


def test_stopping_a_medicine_takes_it_off_the_patients_list(client, practice, patient):
    medicine = make_medicine(patient, name="Simvastatin")
    as_staff(client, practice, "clinician")
    client.form_post(
        f"/staff/medicines/{medicine.id}/stop",
        {"reason": "Muscle pain"},
        token_from=f"/staff/patients/{patient.id}/medicines",
    )
    as_patient(client, patient)
    assert "Simvastatin" not in text(client.get("/prescriptions/"))


def test_stopping_a_medicine_without_a_reason_stops_nothing(client, practice, patient):
    medicine = make_medicine(patient)
    as_staff(client, practice, "clinician")
    client.form_post(
        f"/staff/medicines/{medicine.id}/stop", {"reason": ""}, token_from=f"/staff/patients/{patient.id}/medicines"
    )
    assert Medicine.get_by_id(medicine.id).stopped_at is None


@sqlite_only
def test_changing_the_order_from_the_check_page_keeps_the_ticks(client, patient):
    as_patient(client, patient)
    first, second = make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril")
    change = page(check_page(client, [second], "Away from Friday")).css_first("a[href^='/prescriptions/?']")
    response = client.get(change.attributes["href"])
    ticked = [m.id for m in (first, second) if "checked" in checkbox(response, m).attributes]
    assert ticked == [second.id]


@sqlite_only
def test_changing_the_order_from_the_check_page_keeps_the_note(client, patient):
    as_patient(client, patient)
    change = page(check_page(client, [make_medicine(patient)], "Away from Friday")).css_first(
        "a[href^='/prescriptions/?']"
    )
    assert page(client.get(change.attributes["href"])).css_first("#note").text() == "Away from Friday"


@sqlite_only
def test_adding_a_medicine_with_several_mistakes_shows_them_all_at_once(client, practice, patient):
    as_staff(client, practice, "clinician")
    response = add(client, patient, name="", review_on="31/02/2030")
    assert (error_for(response, "name"), error_for(response, "review_on")) == (
        "Enter the medicine’s name",
        "Enter a real date like 31/01/2027",
    )


def test_adding_a_medicine_with_negative_issues_left_is_refused(client, practice, patient):
    as_staff(client, practice, "clinician")
    response = add(client, patient, issues_left="-2")
    assert (error_for(response, "issues_left"), Medicine.select().count()) == (
        "Issues left must be between 0 and 100",
        0,
    )


@sqlite_only
def test_a_long_repeat_list_fits_the_page_budget(client, patient):
    """PageClient fails any page over 14 KB compressed; a patient on many medicines must still get one page."""
    as_patient(client, patient)
    for n in range(25):
        make_medicine(patient, name=f"Medicine number {n}", dose=f"Take {n} tablets as directed by your doctor")
    assert len(page(client.get("/prescriptions/")).css("input[name=medicine]")) == 25


@sqlite_only
def test_years_of_requests_fit_the_page_budget(client, patient):
    as_patient(client, patient)
    medicines = [make_medicine(patient, name=f"Medicine number {n}") for n in range(4)]
    for n in range(60):
        make_prescription_request(patient, medicines, created_at=utcnow() - timedelta(days=28 * n))
    assert len(page(client.get("/prescriptions/requests")).css("section")) == 60
