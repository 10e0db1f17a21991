"""The waiting room's devices, with no sign-in: the kiosk's check-in screens and the calling display."""

from kiosk.routes.checkin import display, screens

BLUEPRINTS = (screens.bp, display.bp)
