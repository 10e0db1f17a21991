"""Response headers every answer carries."""

from flask import current_app

CSP = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # data: for the icon, which is inline (kiosk/assets.py) so that a first visit needs no request for it; an
        # image can run no script, and without an icon link browsers fetch /favicon.ico on every first visit.
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)

NO_STORE = "no-store, no-cache, private"


def add_security_headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "no-referrer")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    h.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if current_app.config.get("HTTPS"):
        # Behind HTTPS, browsers must never try plain http again: a first request over http could be intercepted.
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if response.mimetype in ("text/html", "text/csv") and "Cache-Control" not in h:
        # Pages may show personal data: never kept in a cache, shared kiosk and shared PC included. no-store alone
        # is not enough for every browser: lynx still shows its stored copy unless told no-cache too.
        h["Cache-Control"] = NO_STORE
    return response
