"""argon2id at production cost takes most of a second on this machine: tests that are about lockout, sessions or
registration rather than hashing swap in a cheap argon2id, still verified for real."""

from argon2 import PasswordHasher, Type

from kiosk import passwords
from tests import builders


def use_cheap_argon2(monkeypatch) -> str:
    """Cheap hashing for the rest of the test; returns the hash of builders.PASSWORD made with it."""
    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=Type.ID)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY", cheap.hash("no such account"))
    hashed = cheap.hash(builders.PASSWORD)
    monkeypatch.setattr(builders, "password_hash", lambda: hashed)
    return hashed
