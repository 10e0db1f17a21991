"""Uptake (R10): patients registered for at least one online service, against the 10% commitment."""

import csv
import io
from dataclasses import dataclass

from peewee import JOIN, fn

from kiosk.models import VERIFICATION_METHODS, IdentityCheck, OnlineAccount, Patient

TARGET_PERCENT = 10


@dataclass(frozen=True)
class Uptake:
    list_size: int
    registered: int
    by_service: list[tuple[str, int]]
    by_method: list[tuple[str, int]]

    @property
    def percent(self) -> float:
        return 100 * self.registered / self.list_size if self.list_size else 0.0

    @property
    def meets_target(self) -> bool:
        return self.percent >= TARGET_PERCENT


def registered_accounts(practice_id: int, on_list=None):
    """The one definition of 'registered for online services' (R10), for this report and for the kiosk's offer:
    a patient on the list who has completed registration, is not suspended, and has a service on."""
    # The list is the patients still here: those who left or died count in neither the list nor the registered.
    on_list = on_list if on_list is not None else Patient.for_practice(practice_id).where(Patient.left_on.is_null())
    any_service = (OnlineAccount.appointments | OnlineAccount.prescriptions) | (OnlineAccount.record_level != "none")
    return OnlineAccount.for_practice(practice_id).where(
        OnlineAccount.patient.in_(on_list.select(Patient.id))
        & OnlineAccount.registered_at.is_null(False)
        & OnlineAccount.suspended_at.is_null()
        & any_service
    )


def uptake(practice_id: int) -> Uptake:
    """'Registered' as registered_accounts says."""
    on_list = Patient.for_practice(practice_id).where(Patient.left_on.is_null())
    registered = registered_accounts(practice_id, on_list)
    by_service = [
        ("Appointments", registered.where(OnlineAccount.appointments).count()),
        ("Repeat prescriptions", registered.where(OnlineAccount.prescriptions).count()),
        ("Record access (any level)", registered.where(OnlineAccount.record_level != "none").count()),
    ]
    latest = (
        IdentityCheck.select(IdentityCheck.account, fn.MAX(IdentityCheck.id).alias("last"))
        .where(IdentityCheck.practice == practice_id)
        .group_by(IdentityCheck.account)
    )
    methods = dict(
        registered.select(IdentityCheck.method, fn.COUNT(OnlineAccount.id))
        .join(latest, JOIN.LEFT_OUTER, on=(latest.c.account_id == OnlineAccount.id))
        .join(IdentityCheck, JOIN.LEFT_OUTER, on=(IdentityCheck.id == latest.c.last))
        .group_by(IdentityCheck.method)
        .tuples()
    )
    by_method = [(label, methods.get(key, 0)) for key, label in VERIFICATION_METHODS.items()]
    return Uptake(on_list.count(), registered.count(), by_service, by_method)


def csv_cell(value) -> str:
    """Spreadsheets run cells that begin with = + - @ as formulas: prefix them so they stay text."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def uptake_csv(report: Uptake, practice_name: str, signups=None) -> str:
    """The report as CSV; `signups` is (start, end, counts) for the kiosk sign-up rows."""
    out = io.StringIO()
    writer = csv.writer(out)
    rows = [
        ["Practice", practice_name],
        ["Patients on the list", report.list_size],
        ["Registered for at least one online service", report.registered],
        ["Percentage", f"{report.percent:.1f}"],
        ["Target percentage", TARGET_PERCENT],
        [],
        ["Service", "Patients"],
        *report.by_service,
        [],
        ["Identity verification method", "Patients"],
        *report.by_method,
    ]
    if signups is not None:
        start, end, counts = signups
        period = f"{start:%d/%m/%Y} to {end:%d/%m/%Y}"
        rows += [
            [],
            ["Kiosk sign-up", period],
            ["Asked for a registration letter at the kiosk", counts.requests],
            ["Requests turned into a registration letter", counts.conversions],
        ]
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue()
