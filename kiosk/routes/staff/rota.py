"""The rota: every member of staff can read it; managers change templates and closures; reception and managers
generate the diary from it."""

from flask import Blueprint, abort, flash, redirect, request, url_for

from kiosk.access import current_actor, staff_required
from kiosk.forms import ActionForm
from kiosk.forms.base import attach_error
from kiosk.forms.rota import ClosureForm, GenerateForm, RotaSessionForm, TemplateEditForm, TemplateForm
from kiosk.models import SLOT_KINDS, Closure, RotaSession, RotaTemplate
from kiosk.rendering import render, render_form_errors
from kiosk.roles import DESK, MANAGERS
from kiosk.services import DomainError, clinicians, rota

bp = Blueprint("rota", __name__, url_prefix="/rota")


@bp.context_processor
def _labels():
    return {"kinds": SLOT_KINDS, "slot_count": rota.slot_count, "unused_minutes": rota.unused_minutes}


def _can_change() -> bool:
    return current_actor().role in MANAGERS


def _template(template_id: int) -> rota.TemplateView:
    try:
        return rota.template(current_actor().practice_id, template_id)
    except RotaTemplate.DoesNotExist:
        abort(404)


def _closure(closure_id: int) -> Closure:
    try:
        return rota.closure(current_actor().practice_id, closure_id)
    except Closure.DoesNotExist:
        abort(404)


def _active_choices() -> list[tuple[int, str]]:
    rows = clinicians.listing(current_actor().practice_id)
    return [(r.clinician.id, r.clinician.staff_label) for r in rows if r.clinician.active]


@bp.get("/")
@staff_required()
def index():
    return render(
        "staff/rota/index.html",
        views=rota.templates(current_actor().practice_id),
        can_change=_can_change(),
        can_generate=current_actor().role in DESK,
    )


