"""kiosk.services.proxies (R7): basis, competence, scope, the parental cut-off age, refusals and the ending list."""

from datetime import UTC, date, datetime, timedelta

import pytest

from kiosk.models import AuditEvent, ProxyLink
from kiosk.services import DomainError, proxies
from kiosk.services.proxies import ProxyDecision
from tests.builders import (
    actor_for,
    make_online_account,
    make_patient,
    make_practice,
    make_proxy_link,
    make_registered_account,
    make_staff,
)

TODAY = date(2026, 6, 10)


@pytest.fixture
def database_url(sqlite_template, tmp_path):
    """SQLite only: these are rules about ages, dates and scope worked out in Python. The PostgreSQL runs of
    tests/integration (home page, switching person, the ending-soon page) cover the same queries there."""
    return sqlite_template.fresh_url(tmp_path)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(datetime(2026, 6, 10, 9, 0, tzinfo=UTC), tick=False)


@pytest.fixture
def practice(app):
    return make_practice()


@pytest.fixture
def reception(practice):
    return actor_for(make_staff(practice, "reception"))


@pytest.fixture
def parent(practice):
    """Hannah: registered here, identity verified, her own appointments on."""
    return make_registered_account(
        practice, make_patient(practice, given_name="Hannah", family_name="Green"), appointments=True
    )


def child(practice, born: date, name="Sophie"):
    return make_patient(practice, given_name=name, family_name="Green", date_of_birth=born)


def decision(proxy, basis="parental", competence="", grant=True, **scope) -> ProxyDecision:
    values = {"appointments": True, "prescriptions": False, "record_level": "none", "ends_on": None}
    return ProxyDecision(
        proxy.account_id, basis, competence, grant=grant, reason="Mother, seen with the child", **{**values, **scope}
    )


def scoped_names(account, today=None) -> list[str]:
    return [s.patient.given_name for s in proxies.scopes_for(account, today)]


# Deciding


def test_grant_records_basis_scope_and_who_decided(practice, reception, parent):
    sophie = child(practice, date(2020, 1, 1))
    link = proxies.decide(reception, sophie.id, decision(parent, prescriptions=True, record_level="summary"))
    link = ProxyLink.get_by_id(link.id)
    assert (link.basis, link.status, link.decided_by_id) == ("parental", "active", reception.id)
    assert (link.appointments, link.prescriptions, link.record_level) == (True, True, "summary")


def test_grant_is_audited_with_the_basis(practice, reception, parent):
    sophie = child(practice, date(2020, 1, 1))
    proxies.decide(reception, sophie.id, decision(parent))
    [event] = AuditEvent.select().where(AuditEvent.action == "proxy.grant")
    assert (event.patient_id, event.actor_id) == (sophie.id, reception.id)
    assert "basis parental" in event.detail


def test_parental_access_to_a_child_aged_11_to_15_needs_a_competence_assessment(practice, reception, parent):
    twelve = child(practice, date(2014, 1, 1))
    with pytest.raises(DomainError) as refused:
        proxies.decide(reception, twelve.id, decision(parent, competence="  "))
    assert refused.value.field == "competence_assessment"
    assert ProxyLink.select().count() == 0


def test_parental_access_with_a_competence_assessment_is_granted(practice, reception, parent):
    twelve = child(practice, date(2014, 1, 1))
    link = proxies.decide(reception, twelve.id, decision(parent, competence="Gillick assessment by Dr Patel"))
    assert ProxyLink.get_by_id(link.id).competence_assessment == "Gillick assessment by Dr Patel"


def test_parental_access_to_a_young_child_needs_no_competence_assessment(practice, reception, parent):
    six = child(practice, date(2020, 1, 1))
    assert proxies.decide(reception, six.id, decision(parent)).status == "active"


@pytest.mark.parametrize("born", [date(2010, 6, 10), date(1990, 1, 1)], ids=["16-today", "adult"])
def test_parental_access_is_refused_at_16_and_over(practice, reception, parent, born):
    older = child(practice, born)
    with pytest.raises(DomainError, match="under 16") as refused:
        proxies.decide(reception, older.id, decision(parent, competence="Assessed"))
    assert refused.value.field == "basis"


