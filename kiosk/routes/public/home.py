from flask import Blueprint

from kiosk.access import public
from kiosk.rendering import render

bp = Blueprint("home", __name__)


@bp.get("/")
@public
def index():
    return render("public/home.html")
