"""The waiting-room kiosk's check-in screens, on an enrolled device, with no sign-in."""

from kiosk.routes.checkin import screens

BLUEPRINTS = (screens.bp,)