def test_consent_gives_access_to_an_adult(practice, reception, parent):
    grandfather = child(practice, date(1940, 2, 2), name="Arthur")
    assert proxies.decide(reception, grandfather.id, decision(parent, basis="consent")).status == "active"


def test_refusal_is_recorded_with_its_reason_and_no_access(practice, reception, parent):
    sophie = child(practice, date(2020, 1, 1))
    link = proxies.decide(reception, sophie.id, decision(parent, grant=False, prescriptions=True))
    link = ProxyLink.get_by_id(link.id)
    assert (link.status, link.appointments, link.prescriptions, link.reason) == (
        "refused",
        False,
        False,
        "Mother, seen with the child",
    )
    assert scoped_names(parent) == ["Hannah"]


def test_refusal_is_audited(practice, reception, parent):
    sophie = child(practice, date(2020, 1, 1))
    proxies.decide(reception, sophie.id, decision(parent, grant=False))
    [event] = AuditEvent.select().where(AuditEvent.action == "proxy.refuse")
    assert (event.patient_id, event.actor_id, event.role) == (sophie.id, reception.id, "reception")
    assert "Mother, seen with the child" in event.detail


def test_a_proxy_whose_identity_is_not_verified_is_refused(practice, reception):
    unverified = make_online_account(practice)
    with pytest.raises(DomainError, match="identity"):
        proxies.decide(reception, child(practice, date(2020, 1, 1)).id, decision(unverified))


def test_a_proxy_account_of_another_practice_is_not_found(practice, reception):
    stranger = make_registered_account(make_practice())
    with pytest.raises(DomainError, match="No online account"):
        proxies.decide(reception, child(practice, date(2020, 1, 1)).id, decision(stranger))


def test_a_patient_of_another_practice_is_not_found(reception, parent):
    elsewhere = make_patient(make_practice(), date_of_birth=date(2020, 1, 1))
    with pytest.raises(Exception, match="does not exist"):
        proxies.decide(reception, elsewhere.id, decision(parent))


def test_ending_access_removes_the_person_and_is_audited(practice, reception, parent):
    sophie = child(practice, date(2020, 1, 1))
    link = proxies.decide(reception, sophie.id, decision(parent))
    proxies.end(reception, link.id, "Moved away")
    assert scoped_names(parent) == ["Hannah"]
    assert AuditEvent.select().where(AuditEvent.action == "proxy.end").get().detail == "Moved away"


# Scope


def test_scopes_list_myself_first_then_each_person(practice, parent):
    make_proxy_link(parent, child(practice, date(2020, 1, 1)), basis="parental")
    make_proxy_link(parent, child(practice, date(2018, 1, 1), name="Ben"), basis="parental")
    assert scoped_names(parent) == ["Hannah", "Ben", "Sophie"]
    assert [s.is_self for s in proxies.scopes_for(parent)] == [True, False, False]


def test_scope_carries_only_the_granted_services(practice, parent):
    make_proxy_link(parent, child(practice, date(2020, 1, 1)), appointments=False, prescriptions=True)
    sophie = proxies.scopes_for(parent)[1]
    assert (sophie.allows("appointments"), sophie.allows("prescriptions"), sophie.allows("record")) == (
        False,
        True,
        False,
    )


def test_a_link_with_no_service_gives_no_scope(practice, parent):
    make_proxy_link(parent, child(practice, date(2020, 1, 1)), appointments=False)
    assert scoped_names(parent) == ["Hannah"]


def test_a_suspended_account_acts_for_nobody(practice, parent):
    make_proxy_link(parent, child(practice, date(2020, 1, 1)))
    parent.suspended_at = datetime(2026, 6, 1)
    assert proxies.scopes_for(parent) == []


def test_a_proxy_not_registered_here_acts_only_for_others(practice):
    carer = make_registered_account(practice)
    make_proxy_link(carer, child(practice, date(1940, 1, 1), name="Arthur"))
    assert [(s.patient.given_name, s.is_self) for s in proxies.scopes_for(carer)] == [("Arthur", False)]


