from wtforms import HiddenField, StringField
from wtforms.validators import AnyOf

from kiosk.forms.base import KioskForm
from kiosk.forms.fields import MaxLength
from kiosk.i18n import BY_CODE


class LanguageForm(KioskForm):
    # Submitted by one of the language buttons named "language".
    language = StringField("Language", validators=[MaxLength(2), AnyOf(list(BY_CODE), "Choose a language")])
    next = HiddenField("Page", validators=[MaxLength(2000)])
