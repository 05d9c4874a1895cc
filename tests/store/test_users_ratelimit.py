"""Rate limits kept in the database: shared by every worker, windows slide."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from qms.store import ratelimit
from qms.store.base import utcnow
from qms.store.db import Database
from qms.store.models import RateLimitHit
from qms.store.ratelimit import (
    ACCESS_CODE_PER_CODE,
    SIGN_IN_PER_PAIR,
    access_code_buckets,
    sign_in_buckets,
)


def _count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(RateLimitHit)) or 0)


def test_a_bucket_fills_and_empties_as_the_window_slides(session: Session) -> None:
    buckets = sign_in_buckets("10.0.0.1", "Anna@Example.lv")
    start = utcnow()
    for n in range(SIGN_IN_PER_PAIR.max_attempts):
        assert not ratelimit.is_limited(session, buckets, now=start + timedelta(seconds=n))
        ratelimit.count_attempt(session, buckets, now=start + timedelta(seconds=n))
    session.commit()
    assert ratelimit.is_limited(session, buckets, now=start + timedelta(seconds=30))
    # The same account from another address is not (the owner is not locked out)...
    assert not ratelimit.is_limited(
        session, sign_in_buckets("10.9.9.9", "anna@example.lv"), now=start + timedelta(seconds=30)
    )
    # ...nor another account from the same address yet (its limit is higher).
    assert not ratelimit.is_limited(
        session, sign_in_buckets("10.0.0.1", "b@example.lv"), now=start + timedelta(seconds=30)
    )
    later = start + SIGN_IN_PER_PAIR.window + timedelta(seconds=1)
    assert not ratelimit.is_limited(session, buckets, now=later)


def test_counting_forgets_expired_attempts(session: Session) -> None:
    buckets = access_code_buckets("10.0.0.1", "abcd-efgh")
    old = utcnow() - timedelta(days=2)
    ratelimit.count_attempt(session, buckets, now=old)
    ratelimit.count_attempt(session, buckets)
    session.commit()
    assert _count(session) == 2  # one per bucket: the old ones were dropped


def test_access_codes_are_counted_however_they_are_typed(session: Session) -> None:
    for typed in ["ABCD-EFGH", "abcd efgh", " AbCdEfGh "]:
        for _ in range(4):
            ratelimit.count_attempt(session, access_code_buckets(f"10.0.0.{len(typed)}", typed))
    session.commit()
    assert ratelimit.is_limited(session, access_code_buckets("10.1.1.1", "abcdefgh"))
    assert ACCESS_CODE_PER_CODE.max_attempts <= 12


def test_forget_and_prune(session: Session) -> None:
    buckets = sign_in_buckets("10.0.0.1", "a@example.lv")
    address, account = buckets.address, buckets.account
    ratelimit.count_attempt(session, [address, account])
    ratelimit.count_attempt(session, [address], now=utcnow() - timedelta(days=3))
    ratelimit.forget(session, [account])
    session.commit()
    assert _count(session) == 2
    assert ratelimit.prune(session) == 1
    session.commit()
    assert _count(session) == 1


def test_workers_share_the_counts(db: Database) -> None:
    # Two separate engines stand for two worker processes.
    other = Database(db.url)
    try:
        buckets = sign_in_buckets("10.0.0.1", "a@example.lv")
        for _ in range(SIGN_IN_PER_PAIR.max_attempts):
            with db.session() as s:
                ratelimit.count_attempt(s, buckets)
                s.commit()
        with other.session() as s:
            assert ratelimit.is_limited(s, buckets)
    finally:
        other.dispose()


def test_the_table_holds_no_addresses_emails_or_codes(session: Session) -> None:
    ratelimit.count_attempt(session, sign_in_buckets("192.168.1.7", "anna@example.lv"))
    ratelimit.count_attempt(session, access_code_buckets("192.168.1.7", "SECRET-CODE"))
    session.commit()
    stored = " ".join(session.scalars(select(RateLimitHit.bucket)))
    for secret in ["192.168", "anna", "example", "SECRET", "secret"]:
        assert secret not in stored
