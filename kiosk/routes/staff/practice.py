"""The practice manager's index: one list of what a manager looks after, each line a link to its own area."""

from flask import Blueprint

from kiosk.access import staff_required
from kiosk.rendering import render
from kiosk.roles import MANAGERS

bp = Blueprint("practice", __name__, url_prefix="/practice")


@bp.get("/")
@staff_required(*MANAGERS)
def index():
    return render("staff/practice/index.html")
