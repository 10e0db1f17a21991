from flask import Blueprint, Response, abort, request

from kiosk.access import current_actor, staff_required
from kiosk.forms.audit_log import AuditFilterForm
from kiosk.forms.fields import ID_MAX
from kiosk.models import Patient, StaffUser
from kiosk.rendering import render, render_form_errors
from kiosk.roles import MANAGERS
from kiosk.services import audit_log

bp = Blueprint("audit_log", __name__, url_prefix="/practice/audit")


def _filters(form: AuditFilterForm) -> dict:
    staff = form.staff.data or ""
    if staff and not (staff.isdigit() and int(staff) <= ID_MAX):
        abort(404)  # no member of staff has that id
    return {
        "patient_id": form.patient.data,
        "staff_id": int(staff) if staff else None,
        "action": form.action.data or "",
        "date_from": getattr(form.date_from, "value", None),
        "date_to": getattr(form.date_to, "value", None),
    }


@bp.get("/")
@staff_required(*MANAGERS)
def index():
    actor = current_actor()
    form = AuditFilterForm(request.args)
    form.offer(audit_log.staff_choices(actor.practice_id), audit_log.action_choices(actor.practice_id))
    valid = form.validate()
    if form.page.errors:
        abort(404)  # only a hand-made link asks for page 0 or a page past the bound: no such page
    if not valid:
        return render_form_errors("staff/audit_log/index.html", form, found=None, args={}, any_patient_args={})
    try:
        found = audit_log.search(
            actor, patient_search=form.patient_search.data or "", number=form.page.data or 1, **_filters(form)
        )
    except (Patient.DoesNotExist, StaffUser.DoesNotExist):
        abort(404)
    if found.unmatched:
        form.patient_search.errors.append("No patient matches that search. Try an NHS number or a surname")
        return render_form_errors("staff/audit_log/index.html", form, found=found, args={}, any_patient_args={})
    args = audit_log.link_args(found.criteria)
    any_patient = {k: v for k, v in args.items() if k != "patient"}
    return render("staff/audit_log/index.html", form=form, found=found, args=args, any_patient_args=any_patient)


@bp.get("/export.csv")
@staff_required(*MANAGERS)
def export():
    actor = current_actor()
    form = AuditFilterForm(request.args)
    form.offer([], [])
    if not form.validate():
        abort(400)
    try:
        found = audit_log.search(actor, **_filters(form))
        body = audit_log.export_csv(actor, found.criteria)
    except (Patient.DoesNotExist, StaffUser.DoesNotExist):
        abort(404)
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'})
