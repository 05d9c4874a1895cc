"""Rate limits for guessing: failed sign-ins, wrong access codes.

Attempts are rows in the database, so every worker and replica counts the same
attempts (DESIGN: no state that matters in process memory). A limit is a sliding
window: at most `max_attempts` counted attempts in the last `window`.

Usage (the access-code page, say)::

    buckets = access_code_buckets(address, code)
    if is_limited(session, buckets):
        ...answer 429...
    if code is wrong:
        count_attempt(session, buckets)
        session.commit()
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from qms.store.base import utcnow
from qms.store.models import RateLimitHit


@dataclass(frozen=True)
class Limit:
    name: str
    max_attempts: int
    window: timedelta


# Sign-in failures count per (account, address) pair and per address, never per account
# alone at a low limit: a limit that anyone anywhere can fill for an account is a way to
# lock its owner out (ten wrong passwords from a café would shut a head out everywhere).
SIGN_IN_PER_PAIR = Limit("sign-in/account+address", 10, timedelta(minutes=15))
SIGN_IN_PER_ADDRESS = Limit("sign-in/address", 30, timedelta(minutes=15))
# The ceiling against guessing one account from many addresses: without it N addresses
# get 10*N guesses per window. At 100 a botnet gets at most 100 per 15 minutes (under
# 10,000 a day) against passwords that must take 10^8 guesses (passwords.py), and
# locking a person out takes a deliberate attack from at least 10 addresses rather than
# one browser. The owner's own success does not reset it, so guessing cannot hide
# behind the owner's sign-ins.
SIGN_IN_PER_ACCOUNT = Limit("sign-in/account", 100, timedelta(minutes=15))
ACCESS_CODE_PER_ADDRESS = Limit("code/address", 30, timedelta(minutes=10))
ACCESS_CODE_PER_CODE = Limit("code/code", 10, timedelta(minutes=10))
LIMITS = (
    SIGN_IN_PER_PAIR,
    SIGN_IN_PER_ADDRESS,
    SIGN_IN_PER_ACCOUNT,
    ACCESS_CODE_PER_ADDRESS,
    ACCESS_CODE_PER_CODE,
)
# Past this age an attempt counts in no window.
LONGEST_WINDOW = max(limit.window for limit in LIMITS)
# Expired attempts dropped with each counted one: each failure adds at most three rows and
# takes up to this many old ones away, so the table holds little more than the attempts
# still in a window, and no failure pays for a large delete.
PRUNE_BATCH = 100


@dataclass(frozen=True)
class Bucket:
    limit: Limit
    key: str  # hashed: the table holds neither addresses, emails nor codes

    @classmethod
    def of(cls, limit: Limit, value: str) -> Bucket:
        digest = hashlib.sha256(f"{limit.name}\0{value}".encode()).hexdigest()[:40]
        return cls(limit, f"{limit.name}:{digest}")


class SignInBuckets(NamedTuple):
    pair: Bucket
    address: Bucket
    account: Bucket


def sign_in_buckets(address: str, email: str) -> SignInBuckets:
    account = email.strip().lower()
    return SignInBuckets(
        pair=Bucket.of(SIGN_IN_PER_PAIR, f"{account}\0{address}"),
        address=Bucket.of(SIGN_IN_PER_ADDRESS, address),
        account=Bucket.of(SIGN_IN_PER_ACCOUNT, account),
    )


def access_code_buckets(address: str, code: str) -> tuple[Bucket, Bucket]:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return (
        Bucket.of(ACCESS_CODE_PER_ADDRESS, address),
        Bucket.of(ACCESS_CODE_PER_CODE, normalised),
    )


# Built once: this runs before every respondent page, and building and caching the
# statement anew cost more than the query (300 µs against 1.5 ms on SQLite, measured).
_RECENT = select(RateLimitHit.bucket, RateLimitHit.at).where(
    RateLimitHit.bucket.in_(bindparam("keys", expanding=True)),
    RateLimitHit.at > bindparam("since"),
)


def is_limited(session: Session, buckets: Sequence[Bucket], now: datetime | None = None) -> bool:
    """True when any bucket already holds its limit of attempts within its window.

    One query for all buckets, returning few rows: once a bucket is limited nothing more
    is counted in it, so each holds at most about its limit within the longest window."""
    if not buckets:
        return False
    now = now or utcnow()
    rows = session.execute(
        _RECENT, {"keys": [bucket.key for bucket in buckets], "since": now - LONGEST_WINDOW}
    ).all()
    for bucket in buckets:
        since = now - bucket.limit.window
        recent = sum(1 for key, at in rows if key == bucket.key and _aware(at) > since)
        if recent >= bucket.limit.max_attempts:
            return True
    return False


def _aware(at: datetime) -> datetime:
    # SQLite hands back the stored UTC time without its zone.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def count_attempt(session: Session, buckets: Sequence[Bucket], now: datetime | None = None) -> None:
    """Counts one attempt in every bucket and drops a bounded batch of expired attempts
    of any bucket (buckets that never come back would otherwise stay for ever).
    The caller commits."""
    now = now or utcnow()
    # SKIP LOCKED (PostgreSQL; SQLite writes one at a time anyway): two failures pruning at
    # once take different rows instead of waiting on, or deadlocking over, the same ones.
    expired = (
        select(RateLimitHit.id)
        .where(RateLimitHit.at <= now - LONGEST_WINDOW)
        .limit(PRUNE_BATCH)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(RateLimitHit).where(RateLimitHit.id.in_(expired)))
    session.add_all(RateLimitHit(bucket=bucket.key, at=now) for bucket in buckets)
    session.flush()


def forget(session: Session, buckets: Sequence[Bucket]) -> None:
    """Clears the buckets, e.g. an account's failures after a successful sign-in."""
    session.execute(delete(RateLimitHit).where(RateLimitHit.bucket.in_([b.key for b in buckets])))


def prune(session: Session, older_than: timedelta = LONGEST_WINDOW) -> int:
    """Drops every attempt older than any window at once; returns how many. Normal work
    needs no call (count_attempt prunes as it goes); this is for a table grown before
    it did. The caller commits."""
    result = session.execute(delete(RateLimitHit).where(RateLimitHit.at <= utcnow() - older_than))
    return int(getattr(result, "rowcount", 0) or 0)
