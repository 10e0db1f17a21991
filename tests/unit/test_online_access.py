"""kiosk.services.online_access: identity first (R1), letters and keys (R2), services (R3, R4), suspension (R8)."""

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from peewee import IntegrityError

from kiosk.db import database
from kiosk.models import (
    ENHANCED_REVIEW,
    ENHANCED_REVIEW_OVERRIDE,
    AuditEvent,
    LinkageKey,
    OnlineAccount,
    WebSession,
)
from kiosk.services import DomainError, online_access, patient_auth
from kiosk.services.online_access import ALPHABET, KEY_LENGTH, ServiceChoice
from tests.builders import (
    actor_for,
    make_coded_entry,
    make_identity_check,
    make_online_account,
    make_patient,
    make_patient_session,
    make_practice,
    make_staff,
)
from tests.stored import everything_stored

NOW = datetime(2026, 6, 10, 9, 0)
EVERYTHING = ServiceChoice(appointments=True, prescriptions=True, record_level="detailed", not_pressured=True)
APPOINTMENTS_ONLY = ServiceChoice(appointments=True, prescriptions=False, record_level="none", not_pressured=True)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW.replace(tzinfo=UTC), tick=False)


@pytest.fixture
def desk(app):
    """A practice, its receptionist (as an Actor) and a patient with an online account but no identity check."""
    practice = make_practice()
    reception = make_staff(practice, "reception")
    patient = make_patient(practice, given_name="Nia", family_name="Okoro", date_of_birth=date(1990, 4, 2))
    account = online_access.start_for_patient(actor_for(reception), patient.id)
    return practice, actor_for(reception), patient, account


def events(action: str, **where) -> list[AuditEvent]:
    query = AuditEvent.select().where(AuditEvent.action == action)
    for name, value in where.items():
        query = query.where(getattr(AuditEvent, name) == value)
    return list(query.order_by(AuditEvent.id))


def reloaded(account: OnlineAccount) -> OnlineAccount:
    return OnlineAccount.get_by_id(account.id)


# R1: identity before access


def test_services_are_refused_before_identity_is_recorded(desk):
    _, actor, _, account = desk
    with pytest.raises(DomainError, match="verified their identity"):
        online_access.set_services(actor, account.id, EVERYTHING)
    assert (reloaded(account).appointments, reloaded(account).record_level) == (False, "none")


def test_refusal_for_missing_identity_check_is_audited(desk):
    _, actor, patient, account = desk
    with pytest.raises(DomainError):
        online_access.set_services(actor, account.id, APPOINTMENTS_ONLY)
    [event] = events("online.services")
    assert (event.outcome, event.patient_id, event.actor_id, event.role) == (
        "refused",
        patient.id,
        actor.id,
        "reception",
    )


def test_letter_is_refused_before_identity_is_recorded_and_the_refusal_audited(desk):
    _, actor, _, account = desk
    with pytest.raises(DomainError, match="verified their identity"):
        online_access.issue_registration_letter(actor, account.id)
    assert LinkageKey.select().count() == 0
    assert [e.outcome for e in events("online.letter_issue")] == ["refused"]


def test_identity_check_records_method_evidence_and_who(desk):
    _, actor, _, account = desk
    online_access.verify_identity(actor, account.id, "documents", "  Passport and a bank statement ")
    check = online_access.latest_identity_check(account)
    assert (check.method, check.evidence, check.verified_by_id) == (
        "documents",
        "Passport and a bank statement",
        actor.id,
    )
    assert [e.detail for e in events("online.identity_verified")] == ["documents"]


def test_services_are_switched_on_after_identity_and_the_tick(desk):
    _, actor, _, account = desk
    online_access.verify_identity(actor, account.id, "vouching", "Known to Dr Patel for years")
    online_access.set_services(actor, account.id, EVERYTHING)
    account = reloaded(account)
    assert (account.appointments, account.prescriptions, account.record_level) == (True, True, "detailed")
    assert account.services_enabled_by_id == actor.id
    assert events("online.services")[-1].outcome == "ok"


def test_services_without_the_not_pressured_tick_are_refused_and_audited(desk):
    _, actor, _, account = desk
    make_identity_check(account)
    with pytest.raises(DomainError) as refused:
        online_access.set_services(actor, account.id, ServiceChoice(True, False, "none", not_pressured=False))
    assert refused.value.field == "not_pressured"
    assert reloaded(account).appointments is False
    assert [e.outcome for e in events("online.services")] == ["refused"]


def test_switching_everything_off_needs_no_tick(desk):
    _, actor, _, account = desk
    make_identity_check(account)
    online_access.set_services(actor, account.id, APPOINTMENTS_ONLY)
    online_access.set_services(actor, account.id, ServiceChoice(False, False, "none", not_pressured=False))
    assert reloaded(account).appointments is False


# R4: enhanced review


