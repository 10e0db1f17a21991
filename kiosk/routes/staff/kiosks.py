from flask import Blueprint, abort, current_app, flash, g, redirect, url_for

from kiosk.access import current_actor, kiosk_cookie_name, staff_required
from kiosk.forms import ActionForm
from kiosk.forms.staff import DisplayEnrolForm, KioskEnrolForm
from kiosk.models import Kiosk
from kiosk.models.devices import DISPLAY
from kiosk.rendering import render, render_form_errors
from kiosk.roles import DESK
from kiosk.services import devices

bp = Blueprint("kiosks", __name__, url_prefix="/kiosks")
DEVICE_COOKIE_AGE = 365 * 24 * 3600


def _page(form=None, display_form=None, **extra):
    kiosks = devices.active_kiosks(current_actor().practice_id)
    return dict(
        form=form or KioskEnrolForm(),
        display_form=display_form or DisplayEnrolForm(),
        kiosks=kiosks,
        this_device=g.get("kiosk") or g.get("display"),
        action_form=ActionForm(),
        **extra,
    )


@bp.get("/")
@staff_required(*DESK)
def index():
    return render("staff/kiosks/index.html", **_page())


@bp.post("/")
@staff_required(*DESK)
def enrol():
    form = KioskEnrolForm()
    if not form.validate_on_submit():
        return render_form_errors("staff/kiosks/index.html", **_page(form=form))
    kiosk, token = devices.enrol(current_actor(), form.name.data)
    flash(f"This device is now the kiosk “{kiosk.name}”. Sign out, then open the check-in screen.")
    return _with_device_cookie(token)


@bp.post("/display")
@staff_required(*DESK)
def enrol_display():
    form = DisplayEnrolForm()
    if not form.validate_on_submit():
        return render_form_errors("staff/kiosks/index.html", status=400, **_page(display_form=form))
    display, token = devices.enrol(current_actor(), form.display_name.data, kind=DISPLAY)
    flash(f"This device is now the calling display “{display.name}”. Sign out, then open the calling screen.")
    return _with_device_cookie(token)


def _with_device_cookie(token: str):
    response = redirect(url_for(".index"), 303)
    response.set_cookie(
        kiosk_cookie_name(),
        token,
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


@bp.post("/<int:kiosk_id>/revoke")
@staff_required(*DESK)
def revoke(kiosk_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        kiosk = devices.revoke(current_actor(), kiosk_id)
    except Kiosk.DoesNotExist:
        abort(404)
    flash(f"Kiosk “{kiosk.name}” can no longer check patients in")
    return redirect(url_for(".index"), 303)