@bp.route("/new", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def new():
    form = TemplateForm()
    form.clinician.offer(_active_choices())
    if request.method == "GET":
        form.clinician.data = request.args.get("clinician", type=int)
    if form.validate_on_submit():
        try:
            made = rota.add_template(
                current_actor(),
                clinician_id=form.clinician.data,
                room=form.room.data or "",
                starts_on=form.starts_on.value,
                ends_on=form.ends_on.value,
            )
        except DomainError as e:
            attach_error(form, e)
            return render_form_errors("staff/rota/form.html", form, view=None)
        flash("Rota added. Now add its weekly sessions.")
        return redirect(url_for(".show", template_id=made.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/rota/form.html", form, view=None)
    return render("staff/rota/form.html", form=form, view=None)


@bp.get("/<int:template_id>")
@staff_required()
def show(template_id: int):
    return render(
        "staff/rota/template.html", view=_template(template_id), can_change=_can_change(), action_form=ActionForm()
    )


@bp.route("/<int:template_id>/edit", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def edit(template_id: int):
    view = _template(template_id)
    form = TemplateEditForm()
    if request.method == "GET":
        form.room.data = view.template.room
        form.starts_on.data = view.template.starts_on.isoformat()
        form.ends_on.data = view.template.ends_on.isoformat() if view.template.ends_on else ""
    if form.validate_on_submit():
        try:
            rota.edit_template(
                current_actor(),
                view.template.id,
                room=form.room.data or "",
                starts_on=form.starts_on.value,
                ends_on=form.ends_on.value,
            )
        except DomainError as e:
            attach_error(form, e)
            return render_form_errors("staff/rota/form.html", form, view=view)
        flash("Rota saved. Generate the diary to bring its free slots up to date.")
        return redirect(url_for(".show", template_id=view.template.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/rota/form.html", form, view=view)
    return render("staff/rota/form.html", form=form, view=view)


@bp.route("/<int:template_id>/sessions/new", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def new_session(template_id: int):
    view = _template(template_id)
    form = RotaSessionForm()
    if form.validate_on_submit():
        try:
            rota.add_session(
                current_actor(),
                view.template.id,
                weekday=form.weekday.data,
                starts=form.starts.value,
                ends=form.ends.value,
                length_minutes=form.length.data,
                kind=form.kind.data,
                released_online=form.release.data == "online",
            )
        except DomainError as e:
            attach_error(form, e)
            return render_form_errors("staff/rota/session_new.html", form, view=view)
        flash("Session added. Generate the diary to make its slots.")
        return redirect(url_for(".show", template_id=view.template.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/rota/session_new.html", form, view=view)
    return render("staff/rota/session_new.html", form=form, view=view)


@bp.post("/<int:template_id>/sessions/<int:session_id>/remove")
@staff_required(*MANAGERS)
def remove_session(template_id: int, session_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        removed = rota.remove_session(current_actor(), template_id, session_id)
    except (RotaTemplate.DoesNotExist, RotaSession.DoesNotExist):
        abort(404)
    flash(
        f"{removed.weekday_label} {removed.times_label} removed. Generating the diary takes its free slots out; "
        "booked ones stay and are listed to move."
    )
    return redirect(url_for(".show", template_id=template_id), 303)


@bp.route("/generate", methods=["GET", "POST"])
@staff_required(*DESK)
def generate():
    form = GenerateForm()
    if request.method == "GET":
        form.weeks.data = request.args.get("weeks", type=int) or 4
    weeks = form.weeks.data if isinstance(form.weeks.data, int) and 1 <= form.weeks.data <= rota.MAX_WEEKS else 4
    if form.validate_on_submit():
        try:
            done = rota.generate(current_actor(), form.weeks.data)
        except DomainError as e:
            attach_error(form, e)
            return render_form_errors("staff/rota/generate.html", form, misfits=[], weeks=weeks)
        flash(
            f"Diary generated to {done.last_day:%A %-d %B %Y}: {done.created} slots added, {done.changed} changed, "
            f"{done.removed} removed"
        )
        return redirect(url_for(".generate", weeks=form.weeks.data), 303)
    misfits = rota.misfits(current_actor().practice_id, weeks)
    if form.is_submitted():
        return render_form_errors("staff/rota/generate.html", form, misfits=misfits, weeks=weeks)
    return render("staff/rota/generate.html", form=form, misfits=misfits, weeks=weeks)


@bp.get("/closures/")
@staff_required()
def closures():
    found = rota.closures(current_actor().practice_id)
    return render("staff/rota/closures.html", closures=found, can_change=_can_change())


@bp.route("/closures/new", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def new_closure():
    form = ClosureForm()
    form.who.offer([("all", "The whole practice"), *((str(i), name) for i, name in _active_choices())])
    if form.validate_on_submit():
        try:
            made, removed = rota.add_closure(
                current_actor(),
                clinician_id=None if form.who.data == "all" else int(form.who.data),
                day=form.day.value,
                starts=form.starts.value,
                ends=form.ends.value,
                reason=form.reason.data,
            )
        except DomainError as e:
            attach_error(form, e)
            return render_form_errors("staff/rota/closures_new.html", form)
        flash(f"Closure added; {removed} free slot{'' if removed == 1 else 's'} removed from the diary")
        return redirect(url_for(".closure", closure_id=made.id), 303)
    if form.is_submitted():
        return render_form_errors("staff/rota/closures_new.html", form)
    return render("staff/rota/closures_new.html", form=form)


@bp.get("/closures/<int:closure_id>")
@staff_required()
def closure(closure_id: int):
    found = _closure(closure_id)
    return render(
        "staff/rota/closures_show.html",
        closure=found,
        bookings=rota.closure_bookings(current_actor().practice_id, found),
        can_change=_can_change(),
        action_form=ActionForm(),
    )


@bp.post("/closures/<int:closure_id>/remove")
@staff_required(*MANAGERS)
def remove_closure(closure_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        rota.remove_closure(current_actor(), closure_id)
    except Closure.DoesNotExist:
        abort(404)
    flash("Closure removed. Generate the diary to put its slots back.")
    return redirect(url_for(".closures"), 303)
