"""Reception's list of patients who asked at the kiosk for online access, each a step from the identity check and
the registration letter. The desk's work (R1): clinicians neither see the list nor the arrivals marker."""

from flask import Blueprint

from kiosk.access import current_actor, staff_required
from kiosk.forms import ActionForm
from kiosk.rendering import render
from kiosk.roles import DESK
from kiosk.services import signup

bp = Blueprint("signup", __name__, url_prefix="/online-requests")
CONVERTED_DAYS = 14  # converted requests stay on the list this long, so reception can see what was done


@bp.get("/")
@staff_required(*DESK)
def index():
    return render(
        "staff/signup/index.html",
        requests=signup.requests_list(current_actor(), days=CONVERTED_DAYS),
        converted_days=CONVERTED_DAYS,
        action_form=ActionForm(),
    )
