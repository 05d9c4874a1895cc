"""API tokens: shown once, stored as a hash, revocable, and noted when used."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from qms.store import tokens, users
from qms.store.audit import list_events
from qms.store.models import AuditEvent, User
from qms.store.models.tokens import ApiToken

PASSWORD = "correct horse battery staple"


@pytest.fixture
def user_id(session: Session) -> int:
    made = users.create_user(session, "api@example.org", PASSWORD, actor_id=None)
    session.commit()
    return made


def test_a_new_token_is_returned_once_and_only_its_hash_is_stored(
    session: Session, user_id: int
) -> None:
    new = tokens.create_token(session, user_id, "  Reporting   script ")
    session.commit()
    assert new.secret.startswith("qms_") and len(new.secret) >= 40
    assert new.name == "Reporting script"
    row = session.scalars(select(ApiToken)).one()
    assert row.token_hash == tokens.hash_token(new.secret)
    assert new.secret not in (row.token_hash, row.hint, row.name)
    assert new.secret[4:12] == row.hint
    (listed,) = tokens.list_tokens(session, user_id)
    assert (listed.id, listed.name, listed.active, listed.last_used_at) == (
        new.id,
        "Reporting script",
        True,
        None,
    )
    assert not hasattr(listed, "secret")


def test_two_tokens_differ(session: Session, user_id: int) -> None:
    first = tokens.create_token(session, user_id, "a")
    second = tokens.create_token(session, user_id, "a")
    assert first.secret != second.secret


def test_a_token_speaks_for_its_account_and_notes_its_use(session: Session, user_id: int) -> None:
    new = tokens.create_token(session, user_id, "script")
    session.commit()
    found = tokens.token_account(session, new.secret)
    session.commit()
    assert found is not None and found.id == user_id
    (listed,) = tokens.list_tokens(session, user_id)
    assert listed.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(session: Session, user_id: int) -> None:
    new = tokens.create_token(session, user_id, "script")
    session.commit()
    tokens.token_account(session, new.secret)
    session.commit()
    first = tokens.list_tokens(session, user_id)[0].last_used_at
    tokens.token_account(session, new.secret)
    session.commit()
    session.expire_all()
    assert tokens.list_tokens(session, user_id)[0].last_used_at == first
    assert first is not None
    session.execute(update(ApiToken).values(last_used_at=first - timedelta(minutes=5)))
    session.commit()
    tokens.token_account(session, new.secret)
    session.commit()
    session.expire_all()
    later = tokens.list_tokens(session, user_id)[0].last_used_at
    assert later is not None and later > first - timedelta(minutes=5)


@pytest.mark.parametrize(
    "secret", ["", "qms_", "qms_wrong", "nonsense", "qms_" + "x" * 200, "qms_ž" * 3]
)
def test_unknown_tokens_speak_for_nobody(session: Session, user_id: int, secret: str) -> None:
    tokens.create_token(session, user_id, "script")
    session.commit()
    assert tokens.token_account(session, secret) is None


def test_a_revoked_token_speaks_for_nobody(session: Session, user_id: int) -> None:
    new = tokens.create_token(session, user_id, "script")
    session.commit()
    assert tokens.revoke_token(session, user_id, new.id)
    session.commit()
    assert tokens.token_account(session, new.secret) is None
    assert not tokens.revoke_token(session, user_id, new.id)  # once is enough
    (listed,) = tokens.list_tokens(session, user_id)
    assert not listed.active and listed.revoked_at is not None


def test_nobody_revokes_another_persons_token(session: Session, user_id: int) -> None:
    other = users.create_user(session, "other@example.org", PASSWORD, actor_id=None)
    new = tokens.create_token(session, user_id, "script")
    session.commit()
    assert not tokens.revoke_token(session, other, new.id)
    assert not tokens.revoke_token(session, other, 987654)
    session.commit()
    assert tokens.token_account(session, new.secret) is not None
    assert tokens.list_tokens(session, other) == []


def test_a_deactivated_account_loses_its_tokens(session: Session, user_id: int) -> None:
    new = tokens.create_token(session, user_id, "script")
    users.update_user(session, user_id, name="", is_active=False, actor_id=None)
    session.commit()
    assert tokens.token_account(session, new.secret) is None


def test_names_are_required_and_bounded(session: Session, user_id: int) -> None:
    with pytest.raises(tokens.BadTokenName) as empty:
        tokens.create_token(session, user_id, " \t ")
    assert empty.value.reason == "empty"
    with pytest.raises(tokens.BadTokenName) as long:
        tokens.create_token(session, user_id, "x" * (tokens.NAME_MAX + 1))
    assert long.value.reason == "too_long"


def test_active_tokens_are_limited(session: Session, user_id: int) -> None:
    made = [tokens.create_token(session, user_id, f"t{n}") for n in range(tokens.TOKENS_MAX)]
    with pytest.raises(tokens.TooManyTokens):
        tokens.create_token(session, user_id, "one more")
    tokens.revoke_token(session, user_id, made[0].id)
    tokens.create_token(session, user_id, "one more")


def test_active_tokens_are_listed_first(session: Session, user_id: int) -> None:
    old = tokens.create_token(session, user_id, "old")
    tokens.create_token(session, user_id, "new")
    tokens.revoke_token(session, user_id, old.id)
    tokens.create_token(session, user_id, "newest")
    session.commit()
    assert [t.name for t in tokens.list_tokens(session, user_id)] == ["newest", "new", "old"]


def test_creating_and_revoking_are_audited_without_the_secret(
    session: Session, user_id: int
) -> None:
    new = tokens.create_token(session, user_id, "script")
    tokens.revoke_token(session, user_id, new.id)
    session.commit()
    actions = [e.action for e in list_events(session).events]
    assert actions[:2] == ["api_token.revoked", "api_token.created"]
    for event in session.scalars(select(AuditEvent)):
        assert new.secret not in str(event.detail) + event.subject
        if event.action.startswith("api_token."):
            assert event.actor_id == user_id


def test_deleting_a_user_deletes_their_tokens(session: Session, user_id: int) -> None:
    tokens.create_token(session, user_id, "script")
    session.commit()
    session.delete(session.get(User, user_id))
    session.commit()
    assert session.scalars(select(ApiToken)).all() == []
