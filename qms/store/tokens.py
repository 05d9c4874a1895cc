"""API tokens: created with a name, shown once, listed, revoked; looked up per API call.

A token is `qms_` and 43 URL-safe characters (32 random bytes). Only its SHA-256 hash
is stored, so a copy of the database holds no usable token. Functions change the
caller's session and log what they did; callers commit.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.errors import NotFound, StoreError
from qms.store.models import User
from qms.store.models.tokens import ApiToken
from qms.store.users import Account, account

PREFIX = "qms_"
NAME_MAX = 100
HINT_LENGTH = 8  # characters after the prefix, shown so people can tell tokens apart
# Writing "last used" on every call would make each API read a write; a minute is as
# precise as anybody needs it.
LAST_USED_PRECISION = timedelta(minutes=1)
TOKENS_MAX = 20


class BadTokenName(StoreError):
    """`reason` is "empty" or "too_long"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class TooManyTokens(StoreError):
    pass


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    hint: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewToken:
    """`secret` exists only here: it is never stored and cannot be shown again."""

    id: int
    name: str
    secret: str


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def clean_token_name(name: str) -> str:
    cleaned = " ".join("".join(ch for ch in name if ch.isprintable() or ch.isspace()).split())
    if not cleaned:
        raise BadTokenName("empty", "a token needs a name")
    if len(cleaned) > NAME_MAX:
        raise BadTokenName("too_long", f"a token name has at most {NAME_MAX} characters")
    return cleaned


def create_token(session: Session, user_id: int, name: str) -> NewToken:
    """A new token of `user_id`, who creates it for themselves."""
    name = clean_token_name(name)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    active = session.scalars(
        select(ApiToken.id).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ).all()
    if len(active) >= TOKENS_MAX:
        raise TooManyTokens(f"at most {TOKENS_MAX} active tokens; revoke one first")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user_id,
        name=name,
        token_hash=hash_token(secret),
        hint=secret[len(PREFIX) : len(PREFIX) + HINT_LENGTH],
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        actor_id=user_id,
        action="api_token.created",
        subject=user.email,
        detail={"token": token.id, "name": name},
    )
    return NewToken(token.id, name, secret)


def list_tokens(session: Session, user_id: int) -> list[TokenInfo]:
    """The user's tokens, active ones first, newest first."""
    rows = session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    )
    found = [
        TokenInfo(t.id, t.name, t.hint, t.created_at, t.last_used_at, t.revoked_at) for t in rows
    ]
    return sorted(found, key=lambda t: not t.active)


def revoke_token(session: Session, user_id: int, token_id: int) -> bool:
    """False when the user has no such active token (someone else's counts as none)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id or token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    user = session.get(User, user_id)
    record_event(
        session,
        actor_id=user_id,
        action="api_token.revoked",
        subject=user.email if user else "",
        detail={"token": token.id, "name": token.name},
    )
    session.flush()
    return True


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def token_account(session: Session, secret: str) -> Account | None:
    """The active account a token speaks for, or None (unknown, revoked, or the account
    deactivated). Notes when the token was used; the caller commits."""
    if not secret.startswith(PREFIX) or len(secret) > 100 or not secret.isascii():
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(secret)))
    if token is None or token.revoked_at is not None:
        return None
    found = account(session, token.user_id)
    if found is None or not found.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - _aware(token.last_used_at) >= LAST_USED_PRECISION:
        session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return found
