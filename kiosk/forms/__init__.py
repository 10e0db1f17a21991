from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """A button that changes something: nothing to fill in but the CSRF token."""
