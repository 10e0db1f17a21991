from flask import Blueprint, abort, flash, redirect, url_for

from kiosk.access import current_actor, in_practice_or_404, staff_required
from kiosk.forms import ActionForm
from kiosk.forms.base import attach_error
from kiosk.forms.staff import ResetPasswordForm, RoleForm, StaffAccountForm
from kiosk.models import StaffUser
from kiosk.rendering import render, render_form_errors
from kiosk.roles import MANAGERS
from kiosk.services import DomainError, staff_accounts

bp = Blueprint("accounts", __name__, url_prefix="/accounts")


@bp.get("/")
@staff_required(*MANAGERS)
def index():
    accounts = StaffUser.for_practice(current_actor().practice_id).order_by(StaffUser.name)
    return render("staff/accounts/index.html", accounts=accounts, action_form=ActionForm())


@bp.route("/new", methods=["GET", "POST"])
@staff_required(*MANAGERS)
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
            attach_error(form, e)
            return render_form_errors("staff/accounts/new.html", form)
        flash(f"Account created for {staff.name}")
        return redirect(url_for(".index"), 303)
    if form.is_submitted():
        return render_form_errors("staff/accounts/new.html", form)
    return render("staff/accounts/new.html", form=form)


@bp.post("/<int:staff_id>/<any(disable, enable):change>")
@staff_required(*MANAGERS)
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


@bp.route("/<int:staff_id>/password", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def reset_password(staff_id: int):
    member = in_practice_or_404(StaffUser, staff_id)
    if member.id == current_actor().id:
        return redirect(url_for("staff.password.change"), 303)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            staff_accounts.reset_password(current_actor(), member.id, form.password.data)
        except DomainError as e:
            form.password.errors.append(e.message)
            return render_form_errors("staff/accounts/reset_password.html", form, member=member)
        flash(f"{member.name}’s password is reset. They must choose a new one when they next sign in")
        return redirect(url_for(".index"), 303)
    if form.is_submitted():
        return render_form_errors("staff/accounts/reset_password.html", form, member=member)
    return render("staff/accounts/reset_password.html", form=form, member=member)


@bp.route("/<int:staff_id>/role", methods=["GET", "POST"])
@staff_required(*MANAGERS)
def change_role(staff_id: int):
    member = in_practice_or_404(StaffUser, staff_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            changed = staff_accounts.change_role(current_actor(), member.id, form.role.data)
        except DomainError as e:
            form.role.errors.append(e.message)
            return render_form_errors("staff/accounts/role.html", form, member=member)
        flash(f"{changed.name} is now {changed.role_label.lower()}")
        # Someone who stepped down from manager can no longer see the accounts list.
        stepped_down = changed.id == current_actor().id and changed.role != "manager"
        return redirect(url_for("staff.auth.dashboard" if stepped_down else ".index"), 303)
    if form.is_submitted():
        return render_form_errors("staff/accounts/role.html", form, member=member)
    form.role.data = member.role
    return render("staff/accounts/role.html", form=form, member=member)
