"""The waiting room's calling display: ticket numbers and rooms, on a device enrolled as a display.

Nothing here may identify a patient: the page and its fragment carry only the number, the room and the time.
"""

from flask import Blueprint, g

from kiosk.access import display_device_required
from kiosk.rendering import render
from kiosk.services import calling

bp = Blueprint("display", __name__, url_prefix="/display")
REFRESH_SECONDS = 5  # without JavaScript the page reloads itself this often
POLL_SECONDS = 2  # with it, htmx asks for the calls this often, so a call shows within three seconds


@bp.get("/")
@display_device_required
def calls():
    return render(
        "checkin/display.html",
        block="calls",
        calls=calling.recent_calls(g.display.practice_id),
        refresh_seconds=REFRESH_SECONDS,
        poll_seconds=POLL_SECONDS,
    )
