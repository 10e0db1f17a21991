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


def load() -> dict:
    return {
        "SECRET_KEY": _secret_key(),
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{INSTANCE / 'kiosk.sqlite3'}"),
        # Secure cookies whenever the deployment says it is behind HTTPS.
        "SESSION_COOKIE_SECURE": os.environ.get("KIOSK_HTTPS", "0") == "1",
        "STAFF_IDLE_MINUTES": int(os.environ.get("KIOSK_STAFF_IDLE_MINUTES", "30")),
        "PATIENT_IDLE_SECONDS": int(os.environ.get("KIOSK_PATIENT_IDLE_SECONDS", "600")),
        "PATIENT_KIOSK_IDLE_SECONDS": int(os.environ.get("KIOSK_PATIENT_KIOSK_IDLE_SECONDS", "120")),
        "LOCKOUT_ATTEMPTS": 10,
        "LOCKOUT_MINUTES": int(os.environ.get("KIOSK_LOCKOUT_MINUTES", "15")),
        # Kiosk throttle: this many failed matches inside the window pauses check-in on that device.
        "KIOSK_FAILURES_ALLOWED": int(os.environ.get("KIOSK_FAILURES_ALLOWED", "6")),
        "KIOSK_FAILURE_WINDOW_MINUTES": int(os.environ.get("KIOSK_FAILURE_WINDOW_MINUTES", "10")),
        # Refuse an upload bigger than a letter's attachment allowance before reading it all.
        "MAX_CONTENT_LENGTH": 6 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the server-side session
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_MIMETYPES": ["text/html", "text/csv", "application/json"],
        "COMPRESS_MIN_SIZE": 256,
        "COMPRESS_BR_LEVEL": 5,
    }
