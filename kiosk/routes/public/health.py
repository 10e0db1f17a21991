from flask import Blueprint, g

from kiosk import faults
from kiosk.access import public
from kiosk.db import database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@public
def healthz():
    try:
        database.execute_sql("SELECT 1")
    except Exception as e:  # any failure to reach the database means unhealthy
        g.database_failed = True  # its connection is closed, not pooled: the next check connects afresh
        return {"status": "disk full" if faults.is_disk_full(e) else "database unreachable"}, 503
    if faults.storage_full():
        return {"status": "disk full"}, 503
    return {"status": "ok"}
