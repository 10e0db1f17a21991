"""Password hashing (argon2id) and the password policy shared by staff and patients."""

import threading

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from kiosk.translatable import N_, Text

# RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes): above OWASP's minimum (19 MiB, 2 passes).
_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, type=Type.ID)
# A hash to verify against when the account does not exist, so both cases take the same time.
_DUMMY = _hasher.hash("no such account: constant-time filler")


class HashingBusy(Exception):
    """Every hashing slot of this worker is taken: answer 429 rather than let a flood of sign-ins queue up the
    memory-hard hashes and starve every other page of CPU and memory."""

    retry_after = 5


# Sized from config by limit_hashing() at start-up; a default for code that runs without the app.
_slots = threading.BoundedSemaphore(2)
_wait_seconds = 2.0


def limit_hashing(at_once: int, wait_seconds: float) -> None:
    global _slots, _wait_seconds  # noqa: PLW0603 - one bound per process, set once at start-up
    _slots = threading.BoundedSemaphore(at_once)
    _wait_seconds = wait_seconds


def _bounded(work):
    slots = _slots
    if not slots.acquire(timeout=_wait_seconds):
        raise HashingBusy
    try:
        return work()
    finally:
        slots.release()


MIN_LENGTH = 12
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return _bounded(lambda: _hasher.hash(password))


def verify_password(stored_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return _bounded(verify)


def password_problem(password: str, *, context: tuple[str, ...] = ()) -> str | None:
    """Why a new password is refused, or None. Length and guessability, not composition rules (NCSC advice)."""
    if len(password) < MIN_LENGTH:
        return Text("Password must be %(minimum)s characters or more", minimum=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return Text("Password must be %(maximum)s characters or fewer", maximum=MAX_LENGTH)
    # zxcvbn matches against lists of common passwords, names and keyboard patterns. It raises ValueError beyond
    # 72 characters, and a long passphrase's first 72 say enough about it.
    if zxcvbn(password[:72], user_inputs=list(context))["score"] < 2:
        return N_("This password is too common or too easy to guess. Try three or four random words")
    return None