def test_enhanced_review_code_blocks_record_access(desk):
    _, actor, patient, account = desk
    make_identity_check(account)
    make_coded_entry(patient, ENHANCED_REVIEW)
    with pytest.raises(DomainError, match="review") as refused:
        online_access.set_services(actor, account.id, EVERYTHING)
    assert refused.value.field == "record_level"
    assert reloaded(account).record_level == "none"
    assert events("online.services")[-1].outcome == "refused"


def test_enhanced_review_code_does_not_block_appointments_or_prescriptions(desk):
    _, actor, patient, account = desk
    make_identity_check(account)
    make_coded_entry(patient, ENHANCED_REVIEW)
    online_access.set_services(actor, account.id, ServiceChoice(True, True, "none", not_pressured=True))
    assert (reloaded(account).appointments, reloaded(account).prescriptions) == (True, True)


def test_a_later_override_code_lifts_the_block(desk):
    _, actor, patient, account = desk
    make_identity_check(account)
    make_coded_entry(patient, ENHANCED_REVIEW, effective_on=date(2026, 1, 5))
    make_coded_entry(patient, ENHANCED_REVIEW_OVERRIDE, effective_on=date(2026, 3, 1))
    online_access.set_services(actor, account.id, EVERYTHING)
    assert reloaded(account).record_level == "detailed"


def test_an_override_older_than_the_enhanced_review_code_does_not_lift_it(desk):
    _, _, patient, _ = desk
    make_coded_entry(patient, ENHANCED_REVIEW_OVERRIDE, effective_on=date(2025, 1, 5))
    make_coded_entry(patient, ENHANCED_REVIEW, effective_on=date(2026, 3, 1))
    assert online_access.record_access_blocked(patient.id)


def test_another_patients_enhanced_review_code_blocks_nobody_else(desk):
    practice, _, patient, _ = desk
    make_coded_entry(make_patient(practice), ENHANCED_REVIEW)
    assert not online_access.record_access_blocked(patient.id)


# R2: linkage keys


def test_linkage_key_alphabet_has_no_confusable_characters():
    assert set("0O1I") & set(ALPHABET) == set()
    assert len(set(ALPHABET)) == len(ALPHABET)


def test_linkage_key_carries_at_least_80_bits():
    assert KEY_LENGTH == 16
    assert KEY_LENGTH * math.log2(len(set(ALPHABET))) >= 80


def test_linkage_keys_use_the_whole_alphabet_and_only_it():
    keys = [online_access._random_code(KEY_LENGTH) for _ in range(400)]
    assert all(len(k) == KEY_LENGTH for k in keys)
    assert set("".join(keys)) == set(ALPHABET)
    assert len(set(keys)) == len(keys)


def test_letter_carries_a_16_character_key_that_expires_in_14_days(desk):
    _, actor, _, account = desk
    make_identity_check(account)
    letter = online_access.issue_registration_letter(actor, account.id)
    assert len(letter.key) == 16 and set(letter.key) <= set(ALPHABET)
    assert letter.expires_at == NOW + timedelta(days=14)


def test_only_the_hash_of_the_key_is_stored(desk):
    _, actor, _, account = desk
    make_identity_check(account)
    letter = online_access.issue_registration_letter(actor, account.id)
    stored = LinkageKey.get(LinkageKey.account == account.id)
    assert stored.key_hash == online_access.key_digest(letter.key) != letter.key
    text = everything_stored()
    for shape in (letter.key, letter.key.lower(), online_access.group(letter.key)):
        assert shape not in text


def test_reissuing_revokes_the_previous_key(desk):
    _, actor, patient, account = desk
    make_identity_check(account)
    first = online_access.issue_registration_letter(actor, account.id)
    second = online_access.issue_registration_letter(actor, account.id)
    with pytest.raises(DomainError):
        patient_auth.check_letter(actor, account.account_id, first.key, patient.date_of_birth)
    assert patient_auth.check_letter(actor, account.account_id, second.key, patient.date_of_birth)


def test_the_database_refuses_a_second_live_key_for_one_account(desk):
    _, actor, _, account = desk
    make_identity_check(account)
    online_access.issue_registration_letter(actor, account.id)
    with pytest.raises(IntegrityError), database.atomic():
        LinkageKey.create(
            practice=account.practice_id,
            account=account,
            key_hash="0" * 64,
            expires_at=NOW + timedelta(days=14),
            issued_by=actor.id,
        )


def test_typed_keys_forgive_case_spaces_and_dashes():
    assert online_access.key_digest("abcd-efgh jkmn pqrs") == online_access.key_digest("ABCDEFGHJKMNPQRS")


# Finding a patient


@pytest.fixture
def register(app):
    practice = make_practice()
    shaw = make_patient(practice, given_name="Grace", family_name="Shaw", date_of_birth=date(1985, 3, 14))
    make_patient(practice, given_name="Shawn", family_name="Miller", date_of_birth=date(1970, 1, 2))
    make_patient(practice, given_name="Amir", family_name="Khan", date_of_birth=date(1985, 3, 15))
    elsewhere = make_patient(
        make_practice(),
        given_name="Grace",
        family_name="Shaw",
        date_of_birth=date(1985, 3, 14),
        nhs_number=shaw.nhs_number,
    )
    return practice, shaw, elsewhere


