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
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from qms.store.base import utcnow
from qms.store.models import RateLimitHit


@dataclass(frozen=True)
class Limit:
    name: str
    max_attempts: int
    window: timedelta


SIGN_IN_PER_ADDRESS = Limit("sign-in/address", 30, timedelta(minutes=15))
SIGN_IN_PER_ACCOUNT = Limit("sign-in/account", 10, timedelta(minutes=15))
ACCESS_CODE_PER_ADDRESS = Limit("code/address", 30, timedelta(minutes=10))
ACCESS_CODE_PER_CODE = Limit("code/code", 10, timedelta(minutes=10))


@dataclass(frozen=True)
class Bucket:
    limit: Limit
    key: str  # hashed: the table holds neither addresses, emails nor codes

    @classmethod
    def of(cls, limit: Limit, value: str) -> Bucket:
        digest = hashlib.sha256(f"{limit.name}\0{value}".encode()).hexdigest()[:40]
        return cls(limit, f"{limit.name}:{digest}")


def sign_in_buckets(address: str, email: str) -> tuple[Bucket, Bucket]:
    return (
        Bucket.of(SIGN_IN_PER_ADDRESS, address),
        Bucket.of(SIGN_IN_PER_ACCOUNT, email.strip().lower()),
    )


def access_code_buckets(address: str, code: str) -> tuple[Bucket, Bucket]:
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    return (
        Bucket.of(ACCESS_CODE_PER_ADDRESS, address),
        Bucket.of(ACCESS_CODE_PER_CODE, normalised),
    )


def is_limited(session: Session, buckets: Sequence[Bucket], now: datetime | None = None) -> bool:
    """True when any bucket already holds its limit of attempts within its window."""
    now = now or utcnow()
    for bucket in buckets:
        count = session.scalar(
            select(func.count())
            .select_from(RateLimitHit)
            .where(RateLimitHit.bucket == bucket.key, RateLimitHit.at > now - bucket.limit.window)
        )
        if (count or 0) >= bucket.limit.max_attempts:
            return True
    return False


def count_attempt(session: Session, buckets: Sequence[Bucket], now: datetime | None = None) -> None:
    """Counts one attempt in every bucket and forgets this bucket's expired attempts.
    The caller commits."""
    now = now or utcnow()
    for bucket in buckets:
        session.execute(
            delete(RateLimitHit).where(
                RateLimitHit.bucket == bucket.key, RateLimitHit.at <= now - bucket.limit.window
            )
        )
        session.add(RateLimitHit(bucket=bucket.key, at=now))
    session.flush()


def forget(session: Session, buckets: Sequence[Bucket]) -> None:
    """Clears the buckets, e.g. an account's failures after a successful sign-in."""
    session.execute(delete(RateLimitHit).where(RateLimitHit.bucket.in_([b.key for b in buckets])))


def prune(session: Session, older_than: timedelta = timedelta(days=1)) -> int:
    """Drops attempts older than any window; returns how many. The caller commits."""
    result = session.execute(delete(RateLimitHit).where(RateLimitHit.at <= utcnow() - older_than))
    return int(getattr(result, "rowcount", 0) or 0)
