from datetime import timedelta

from flask import Blueprint, Response, abort, request

from kiosk.access import current_actor, staff_required
from kiosk.clock import local_today
from kiosk.forms.reports import UptakePeriodForm
from kiosk.models import Practice
from kiosk.rendering import render, render_form_errors
from kiosk.roles import MANAGERS
from kiosk.services import reports, signup

bp = Blueprint("reports", __name__, url_prefix="/reports")
DEFAULT_PERIOD_DAYS = 30


def _period(form: UptakePeriodForm):
    """The chosen period, by default the last 30 days up to today."""
    end = getattr(form.date_to, "value", None) or local_today()
    start = getattr(form.date_from, "value", None) or min(end, local_today()) - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    return min(start, end), end


@bp.get("/uptake")
@staff_required(*MANAGERS)
def uptake():
    practice_id = current_actor().practice_id
    form = UptakePeriodForm(request.args)
    context = {"report": reports.uptake(practice_id), "target": reports.TARGET_PERCENT}
    if not form.validate():
        return render_form_errors("staff/reports/uptake.html", form, signups=None, status=400, **context)
    start, end = _period(form)
    if not form.date_from.data and not form.date_to.data:
        form.date_from.data, form.date_to.data = start.strftime("%d/%m/%Y"), end.strftime("%d/%m/%Y")
    signups = signup.counts(practice_id, start, end)
    return render("staff/reports/uptake.html", form=form, signups=signups, start=start, end=end, **context)


@bp.get("/uptake.csv")
@staff_required(*MANAGERS)
def uptake_csv():
    practice = Practice.get_by_id(current_actor().practice_id)
    form = UptakePeriodForm(request.args)
    if not form.validate():
        abort(400)
    start, end = _period(form)
    body = reports.uptake_csv(
        reports.uptake(practice.id), practice.name, signups=(start, end, signup.counts(practice.id, start, end))
    )
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="uptake-{practice.ods_code}.csv"'},
    )