def found(practice, query) -> list[str]:
    return [p.full_name for p in online_access.find_patients(practice.id, query)]


def test_search_by_family_name_ignores_case(register):
    practice, _, _ = register
    assert found(practice, "shaw") == ["Shawn Miller", "Grace Shaw"]  # by family name


def test_search_by_two_names_needs_both(register):
    practice, _, _ = register
    assert found(practice, "grace SHAW") == ["Grace Shaw"]


@pytest.mark.parametrize("typed", ["14/03/1985", "14 3 1985", "14-03-1985"])
def test_search_by_date_of_birth(register, typed):
    practice, _, _ = register
    assert found(practice, typed) == ["Grace Shaw"]


def test_search_by_nhs_number_with_spaces(register):
    practice, shaw, _ = register
    spaced = f"{shaw.nhs_number[:3]} {shaw.nhs_number[3:6]} {shaw.nhs_number[6:]}"
    assert [p.id for p in online_access.find_patients(practice.id, spaced)] == [shaw.id]


def test_search_never_finds_another_practices_patient(register):
    practice, shaw, elsewhere = register
    for query in ("Shaw", "14/03/1985", shaw.nhs_number):
        assert elsewhere.id not in [p.id for p in online_access.find_patients(practice.id, query)]


def test_empty_search_finds_nobody(register):
    practice, _, _ = register
    assert found(practice, "   ") == []


# R8: suspension


@pytest.fixture
def live_account(desk, client):
    """desk's account with services on, a live letter and a signed-in session."""
    practice, actor, patient, account = desk
    make_identity_check(account)
    online_access.set_services(actor, account.id, EVERYTHING)
    letter = online_access.issue_registration_letter(actor, account.id)
    make_patient_session(client, account)
    return actor, patient, account, letter


def test_suspension_records_when_and_why(live_account):
    actor, _, account, _ = live_account
    online_access.suspend(actor, account.id, " Asked at the desk ")
    account = reloaded(account)
    assert (account.suspended_at, account.suspended_reason) == (NOW, "Asked at the desk")


def test_suspension_is_audited_with_the_reason(live_account):
    actor, patient, account, _ = live_account
    online_access.suspend(actor, account.id, "Concern about coercion")
    [event] = events("online.suspend")
    assert (event.patient_id, event.actor_id, event.detail) == (patient.id, actor.id, "Concern about coercion")


def test_suspension_revokes_the_live_key(live_account):
    actor, patient, account, letter = live_account
    online_access.suspend(actor, account.id, "Asked at the desk")
    assert LinkageKey.get(LinkageKey.account == account.id).revoked_at == NOW
    with pytest.raises(DomainError):
        patient_auth.check_letter(actor, account.account_id, letter.key, patient.date_of_birth)


def test_suspension_ends_every_session_of_the_account(live_account):
    actor, _, account, _ = live_account
    online_access.suspend(actor, account.id, "Asked at the desk")
    assert (
        not WebSession.select().where((WebSession.user_kind == "patient") & (WebSession.user_id == account.id)).exists()
    )


def test_no_letter_while_suspended(live_account):
    actor, _, account, _ = live_account
    online_access.suspend(actor, account.id, "Asked at the desk")
    with pytest.raises(DomainError, match="suspended"):
        online_access.issue_registration_letter(actor, account.id)


def test_restore_lifts_the_suspension_and_is_audited(live_account):
    actor, _, account, _ = live_account
    online_access.suspend(actor, account.id, "Asked at the desk")
    online_access.restore(actor, account.id)
    assert not reloaded(account).is_suspended
    assert [e.outcome for e in events("online.restore")] == ["ok"]


def test_staff_of_another_practice_cannot_touch_the_account(live_account):
    _, _, account, _ = live_account
    stranger = actor_for(make_staff(make_practice(), "manager"))
    for attempt in (
        lambda: online_access.suspend(stranger, account.id, "x"),
        lambda: online_access.issue_registration_letter(stranger, account.id),
        lambda: online_access.set_services(stranger, account.id, EVERYTHING),
    ):
        with pytest.raises(OnlineAccount.DoesNotExist):
            attempt()
    assert not reloaded(account).is_suspended


def test_starting_twice_keeps_one_account(desk):
    _, actor, patient, account = desk
    assert online_access.start_for_patient(actor, patient.id).id == account.id
    assert OnlineAccount.select().count() == 1


def test_a_proxy_only_person_cannot_have_services_of_their_own(app):
    practice = make_practice()
    reception = actor_for(make_staff(practice))
    person = make_online_account(practice)
    make_identity_check(person)
    with pytest.raises(DomainError, match="proxy"):
        online_access.set_services(reception, person.id, APPOINTMENTS_ONLY)
