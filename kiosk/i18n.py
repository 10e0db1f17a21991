"""Which language a page is in, and the choices that set it.

- Kiosk screens: the language tapped on the start screen, kept in the kiosk's session until the screen goes idle or
  the check-in is done (then English again, for the next person).
- Patient pages: the visitor's own choice, kept for the visit in a browser-session cookie; else the browser's
  Accept-Language among the languages we ship. On a kiosk device the kiosk's choice instead: a cookie would outlive
  the person at a shared screen.
- Staff pages and the calling display: always English.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, request, session
from flask_babel import Babel, get_locale

from kiosk.clock import utcnow


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in its own language and script
    html_lang: str
    direction: str = "ltr"


LANGUAGES = (
    Language("en", "English", "en-GB"),
    Language("cy", "Cymraeg", "cy"),
    Language("pl", "Polski", "pl"),
    Language("ro", "Română", "ro"),
    Language("ur", "اردو", "ur", "rtl"),
    Language("bn", "বাংলা", "bn"),
)
BY_CODE = {language.code: language for language in LANGUAGES}
DEFAULT = "en"
COOKIE = "language"
KIOSK_KEY = "kiosk_choice"  # in the kiosk's session: {"code", "large", "at", "done"}


def audience() -> str:
    """Whose page this is, by its address: the same rule for a page, a fragment and an error page."""
    path = request.path
    if path.startswith(("/staff", "/display")):
        return "staff"
    if path.startswith("/kiosk") or g.get("kiosk") is not None:
        return "kiosk"
    return "patient"


def _kiosk_choice() -> dict | None:
    """The kiosk's language and text size while the screen is still in use by the person who chose them."""
    if "kiosk_choice" in g:
        return g.kiosk_choice
    chosen = session.get(KIOSK_KEY)
    live = None
    if chosen and chosen.get("code") in BY_CODE and g.get("kiosk") is not None:
        idle = timedelta(seconds=g.kiosk.practice.kiosk_idle_seconds)
        if utcnow() - datetime.fromisoformat(chosen["at"]) <= idle:
            live = chosen
    g.kiosk_choice = live
    return live


def select_locale() -> str:
    kind = audience()
    if kind == "staff":
        return DEFAULT
    if kind == "kiosk":
        return (_kiosk_choice() or {}).get("code", DEFAULT)
    chosen = request.cookies.get(COOKIE)
    if chosen in BY_CODE:
        return chosen
    return request.accept_languages.best_match([language.code for language in LANGUAGES], default=DEFAULT)


def _keep(**changes) -> None:
    chosen = {"code": DEFAULT, "large": False, "done": False, **(_kiosk_choice() or {}), **changes}
    chosen["at"] = utcnow().isoformat()
    session[KIOSK_KEY] = chosen
    g.kiosk_choice = chosen


def choose_on_kiosk(code: str) -> None:
    _keep(code=code, done=False)


def set_kiosk_large_text(on: bool) -> None:
    _keep(large=on)


def kiosk_large_text() -> bool:
    return audience() == "kiosk" and bool((_kiosk_choice() or {}).get("large"))


def touch_kiosk_choice() -> None:
    """The kiosk is in use: its choices last another idle period."""
    if _kiosk_choice():
        _keep()


def end_kiosk_choice_after_this_screen() -> None:
    """The check-in is done: this screen stays as chosen, the next start screen is English and normal size."""
    if _kiosk_choice():
        _keep(done=True)


def reset_kiosk_choice(*, unless_kept: bool = False) -> None:
    """Back to English and normal text for the next person. With `unless_kept`, the same person starting again keeps
    their choices (a choice that has gone idle, or whose check-in is done, is dropped all the same)."""
    chosen = _kiosk_choice()
    if chosen and unless_kept and not chosen.get("done"):
        return
    session.pop(KIOSK_KEY, None)
    g.kiosk_choice = None


def kiosk_choice_is_active() -> bool:
    return _kiosk_choice() is not None


def current() -> Language:
    return BY_CODE.get(str(get_locale()), BY_CODE[DEFAULT])


def _vary(response):
    # A page's words depend on these as well as on the address. Pages are no-store anyway; Vary keeps any cache
    # that ignores that (or a future cached page) from handing one visitor's language to the next.
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        response.headers.setdefault("Content-Language", current().html_lang)
    return response


def register(app) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/London")
    Babel(app, locale_selector=select_locale)
    app.after_request(_vary)

    @app.context_processor
    def _language():
        return {
            "language": current(),
            "languages": LANGUAGES,
            "language_audience": audience(),
            "large_text": kiosk_large_text(),
        }


def cookie_options() -> dict:
    """A cookie for the visit only (no expiry), which no script needs to read."""
    return {"httponly": True, "samesite": "Lax", "secure": bool(current_app.config.get("HTTPS"))}
