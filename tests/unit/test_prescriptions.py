"""kiosk.services.prescriptions: what can be ordered and why not, orders, decisions, fulfilment, the repeat list."""

from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.access import Actor
from kiosk.models import AuditEvent, Medicine, OnlineAccount, PrescriptionRequest, RequestItem
from kiosk.services import DomainError
from kiosk.services import prescriptions as rx
from tests.builders import (
    actor_for,
    make_medicine,
    make_online_account,
    make_patient,
    make_practice,
    make_prescription_request,
    make_staff,
)

TODAY = date(2026, 6, 10)
# The ordering rules are worked out in Python from rows already read: one backend shows them.
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture(autouse=True)
def midday_in_june(time_machine):
    time_machine.move_to(datetime(2026, 6, 10, 11, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def practice(app):
    return make_practice()


@pytest.fixture
def patient(practice):
    return make_patient(practice)


def patient_actor(patient) -> Actor:
    account = OnlineAccount.get_or_none(OnlineAccount.patient == patient.id) or make_online_account(
        patient.practice, patient, prescriptions=True
    )
    return Actor("patient", account.id, account.full_name, "patient", patient.practice_id, "127.0.0.1 test")


def clinician(practice) -> Actor:
    return actor_for(make_staff(practice, "clinician"))


def why_not(practice, medicine) -> rx.Orderable:
    return next(o for o in rx.orderable(practice, medicine.patient_id) if o.medicine.id == medicine.id)


def due_on(day: date, interval: int = 28) -> dict:
    """Medicine fields that make the next issue due on `day`."""
    return {"last_issued_on": day - timedelta(days=interval), "interval_days": interval}


def order(patient, medicines, submission="token-1", note=""):
    return rx.order(patient_actor(patient), patient.id, [m.id for m in medicines], note=note, token=submission)


def decide(practice, request, approve: dict, reasons: dict | None = None):
    """approve: {medicine: True/False}."""
    items = {i.medicine_id: i.id for i in request.items}
    decisions = [rx.ItemDecision(items[m.id], ok, (reasons or {}).get(m.id, "")) for m, ok in approve.items()]
    return rx.decide(clinician(practice), request.id, decisions)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


# What can be ordered, and the reason shown before trying


@sqlite_only
def test_an_item_due_today_can_be_ordered(practice, patient):
    assert why_not(practice, make_medicine(patient, **due_on(TODAY))).can_order


@sqlite_only
def test_an_item_due_exactly_the_window_away_can_be_ordered(practice, patient):
    assert why_not(practice, make_medicine(patient, **due_on(TODAY + timedelta(days=7)))).can_order


@sqlite_only
def test_an_item_due_one_day_beyond_the_window_cannot_be_ordered(practice, patient):
    row = why_not(practice, make_medicine(patient, **due_on(TODAY + timedelta(days=8))))
    assert not row.can_order


@sqlite_only
def test_a_not_due_item_says_from_which_day_it_can_be_ordered(practice, patient):
    row = why_not(practice, make_medicine(patient, **due_on(TODAY + timedelta(days=8))))
    assert row.why_not == "Not due yet. You can order this from 11 June 2026."


@sqlite_only
def test_the_order_window_is_the_practices_setting(practice, patient):
    practice.order_days_before_due = 14
    practice.save()
    assert why_not(practice, make_medicine(patient, **due_on(TODAY + timedelta(days=14)))).can_order


@sqlite_only
def test_a_never_issued_repeat_can_be_ordered(practice, patient):
    assert why_not(practice, make_medicine(patient, last_issued_on=None)).can_order


@sqlite_only
def test_an_item_past_its_review_date_cannot_be_ordered(practice, patient):
    row = why_not(practice, make_medicine(patient, review_on=TODAY - timedelta(days=1)))
    assert not row.can_order


@sqlite_only
def test_an_overdue_review_asks_the_patient_to_book_a_review(practice, patient):
    row = why_not(practice, make_medicine(patient, review_on=TODAY - timedelta(days=1)))
    assert (row.book_review, row.why_not) == (
        True,
        "Your medication review is overdue. Book a review appointment first.",
    )


@sqlite_only
def test_an_item_whose_review_is_due_today_can_still_be_ordered(practice, patient):
    assert why_not(practice, make_medicine(patient, review_on=TODAY)).can_order


@sqlite_only
def test_an_acute_item_cannot_be_ordered(practice, patient):
    row = why_not(practice, make_medicine(patient, kind="acute"))
    assert (row.can_order, row.why_not) == (
        False,
        "This was a one-off medicine. Contact the practice if you need more.",
    )


@sqlite_only
def test_an_item_with_no_issues_left_cannot_be_ordered(practice, patient):
    row = why_not(practice, make_medicine(patient, issues_left=0))
    assert (row.can_order, row.book_review) == (False, True)


@sqlite_only
def test_an_item_waiting_for_a_clinician_cannot_be_ordered_again(practice, patient):
    medicine = make_medicine(patient)
    make_prescription_request(patient, [medicine])
    row = why_not(practice, medicine)
    assert (row.can_order, row.why_not) == (False, "You have already ordered this. It is waiting for a clinician.")


@sqlite_only
def test_a_rejected_item_can_be_ordered_again(practice, patient):
    medicine = make_medicine(patient)
    request = make_prescription_request(patient, [medicine])
    decide(practice, request, {medicine: False}, {medicine.id: "Please see the nurse first"})
    assert why_not(practice, medicine).can_order


@sqlite_only
def test_an_approved_item_is_not_due_again_until_its_next_window(practice, patient):
    medicine = make_medicine(patient)
    decide(practice, make_prescription_request(patient, [medicine]), {medicine: True})
    assert why_not(practice, medicine).why_not == "Not due yet. You can order this from 1 July 2026."


@sqlite_only
def test_stopped_medicines_are_not_listed(practice, patient):
    make_medicine(patient, stopped_at=datetime(2026, 6, 1), stopped_reason="Changed to another")
    assert rx.orderable(practice, patient.id) == []


@sqlite_only
def test_another_patients_medicines_are_not_listed(practice, patient):
    make_medicine(make_patient(practice))
    assert rx.orderable(practice, patient.id) == []


# Ordering


def test_an_order_makes_one_request_with_an_item_per_medicine(patient):
    first, second = make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril")
    request = order(patient, [first, second])
    assert sorted(i.medicine_id for i in request.items) == [first.id, second.id]


def test_an_order_keeps_the_patients_note(patient):
    request = order(patient, [make_medicine(patient)], note="  Going on holiday on Friday  ")
    assert request.note == "Going on holiday on Friday"


def test_an_order_goes_to_the_nominated_pharmacy(practice):
    patient = make_patient(practice, nominated_pharmacy="Bridge Street Pharmacy")
    assert order(patient, [make_medicine(patient)]).pharmacy == "Bridge Street Pharmacy"


def test_an_order_with_no_pharmacy_is_collected_from_the_practice(patient):
    assert order(patient, [make_medicine(patient)]).pharmacy == ""


def test_an_order_with_nothing_chosen_is_refused(patient):
    with pytest.raises(DomainError, match="Select the medicines you need"):
        order(patient, [])


def test_the_same_token_twice_gives_the_first_request(patient):
    medicine = make_medicine(patient)
    first = order(patient, [medicine], submission="same")
    assert order(patient, [medicine], submission="same").id == first.id


def test_the_same_token_twice_writes_one_request(patient):
    medicine = make_medicine(patient)
    order(patient, [medicine], submission="same")
    order(patient, [medicine], submission="same")
    assert PrescriptionRequest.select().count() == 1


def test_a_token_already_used_for_another_patient_is_refused(practice, patient):
    order(patient, [make_medicine(patient)], submission="same")
    other = make_patient(practice)
    with pytest.raises(DomainError, match="expired"):
        order(other, [make_medicine(other)], submission="same")


@pytest.mark.parametrize(
    "blocked",
    [
        {"last_issued_on": TODAY - timedelta(days=1)},
        {"review_on": TODAY - timedelta(days=1)},
        {"kind": "acute"},
        {"issues_left": 0},
    ],
    ids=["not-due", "review-overdue", "acute", "no-issues-left"],
)
def test_an_order_including_an_item_that_cannot_be_ordered_writes_nothing(patient, blocked):
    fine, refused = make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril", **blocked)
    with pytest.raises(DomainError):
        order(patient, [fine, refused])
    assert (PrescriptionRequest.select().count(), RequestItem.select().count()) == (0, 0)


def test_an_order_for_an_item_already_waiting_is_refused(patient):
    medicine = make_medicine(patient)
    order(patient, [medicine], submission="first")
    with pytest.raises(DomainError):
        order(patient, [medicine], submission="second")


def test_an_order_for_another_patients_medicine_is_refused(practice, patient):
    theirs = make_medicine(make_patient(practice))
    with pytest.raises(DomainError):
        order(patient, [theirs])


def test_an_order_for_a_stopped_medicine_is_refused(patient):
    stopped = make_medicine(patient, stopped_at=datetime(2026, 6, 1))
    with pytest.raises(DomainError):
        order(patient, [stopped])


def test_an_order_is_audited_with_actor_role_and_patient(patient):
    actor = patient_actor(patient)
    request = rx.order(actor, patient.id, [make_medicine(patient).id], note="", token="t")
    event = events("prescription.order")[-1]
    assert (event.actor_kind, event.actor_id, event.role, event.patient_id, event.object_id, event.outcome) == (
        "patient",
        actor.id,
        "patient",
        patient.id,
        request.id,
        "ok",
    )


def test_a_refused_order_is_audited(patient):
    with pytest.raises(DomainError):
        order(patient, [make_medicine(patient, review_on=TODAY - timedelta(days=1))])
    assert [(e.outcome, e.patient_id) for e in events("prescription.order")] == [("refused", patient.id)]


# Clinicians' decisions


def test_approval_sets_last_issued_to_today(practice, patient):
    medicine = make_medicine(patient)
    decide(practice, make_prescription_request(patient, [medicine]), {medicine: True})
    assert Medicine.get_by_id(medicine.id).last_issued_on == TODAY


def test_approval_uses_one_issue(practice, patient):
    medicine = make_medicine(patient, issues_left=3)
    decide(practice, make_prescription_request(patient, [medicine]), {medicine: True})
    assert Medicine.get_by_id(medicine.id).issues_left == 2


def test_rejection_leaves_the_repeat_list_unchanged(practice, patient):
    medicine = make_medicine(patient, issues_left=3)
    decide(practice, make_prescription_request(patient, [medicine]), {medicine: False}, {medicine.id: "See the GP"})
    after = Medicine.get_by_id(medicine.id)
    assert (after.issues_left, after.last_issued_on) == (3, medicine.last_issued_on)


def test_rejection_keeps_the_reason_the_patient_will_read(practice, patient):
    medicine = make_medicine(patient)
    request = make_prescription_request(patient, [medicine])
    decide(practice, request, {medicine: False}, {medicine.id: " Please book a blood test first "})
    assert RequestItem.get(RequestItem.request == request.id).reason == "Please book a blood test first"


def test_rejection_without_a_reason_is_refused(practice, patient):
    medicine = make_medicine(patient)
    with pytest.raises(DomainError, match="reason"):
        decide(practice, make_prescription_request(patient, [medicine]), {medicine: False}, {medicine.id: "  "})


def test_a_refused_decision_saves_none_of_the_items(practice, patient):
    first, second = make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril")
    request = make_prescription_request(patient, [first, second])
    with pytest.raises(DomainError):
        decide(practice, request, {first: True, second: False})
    assert {i.status for i in RequestItem.select()} == {"requested"}


@pytest.mark.parametrize(
    ("approvals", "status"),
    [((True, True), "approved"), ((False, False), "rejected"), ((True, False), "partly_approved")],
)
def test_the_request_status_follows_its_items(practice, patient, approvals, status):
    first, second = make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril")
    request = make_prescription_request(patient, [first, second])
    decided = decide(
        practice, request, dict(zip((first, second), approvals, strict=True)), {first.id: "No", second.id: "No"}
    )
    assert decided.status == status


def test_a_decided_request_cannot_be_decided_again(practice, patient):
    medicine = make_medicine(patient)
    request = make_prescription_request(patient, [medicine])
    decide(practice, request, {medicine: True})
    with pytest.raises(DomainError, match="already been decided"):
        decide(practice, request, {medicine: False}, {medicine.id: "Changed my mind"})


def test_another_practices_request_cannot_be_decided(practice, patient):
    medicine = make_medicine(patient)
    request = make_prescription_request(patient, [medicine])
    with pytest.raises(PrescriptionRequest.DoesNotExist):
        decide(make_practice(), request, {medicine: True})


def test_each_decision_is_audited_with_the_clinician_and_patient(practice, patient):
    first, second = make_medicine(patient, name="Amlodipine"), make_medicine(patient, name="Ramipril")
    actor = clinician(practice)
    request = make_prescription_request(patient, [first, second])
    items = {i.medicine_id: i.id for i in request.items}
    rx.decide(
        actor,
        request.id,
        [rx.ItemDecision(items[first.id], True, ""), rx.ItemDecision(items[second.id], False, "See the nurse")],
    )
    found = [
        (e.action, e.actor_id, e.role, e.patient_id, e.object_id)
        for e in AuditEvent.select().where(AuditEvent.action.startswith("prescription.")).order_by(AuditEvent.id)
    ]
    assert found == [
        ("prescription.approve", actor.id, "clinician", patient.id, items[first.id]),
        ("prescription.reject", actor.id, "clinician", patient.id, items[second.id]),
    ]


# The queue and fulfilment


def test_the_queue_is_oldest_first(practice, patient):
    newer = make_prescription_request(patient, [make_medicine(patient)], created_at=datetime(2026, 6, 10, 9, 0))
    older = make_prescription_request(patient, [make_medicine(patient)], created_at=datetime(2026, 6, 8, 9, 0))
    assert [r.id for r in rx.queue(practice.id)] == [older.id, newer.id]


def test_decided_requests_leave_the_queue(practice, patient):
    medicine = make_medicine(patient)
    decide(practice, make_prescription_request(patient, [medicine]), {medicine: True})
    assert list(rx.queue(practice.id)) == []


def test_another_practices_requests_are_not_queued(practice):
    other = make_patient(make_practice())
    make_prescription_request(other, [make_medicine(other)])
    assert list(rx.queue(practice.id)) == []


@pytest.mark.parametrize("how", ["ready", "sent"])
def test_an_approved_request_can_be_marked_ready_or_sent(practice, patient, how):
    medicine = make_medicine(patient)
    request = decide(practice, make_prescription_request(patient, [medicine]), {medicine: True})
    assert rx.fulfil(actor_for(make_staff(practice, "reception")), request.id, how).status == how


def test_a_request_waiting_for_a_clinician_cannot_be_marked_ready(practice, patient):
    request = make_prescription_request(patient, [make_medicine(patient)])
    with pytest.raises(DomainError, match="Only approved"):
        rx.fulfil(actor_for(make_staff(practice, "reception")), request.id, "ready")


def test_a_rejected_request_cannot_be_marked_ready(practice, patient):
    medicine = make_medicine(patient)
    request = decide(practice, make_prescription_request(patient, [medicine]), {medicine: False}, {medicine.id: "No"})
    with pytest.raises(DomainError):
        rx.fulfil(actor_for(make_staff(practice, "reception")), request.id, "ready")


def test_marking_ready_is_audited_with_reception_and_patient(practice, patient):
    medicine = make_medicine(patient)
    request = decide(practice, make_prescription_request(patient, [medicine]), {medicine: True})
    actor = actor_for(make_staff(practice, "reception"))
    rx.fulfil(actor, request.id, "ready")
    event = events("prescription.ready")[-1]
    assert (event.actor_id, event.role, event.patient_id, event.object_id) == (
        actor.id,
        "reception",
        patient.id,
        request.id,
    )


# The repeat list


def details(**overrides) -> rx.MedicineDetails:
    values = {
        "name": "Metformin",
        "strength": "500mg",
        "dose": "One tablet twice a day",
        "quantity": "56 tablets",
        "kind": "repeat",
        "interval_days": 28,
        "issues_left": 6,
        "review_on": date(2026, 12, 1),
        "last_issued_on": None,
    }
    return rx.MedicineDetails(**{**values, **overrides})


def test_adding_a_medicine_puts_it_on_the_list(practice, patient):
    rx.add_medicine(clinician(practice), patient.id, details())
    assert [m.name for m in rx.current_medicines(practice.id, patient.id)] == ["Metformin"]


def test_adding_a_medicine_for_another_practices_patient_is_refused(practice):
    other = make_patient(make_practice())
    with pytest.raises(Exception, match="does not exist"):
        rx.add_medicine(clinician(practice), other.id, details())


@pytest.mark.parametrize("action", ["medicine.add", "medicine.change", "medicine.stop"])
def test_every_repeat_list_change_is_audited_with_actor_role_and_patient(practice, patient, action):
    actor = clinician(practice)
    medicine = rx.add_medicine(actor, patient.id, details())
    rx.change_medicine(actor, medicine.id, details(issues_left=2))
    rx.stop_medicine(actor, medicine.id, "Side effects")
    event = events(action)[-1]
    assert (event.actor_id, event.role, event.patient_id, event.object_id) == (
        actor.id,
        "clinician",
        patient.id,
        medicine.id,
    )


def test_a_change_is_audited_with_before_and_after(practice, patient):
    actor = clinician(practice)
    medicine = rx.add_medicine(actor, patient.id, details())
    rx.change_medicine(actor, medicine.id, details(issues_left=2))
    assert "issues left 6" in events("medicine.change")[-1].detail.split("->")[0]


def test_a_stopped_medicine_leaves_the_list(practice, patient):
    medicine = make_medicine(patient)
    rx.stop_medicine(clinician(practice), medicine.id, "No longer needed")
    assert list(rx.current_medicines(practice.id, patient.id)) == []


def test_stopping_a_stopped_medicine_again_is_not_audited_twice(practice, patient):
    medicine = make_medicine(patient)
    rx.stop_medicine(clinician(practice), medicine.id, "No longer needed")
    rx.stop_medicine(clinician(practice), medicine.id, "No longer needed")
    assert len(events("medicine.stop")) == 1
