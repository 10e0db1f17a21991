"""Settings from the environment (KIOSK_* and DATABASE_URL), read in one place."""

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"


def _secret_key() -> str:
    """A stable key per installation: from the environment, else generated once into instance/."""
    if key := os.environ.get("KIOSK_SECRET_KEY"):
        return key
    INSTANCE.mkdir(exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _notify_templates() -> dict:
    """The Notify template id for each message and channel, from NOTIFY_SMS_TEMPLATE_<KEY> / NOTIFY_EMAIL_TEMPLATE_<KEY>
    (README: "Text and email notifications")."""
    from kiosk.services.notifications import TEMPLATES

    found = {}
    for key in TEMPLATES:
        for channel in ("sms", "email"):
            if value := os.environ.get(f"NOTIFY_{channel.upper()}_TEMPLATE_{key.upper()}"):
                found[(channel, key)] = value
    return found


def load() -> dict:
    return {
        "SECRET_KEY": _secret_key(),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'kiosk.sqlite3'}"),
        # Secure cookies whenever the deployment says it is behind HTTPS.
        "SESSION_COOKIE_SECURE": os.environ.get("KIOSK_HTTPS", "0") == "1",
        # __Host- cookies are refused by browsers unless Secure, Path=/ and without Domain: only over HTTPS.
        "SESSION_COOKIE_NAME": "__Host-session" if os.environ.get("KIOSK_HTTPS", "0") == "1" else "session",
        # Sign-out idle times are practice settings (Practice.staff_idle_minutes and the patients' two).
        "HTTPS": os.environ.get("KIOSK_HTTPS", "0") == "1",
        # Sign-in guessing (kiosk/services/lockout.py). Per typed email or Account ID: this many failures in a row are
        # free, then each failure makes it wait a minute, doubling up to the cap; a right password after the wait
        # always works, so nobody can be locked out for longer than the cap.
        "SIGN_IN_FREE_FAILURES": int(os.environ.get("KIOSK_SIGN_IN_FREE_FAILURES", "5")),
        "SIGN_IN_FIRST_DELAY_SECONDS": int(os.environ.get("KIOSK_SIGN_IN_FIRST_DELAY_SECONDS", "60")),
        "SIGN_IN_MAX_DELAY_MINUTES": int(os.environ.get("KIOSK_SIGN_IN_MAX_DELAY_MINUTES", "15")),
        # Per source address, across every account: failed sign-ins and registrations allowed in a minute. Every PC
        # and kiosk of a surgery shares one address, as do phones behind a mobile network's NAT, so this is generous;
        # a practice with more staff raises its own (Practice.source_attempts_per_minute).
        "SOURCE_ATTEMPTS_PER_MINUTE": int(os.environ.get("KIOSK_SOURCE_ATTEMPTS_PER_MINUTE", "30")),
        # Wrong letters (Account ID known, key or date of birth wrong) before the letter's key is cancelled.
        "REGISTRATION_ATTEMPTS_PER_KEY": int(os.environ.get("KIOSK_REGISTRATION_ATTEMPTS_PER_KEY", "5")),
        # argon2 hashes running at once in one worker process; more wait this long, then get 429.
        "HASHING_AT_ONCE": int(os.environ.get("KIOSK_HASHING_AT_ONCE", "2")),
        "HASHING_WAIT_SECONDS": float(os.environ.get("KIOSK_HASHING_WAIT_SECONDS", "2")),
        # Kiosk throttle: this many failed matches inside the window pauses check-in on that device.
        "KIOSK_FAILURES_ALLOWED": int(os.environ.get("KIOSK_FAILURES_ALLOWED", "6")),
        "KIOSK_FAILURE_WINDOW_MINUTES": int(os.environ.get("KIOSK_FAILURE_WINDOW_MINUTES", "10")),
        # Refuse an upload bigger than a letter's attachment allowance before reading it all.
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        # GOV.UK Notify. Without an API key the worker prints each message instead of sending it (the demo).
        "NOTIFY_API_KEY": os.environ.get("NOTIFY_API_KEY", ""),
        "NOTIFY_BASE_URL": os.environ.get("NOTIFY_BASE_URL", ""),
        "NOTIFY_TEMPLATES": _notify_templates(),
        "NOTIFY_BATCH_SIZE": int(os.environ.get("KIOSK_NOTIFY_BATCH_SIZE", "20")),
        "NOTIFY_LEASE_SECONDS": int(os.environ.get("KIOSK_NOTIFY_LEASE_SECONDS", "120")),
        "NOTIFY_MAX_ATTEMPTS": int(os.environ.get("KIOSK_NOTIFY_MAX_ATTEMPTS", "8")),
        "NOTIFY_POLL_SECONDS": float(os.environ.get("KIOSK_NOTIFY_POLL_SECONDS", "5")),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the server-side session
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIMETYPES": ["text/html", "text/csv", "application/json"],
        "COMPRESS_MIN_SIZE": 256,
        "COMPRESS_BR_LEVEL": 5,
    }
