"""Proxy access (R7): who a signed-in person may act for, and within what scope."""

from dataclasses import dataclass
from datetime import date, timedelta

from peewee import IntegrityError

from kiosk.actor import Actor
from kiosk.clock import local_today
from kiosk.db import database
from kiosk.models import RECORD_ORDER, OnlineAccount, Patient, Practice, ProxyLink
from kiosk.services import DomainError
from kiosk.services.audit import append
from kiosk.services.online_access import latest_identity_check, normalise_code

SERVICES = ("appointments", "prescriptions", "record")


@dataclass(frozen=True)
class Scope:
    """One person the signed-in account may act for, and what they may do there."""

    patient: Patient
    is_self: bool
    appointments: bool
    prescriptions: bool
    record_level: str
    basis: str = ""

    def allows(self, service: str) -> bool:
        if service == "record":
            return self.record_level != "none"
        return bool(getattr(self, service))

    @property
    def any_service(self) -> bool:
        return any(self.allows(s) for s in SERVICES)


def birthday(born: date, age: int) -> date:
    try:
        return born.replace(year=born.year + age)
    except ValueError:  # born on 29 February
        return date(born.year + age, 3, 1)


def effective_end(link: ProxyLink, patient: Patient, practice: Practice) -> date | None:
    """The day access stops: the recorded end date, or for parental access the child's cut-off birthday if sooner."""
    ends = link.ends_on
    if link.basis == "parental":
        cutoff = birthday(patient.date_of_birth, min(practice.parental_proxy_end_age, 16))
        ends = min(ends, cutoff) if ends else cutoff
    return ends


def scopes_for(account: OnlineAccount, today: date | None = None) -> list[Scope]:
    """Everyone this account may act for today, themselves first. A suspended account may act for nobody."""
    if account.is_suspended:
        return []
    today = today or local_today()
    practice = account.practice
    scopes = []
    if account.patient_id is not None:
        scopes.append(Scope(account.patient, True, account.appointments, account.prescriptions, account.record_level))
    links = (
        ProxyLink.select(ProxyLink, Patient)
        .join(Patient)
        .where((ProxyLink.proxy == account.id) & (ProxyLink.status == "active"))
        .order_by(Patient.given_name)
    )
    for link in links:
        ends = effective_end(link, link.patient, practice)
        if ends is not None and today >= ends:
            continue
        scopes.append(Scope(link.patient, False, link.appointments, link.prescriptions, link.record_level, link.basis))
    return [s for s in scopes if s.any_service or s.is_self]


@dataclass(frozen=True)
class ProxyDecision:
    proxy_account_id: str
    basis: str
    competence_assessment: str
    appointments: bool
    prescriptions: bool
    record_level: str
    ends_on: date | None
    grant: bool
    reason: str


def decide(actor: Actor, patient_id: int, decision: ProxyDecision) -> ProxyLink:
    """Grant or refuse proxy access. Either way the decision, its basis and reason are kept and audited."""
    patient = Patient.get_in_practice(actor.practice_id, patient_id)
    proxy = (
        OnlineAccount.for_practice(actor.practice_id)
        .where(OnlineAccount.account_id == normalise_code(decision.proxy_account_id))
        .first()
    )
    if proxy is None:
        raise DomainError("No online account at this practice has that Account ID", field="proxy_account_id")
    if proxy.patient_id == patient.id:
        raise DomainError("A patient cannot be their own proxy", field="proxy_account_id")
    if decision.grant:
        if patient.has_left:
            raise DomainError("This patient is no longer registered at the practice", field="proxy_account_id")
        if proxy.patient_id is not None and proxy.patient.has_left:
            raise DomainError("The proxy is no longer registered at the practice", field="proxy_account_id")
        if latest_identity_check(proxy) is None:
            raise DomainError("Verify the proxy’s identity on their account first", field="proxy_account_id")
        age = _age(patient.date_of_birth, local_today())
        if decision.basis == "parental" and age >= 16:
            raise DomainError("Parental responsibility gives proxy access only for a child under 16", field="basis")
        if decision.basis == "parental" and 11 <= age < 16 and not decision.competence_assessment.strip():
            raise DomainError(
                "Record the competence assessment for a child aged 11 to 15", field="competence_assessment"
            )
        if decision.record_level not in RECORD_ORDER:
            raise DomainError("Choose a record access level", field="record_level")
    try:
        with database.atomic():
            link = ProxyLink.create(
                practice=actor.practice_id,
                proxy=proxy,
                patient=patient,
                basis=decision.basis,
                competence_assessment=decision.competence_assessment.strip(),
                appointments=decision.grant and decision.appointments,
                prescriptions=decision.grant and decision.prescriptions,
                record_level=decision.record_level if decision.grant else "none",
                ends_on=decision.ends_on,
                status="active" if decision.grant else "refused",
                reason=decision.reason.strip(),
                decided_by=actor.id,
            )
            append(
                actor,
                "proxy.grant" if decision.grant else "proxy.refuse",
                patient_id=patient.id,
                obj=link,
                detail=f"proxy account {proxy.id}; basis {decision.basis}; {decision.reason.strip()}",
            )
    except IntegrityError:
        raise DomainError(
            "This person already has proxy access for this patient: end it first", field="proxy_account_id"
        ) from None
    return link


def end(actor: Actor, link_id: int, reason: str) -> ProxyLink:
    with database.atomic():
        link = ProxyLink.get_in_practice(actor.practice_id, link_id)
        if link.status == "active":
            link.status = "ended"
            link.reason = (link.reason + "\n" if link.reason else "") + f"Ended: {reason.strip()}"
            link.save()
            append(actor, "proxy.end", patient_id=link.patient_id, obj=link, detail=reason.strip())
    return link


def ending_soon(practice_id: int, days: int = 30) -> list[tuple[ProxyLink, date]]:
    """Active proxy links whose access ends in the next `days` days, soonest first, so notice can be given."""
    today = local_today()
    practice = Practice.get_by_id(practice_id)
    links = (
        ProxyLink.select(ProxyLink, Patient, OnlineAccount)
        .join(Patient)
        .switch(ProxyLink)
        .join(OnlineAccount)
        .where((ProxyLink.practice == practice_id) & (ProxyLink.status == "active"))
    )
    rows = []
    for link in links:
        ends = effective_end(link, link.patient, practice)
        if ends is not None and today <= ends <= today + timedelta(days=days):
            rows.append((link, ends))
    return sorted(rows, key=lambda row: row[1])


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
