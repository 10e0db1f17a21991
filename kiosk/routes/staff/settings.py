from flask import Blueprint, abort, flash, redirect, url_for

from kiosk.access import current_actor, staff_required
from kiosk.forms.practice_settings import LettersFromForm, form_for
from kiosk.rendering import render, render_form_errors
from kiosk.roles import MANAGERS
from kiosk.services import DomainError, practice_settings

bp = Blueprint("settings", __name__, url_prefix="/practice/settings")


@bp.get("/")
@staff_required(*MANAGERS)
def index():
    return render("staff/settings/index.html", groups=practice_settings.summary(current_actor().practice_id))


@bp.route("/<slug>", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def edit(slug: str):
    try:
        group = practice_settings.group(slug)
    except KeyError:
        abort(404)
    actor = current_actor()
    practice = practice_settings.practice_settings(actor.practice_id)
    form = form_for(group)
    template = "staff/settings/letters.html" if isinstance(form, LettersFromForm) else "staff/settings/group.html"
    context = {"group": group, "practice": practice}
    if form.validate_on_submit():
        if isinstance(form, LettersFromForm) and form.confirmed.data != "1" and form.value != practice.letters_from:
            # Nothing is saved until the manager has seen how many letters the new date shows or hides.
            effect = practice_settings.letters_effect(practice.id, form.value)
            return render("staff/settings/letters_check.html", form=form, effect=effect, **context)
        try:
            changes = practice_settings.save(actor, practice.id, slug, form.values())
        except DomainError as e:
            _show_refusal(form, e)
            return render_form_errors(template, form, **context)
        flash(_saved_message(group.title, len(changes)))
        return redirect(url_for(".index"), 303)
    if form.is_submitted():
        return render_form_errors(template, form, **context)
    form.fill(practice)
    return render(template, form=form, **context)


def _show_refusal(form, error: DomainError) -> None:
    # The letters-from date is three boxes: its message goes with the first, as the date component shows it.
    field = getattr(form, error.field or "", None) or getattr(form, f"{error.field}_day", None)
    (field.errors if field is not None else form.form_errors).append(error.message)


def _saved_message(title: str, changed: int) -> str:
    if not changed:
        return f"{title}: nothing was changed"
    return f"{title}: {changed} setting{'' if changed == 1 else 's'} saved"
