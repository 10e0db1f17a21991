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
    my_patients,
    notifications,
    password,
    patient_list,
    patients,
    practice,
    prescriptions,
    record,
    reports,
    rota,
    settings,
    signup,
)

bp = Blueprint("staff", __name__, url_prefix="/staff")
for _area in (
    auth,
    arrivals,
    my_patients,
    diary,
    patients,
    signup,
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
    notifications,
):
    bp.register_blueprint(_area.bp)

BLUEPRINTS = (bp,)