def test_recorded_end_date_ends_access(practice, parent):
    make_proxy_link(parent, child(practice, date(1940, 1, 1), name="Arthur"), ends_on=TODAY + timedelta(days=3))
    assert scoped_names(parent, TODAY + timedelta(days=2)) == ["Hannah", "Arthur"]
    assert scoped_names(parent, TODAY + timedelta(days=3)) == ["Hannah"]


# The parental cut-off age, moving the clock


def test_parental_access_ends_on_the_16th_birthday(practice, parent, time_machine):
    make_proxy_link(parent, child(practice, date(2010, 7, 1)), basis="parental")
    time_machine.move_to(datetime(2026, 6, 30, 22, 0, tzinfo=UTC), tick=False)  # 23:00 in London, 30 June
    assert scoped_names(parent) == ["Hannah", "Sophie"]
    time_machine.move_to(datetime(2026, 6, 30, 23, 30, tzinfo=UTC), tick=False)  # 00:30 in London, 1 July
    assert scoped_names(parent) == ["Hannah"]


def test_parental_access_ends_at_the_practices_earlier_age(practice, parent, time_machine):
    practice.parental_proxy_end_age = 13
    practice.save()
    make_proxy_link(parent, child(practice, date(2013, 7, 1)), basis="parental")
    time_machine.move_to(datetime(2026, 6, 30, 9, 0, tzinfo=UTC), tick=False)
    assert scoped_names(parent) == ["Hannah", "Sophie"]
    time_machine.move_to(datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False)
    assert scoped_names(parent) == ["Hannah"]


def test_a_later_practice_age_cannot_stretch_parental_access_past_16(practice, parent, time_machine):
    practice.parental_proxy_end_age = 18
    practice.save()
    make_proxy_link(parent, child(practice, date(2010, 7, 1)), basis="parental")
    time_machine.move_to(datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False)
    assert scoped_names(parent) == ["Hannah"]


def test_the_cut_off_does_not_touch_other_bases(practice, parent, time_machine):
    make_proxy_link(parent, child(practice, date(2010, 7, 1)), basis="consent")
    time_machine.move_to(datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False)
    assert scoped_names(parent) == ["Hannah", "Sophie"]


def test_a_child_born_on_29_february_reaches_the_age_on_1_march_in_other_years(practice):
    practice.parental_proxy_end_age = 13
    practice.save()
    link = make_proxy_link(make_registered_account(practice), child(practice, date(2012, 2, 29)), basis="parental")
    assert proxies.effective_end(link, link.patient, practice) == date(2025, 3, 1)


# Ending soon


def ending(practice) -> list[tuple[str, date]]:
    return [(link.patient.given_name, ends) for link, ends in proxies.ending_soon(practice.id)]


def test_ending_soon_lists_parental_access_ending_within_30_days(practice, parent):
    make_proxy_link(parent, child(practice, date(2010, 7, 10), name="Thirty"), basis="parental")
    make_proxy_link(parent, child(practice, date(2010, 7, 11), name="ThirtyOne"), basis="parental")
    make_proxy_link(parent, child(practice, date(2010, 6, 11), name="Tomorrow"), basis="parental")
    assert ending(practice) == [("Tomorrow", date(2026, 6, 11)), ("Thirty", date(2026, 7, 10))]


def test_ending_soon_follows_the_practice_age(practice, parent):
    practice.parental_proxy_end_age = 13
    practice.save()
    make_proxy_link(parent, child(practice, date(2013, 6, 20)), basis="parental")
    assert ending(practice) == [("Sophie", date(2026, 6, 20))]


def test_ending_soon_includes_recorded_end_dates(practice, parent):
    make_proxy_link(parent, child(practice, date(1940, 1, 1), name="Arthur"), ends_on=date(2026, 6, 25))
    assert ending(practice) == [("Arthur", date(2026, 6, 25))]


def test_ending_soon_leaves_out_refused_ended_and_other_practices_links(practice, parent):
    make_proxy_link(parent, child(practice, date(2010, 6, 20), name="Refused"), basis="parental", status="refused")
    make_proxy_link(parent, child(practice, date(2010, 6, 21), name="Ended"), basis="parental", status="ended")
    other = make_practice()
    make_proxy_link(make_registered_account(other), child(other, date(2010, 6, 22), name="Elsewhere"), basis="parental")
    assert ending(practice) == []
