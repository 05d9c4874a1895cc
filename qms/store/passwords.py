"""Password hashing (argon2id), the password rules, and generated passwords."""

from __future__ import annotations

import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from qms.store.errors import StoreError

MIN_LENGTH = 12
# argon2 hashes whatever it is given; a cap keeps a megabyte "password" from costing CPU.
MAX_LENGTH = 256
# No 0/O, 1/l/I: generated passwords are read off a screen and typed in.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

_hasher = PasswordHasher()


class WeakPassword(StoreError):
    """`reason` is one of "too_short", "too_long", "same_as_email"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def check_rules(password: str, email: str = "") -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword("too_short", f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword("too_long", f"a password has at most {MAX_LENGTH} characters")
    if email and password.strip().lower() == email.strip().lower():
        raise WeakPassword("same_as_email", "a password must not be the email address")


def hash_password(password: str) -> str:
    return str(_hasher.hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return bool(_hasher.check_needs_rehash(password_hash))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def burn_time(password: str) -> None:
    """Verifies against a hash no account has, so an unknown email takes as long to
    refuse as a wrong password (the answer must not tell which emails exist)."""
    verify_password(_dummy_hash(), password)


def generate_password(groups: int = 4, size: int = 5) -> str:
    """Like `k7mpq-xw3ra-...`: 4 x 5 characters of 31 is about 99 bits."""
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(size)) for _ in range(groups))
