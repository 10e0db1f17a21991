from flask import Blueprint, Response

from kiosk.access import current_actor, staff_required
from kiosk.models import Practice
from kiosk.rendering import render
from kiosk.roles import MANAGERS
from kiosk.services import reports

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.get("/uptake")
@staff_required(*MANAGERS)
def uptake():
    return render(
        "staff/reports/uptake.html", report=reports.uptake(current_actor().practice_id), target=reports.TARGET_PERCENT
    )


@bp.get("/uptake.csv")
@staff_required(*MANAGERS)
def uptake_csv():
    practice = Practice.get_by_id(current_actor().practice_id)
    body = reports.uptake_csv(reports.uptake(practice.id), practice.name)
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="uptake-{practice.ods_code}.csv"'},
    )
