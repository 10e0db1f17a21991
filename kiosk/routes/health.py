from flask import Blueprint

from kiosk.access import public
from kiosk.db import database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    try:
        database.execute_sql("SELECT 1")
    except Exception:  # any failure to reach the database means unhealthy
        return {"status": "database unreachable"}, 503
    return {"status": "ok"}
