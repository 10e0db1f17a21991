from flask import Blueprint, abort, flash, redirect, url_for

from kiosk.access import current_actor, staff_required
from kiosk.forms import ActionForm
from kiosk.forms.staff import StaffAccountForm
from kiosk.models import StaffUser
from kiosk.rendering import render, render_form_errors
from kiosk.services import DomainError, staff_accounts

bp = Blueprint("staff_accounts", __name__, url_prefix="/staff/accounts")


@bp.get("/")
@staff_required("manager")
def index():
    accounts = StaffUser.for_practice(current_actor().practice_id).order_by(StaffUser.name)
    return render("staff/accounts.html", accounts=accounts, action_form=ActionForm())


@bp.route("/new", methods=["GET", "POST"])
@staff_required("manager")
def new():
    form = StaffAccountForm()
    if form.validate_on_submit():
        try:
            staff = staff_accounts.create(
                current_actor(),
                name=form.name.data,
                email=form.email.data,
                role=form.role.data,
                password=form.password.data,
            )
        except DomainError as e:
            getattr(form, e.field).errors.append(e.message)
            return render_form_errors("staff/account_new.html", form)
        flash(f"Account created for {staff.name}")
        return redirect(url_for(".index"), 303)
    if form.is_submitted():
        return render_form_errors("staff/account_new.html", form)
    return render("staff/account_new.html", form=form)


@bp.post("/<int:staff_id>/<any(disable, enable):change>")
@staff_required("manager")
def set_disabled(staff_id: int, change: str):
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        staff = staff_accounts.set_disabled(current_actor(), staff_id, disabled=change == "disable")
    except StaffUser.DoesNotExist:
        abort(404)
    except DomainError as e:
        flash(e.message, "error")
        return redirect(url_for(".index"), 303)
    flash(f"{staff.name}'s account is {'disabled' if staff.disabled_at else 'enabled'}")
    return redirect(url_for(".index"), 303)
