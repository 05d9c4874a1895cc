"""The one way the web finds what an access code opens, rate-limited per address.

Every path that takes a code (the start page's form, and every page, save, section post
and language switch under /a/{code}) goes through `look_up_code`, so a wrong code counts
against the address and the code wherever it is tried, and once an address has used up
its attempts it gets 429 on every one of them, even with a real code: otherwise a
guesser shut out of the form would simply go on through /a/{code}.
tests/web/test_ratelimit_codes.py checks that no web module resolves a code otherwise.
"""

from __future__ import annotations

from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_429_TOO_MANY_REQUESTS
from sqlalchemy.orm import Session

from qms.store import codes, ratelimit
from qms.store.codes import CodeTarget
from qms.web.deps import HttpRequest
from qms.web.forms import client_address


class TooManyCodeAttempts(HTTPException):
    status_code = HTTP_429_TOO_MANY_REQUESTS


def look_up_code(request: HttpRequest, db: Session, typed: str) -> CodeTarget | None:
    """The code's target, or None for a code that does not exist (counted as a failed
    attempt and committed). Raises TooManyCodeAttempts once the address or the code
    holds its limit of failures."""
    buckets = ratelimit.access_code_buckets(client_address(request), typed)
    if ratelimit.is_limited(db, buckets):
        # A minute is a hint, not a promise: the window slides.
        raise TooManyCodeAttempts(headers={"retry-after": "60"})
    target = codes.resolve(db, typed)
    if target is None:
        ratelimit.count_attempt(db, buckets)
        db.commit()
    return target
