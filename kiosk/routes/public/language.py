"""Change language: a patient's choice of language for this visit, from a link on every patient page."""

from flask import Blueprint, abort, g, redirect, request, url_for

from kiosk import i18n
from kiosk.access import public
from kiosk.forms.language import LanguageForm
from kiosk.rendering import render
from kiosk.request_guards import same_site_path

bp = Blueprint("language", __name__)


@bp.get("/language")
@public
def choose():
    back = same_site_path(request.args.get("next"), url_for("home.index"))
    return render("public/language.html", form=LanguageForm(next=back), back=back)


@bp.post("/language")
@public
def chosen():
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    back = same_site_path(form.next.data, url_for("home.index"))
    response = redirect(back, 303)
    if g.get("kiosk") is not None:
        # A shared screen keeps nobody's language in a cookie: it lasts until the kiosk goes idle.
        i18n.choose_on_kiosk(form.language.data)
    else:
        response.set_cookie(i18n.COOKIE, form.language.data, **i18n.cookie_options())
    return response
