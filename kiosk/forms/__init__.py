from kiosk.forms.base import KioskForm


class ActionForm(KioskForm):
    """A button that changes something: nothing to fill in but the CSRF token."""
