"""Reception, clinicians and the practice manager. One parent blueprint owns the /staff prefix."""

from flask import Blueprint

from kiosk.routes.staff import (
    accounts,
    arrivals,
    audit_log,
    auth,
    clinicians,
    diary,
    gpconnect,
    kiosks,
    password,
    patient_list,
    patients,
    practice,
    prescriptions,
    record,
    reports,
    rota,
    settings,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")
for _area in (
    auth,
    arrivals,
    diary,
    patients,
    patient_list,
    prescriptions,
    record,
    gpconnect,
    accounts,
    password,
    kiosks,
    reports,
    practice,
    settings,
    audit_log,
    clinicians,
    rota,
):
    bp.register_blueprint(_area.bp)

BLUEPRINTS = (bp,)
