"""Password hashing (argon2id), the password rules, and generated passwords.

Common and guessable passwords are refused with zxcvbn (Dropbox's estimator, the
maintained Python port, MIT): it ships the 30,000 most common passwords of the leaked
password corpora with English words and names, and also sees what a plain list misses,
such as repeats ("aaaaaaaaaaaa"), keyboard rows ("qwertyuiop12"), dates and common words
with digits ("password1234"). It works offline and has no dependencies. A bare list
(e.g. a Have I Been Pwned top list) would refuse only exact matches; the online Pwned
Passwords API would send a hash prefix out of every deployment on each change.
"""

from __future__ import annotations

import re
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from qms.store.errors import StoreError

MIN_LENGTH = 12
# argon2 hashes whatever it is given; a cap keeps a megabyte "password" from costing CPU.
MAX_LENGTH = 256
# zxcvbn's score 3 means at least 10^8 guesses: years at the sign-in rate limits, and
# what zxcvbn's authors call safe against online guessing with some margin offline.
MIN_SCORE = 3
# zxcvbn refuses longer input (its matching grows fast with length); a password whose
# first 72 characters are hard to guess is not made easy by what follows.
_SCORED_LENGTH = 72
# No 0/O, 1/l/I: generated passwords are read off a screen and typed in.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"

_hasher = PasswordHasher()


class WeakPassword(StoreError):
    """`reason` is one of "too_short", "too_long", "same_as_email", "guessable"."""

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
    if guessable(password, email):
        raise WeakPassword(
            "guessable",
            "this password is too easy to guess (a common password, or close to one, or a "
            "simple pattern): choose another, for example a few unrelated words",
        )


def guessable(password: str, email: str = "") -> bool:
    """Whether the password is common or follows a pattern guessed early (zxcvbn)."""
    from zxcvbn import zxcvbn  # builds its dictionaries on import: only when needed

    address = email.strip().lower()
    # A password made of the person's own address (or its names: anna.berzina@...) or of
    # this product's name is among the first an attacker who knows the account tries.
    hints = [part for part in (address, *re.split(r"[^\w]+", address), "qms") if part]
    result = zxcvbn(password[:_SCORED_LENGTH], user_inputs=hints)
    return int(result["score"]) < MIN_SCORE


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
