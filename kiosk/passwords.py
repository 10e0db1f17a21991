"""Password hashing (argon2id) and the password policy shared by staff and patients."""

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

# RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes): above OWASP's minimum (19 MiB, 2 passes).
_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, type=Type.ID)
# A hash to verify against when the account does not exist, so both cases take the same time.
_DUMMY = _hasher.hash("no such account: constant-time filler")

MIN_LENGTH = 12
MAX_LENGTH = 128


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, *, context: tuple[str, ...] = ()) -> str | None:
    """Why a new password is refused, or None. Length and guessability, not composition rules (NCSC advice)."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    # zxcvbn matches against lists of common passwords, names and keyboard patterns. It raises ValueError beyond
    # 72 characters, and a long passphrase's first 72 say enough about it.
    if zxcvbn(password[:72], user_inputs=list(context))["score"] < 2:
        return "This password is too common or too easy to guess. Try three or four random words"
    return None
