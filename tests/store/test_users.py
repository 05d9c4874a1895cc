"""Accounts and roles in the store: rules, constraints, authentication, demo users."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from argon2 import PasswordHasher
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from qms.store import directory, passwords, users
from qms.store.base import Base
from qms.store.db import Database
from qms.store.errors import NotFound
from qms.store.models import AuditEvent, User, UserRole

PASSWORD = "a long enough password"
MINE = {"users", "user_roles", "audit_events", "rate_limit_hits"}


@pytest.fixture
def places(session: Session) -> tuple[int, int, int]:
    org = directory.create_organisation(session, "Org A", actor_id=None)
    other = directory.create_organisation(session, "Org B", actor_id=None)
    net = directory.create_network(session, "Net", actor_id=None)
    session.commit()
    return org, other, net


def test_the_migration_builds_exactly_the_account_tables(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    assert not [d for d in diffs if any(t in repr(d) for t in MINE)]
    inspector = inspect(db.engine)
    checks = {c["name"] for c in inspector.get_check_constraints("user_roles")}
    assert "ck_user_roles_scope" in checks
    unique = {i["name"] for i in inspector.get_indexes("user_roles") if i["unique"]}
    assert unique == {"uq_user_roles_admin", "uq_user_roles_organisation", "uq_user_roles_network"}


def test_emails_are_normalised_and_unique_whatever_the_case(session: Session) -> None:
    user_id = users.create_user(session, "  Anna.Bērziņa@Example.LV ", PASSWORD, actor_id=None)
    account = users.account(session, user_id)
    assert account is not None
    assert account.email == "anna.bērziņa@example.lv"
    with pytest.raises(users.UserExists):
        users.create_user(session, "ANNA.BĒRZIŅA@example.lv", PASSWORD, actor_id=None)


@pytest.mark.parametrize(
    "email",
    ["", "anna", "anna@", "@x.lv", "a b@x.lv", "a@x", "<a>@x.lv", "a@x.lv\nb", "x" * 250 + "@x.lv"],
)
def test_bad_emails_are_refused(session: Session, email: str) -> None:
    with pytest.raises(users.BadEmail):
        users.create_user(session, email, PASSWORD, actor_id=None)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short", "too_short"),
        ("x" * 257, "too_long"),
        ("anna@example.lv", "same_as_email"),
    ],
)
def test_weak_passwords_are_refused(session: Session, password: str, reason: str) -> None:
    with pytest.raises(passwords.WeakPassword) as refused:
        users.create_user(session, "anna@example.lv", password, actor_id=None)
    assert refused.value.reason == reason


def test_roles_need_the_right_place(session: Session, places: tuple[int, int, int]) -> None:
    org, _, net = places
    user_id = users.create_user(session, "a@example.lv", PASSWORD, actor_id=None)
    for role, org_id, net_id in [
        ("head", None, None),
        ("staff", None, net),
        ("coordinator", org, None),
        ("admin", org, None),
        ("wizard", None, None),
    ]:
        with pytest.raises(users.BadRole):
            users.add_role(
                session, user_id, role, organisation_id=org_id, network_id=net_id, actor_id=None
            )
    with pytest.raises(NotFound):
        users.add_role(session, user_id, "head", organisation_id=4242, actor_id=None)


def test_one_person_holds_roles_in_several_places_but_each_once(
    session: Session, places: tuple[int, int, int]
) -> None:
    org, other, net = places
    user_id = users.create_user(session, "a@example.lv", PASSWORD, actor_id=None)
    users.add_role(session, user_id, "staff", organisation_id=org, actor_id=None)
    users.add_role(session, user_id, "head", organisation_id=other, actor_id=None)
    users.add_role(session, user_id, "head", organisation_id=org, actor_id=None)
    users.add_role(session, user_id, "coordinator", network_id=net, actor_id=None)
    users.add_role(session, user_id, "admin", actor_id=None)
    for role, org_id, net_id in [
        ("staff", org, None),
        ("coordinator", None, net),
        ("admin", None, None),
    ]:
        with pytest.raises(users.RoleHeld):
            users.add_role(
                session, user_id, role, organisation_id=org_id, network_id=net_id, actor_id=None
            )
    session.commit()
    account = users.account(session, user_id)
    assert account is not None
    assert [(g.role, g.place) for g in account.grants] == [
        ("staff", "Org A"),
        ("head", "Org B"),
        ("head", "Org A"),
        ("coordinator", "Net"),
        ("admin", ""),
    ]


@pytest.mark.parametrize(
    ("role", "org", "net"),
    [
        ("admin", False, False),
        ("head", True, False),
        ("coordinator", False, True),
    ],
)
def test_the_database_itself_refuses_duplicate_roles(
    session: Session, places: tuple[int, int, int], role: str, org: bool, net: bool
) -> None:
    # Below the store functions: the partial unique indexes hold on both engines.
    user_id = users.create_user(session, "a@example.lv", PASSWORD, actor_id=None)
    session.commit()
    scope = {
        "organisation_id": places[0] if org else None,
        "network_id": places[2] if net else None,
    }
    session.add(UserRole(user_id=user_id, role=role, **scope))
    session.commit()
    session.add(UserRole(user_id=user_id, role=role, **scope))
    with pytest.raises(IntegrityError):
        session.commit()


@pytest.mark.parametrize(
    ("role", "org", "net"),
    [
        ("head", False, False),
        ("admin", True, False),
        ("coordinator", True, True),
        ("staff", True, True),
        ("owner", True, False),
    ],
)
def test_the_database_itself_refuses_roles_in_the_wrong_place(
    session: Session, places: tuple[int, int, int], role: str, org: bool, net: bool
) -> None:
    user_id = users.create_user(session, "a@example.lv", PASSWORD, actor_id=None)
    session.commit()
    session.add(
        UserRole(
            user_id=user_id,
            role=role,
            organisation_id=places[0] if org else None,
            network_id=places[2] if net else None,
        )
    )
    with pytest.raises(IntegrityError):
        session.commit()


def test_removing_a_role_only_touches_that_users_grant(
    session: Session, places: tuple[int, int, int]
) -> None:
    a = users.create_user(session, "a@example.lv", PASSWORD, actor_id=None)
    b = users.create_user(session, "b@example.lv", PASSWORD, actor_id=None)
    grant_a = users.add_role(session, a, "staff", organisation_id=places[0], actor_id=None)
    users.add_role(session, b, "staff", organisation_id=places[0], actor_id=None)
    assert users.remove_role(session, b, grant_a, actor_id=None) is False
    assert users.remove_role(session, a, grant_a, actor_id=b) is True
    session.commit()
    assert users.account(session, a).grants == ()  # type: ignore[union-attr]
    assert len(users.account(session, b).grants) == 1  # type: ignore[union-attr]


def test_authenticate(session: Session) -> None:
    user_id = users.create_user(session, "a@example.lv", PASSWORD, actor_id=None)
    session.commit()
    assert users.authenticate(session, "A@Example.lv ", PASSWORD).id == user_id  # type: ignore[union-attr]
    assert users.authenticate(session, "a@example.lv", PASSWORD + "x") is None
    assert users.authenticate(session, "nobody@example.lv", PASSWORD) is None
    assert users.authenticate(session, "a@example.lv", "x" * 100_000) is None
    users.update_user(session, user_id, name="", is_active=False, actor_id=None)
    assert users.authenticate(session, "a@example.lv", PASSWORD) is None


def test_old_hashes_are_upgraded_at_sign_in(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", weak)
    user_id = users.create_user(session, "a@example.lv", PASSWORD, actor_id=None)
    session.commit()
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    )
    assert users.authenticate(session, "a@example.lv", PASSWORD) is not None
    session.commit()
    stored = session.scalar(select(User.password_hash).where(User.id == user_id))
    assert stored is not None
    assert "m=16,t=2,p=1" in stored


def test_password_changes_move_the_session_epoch(session: Session) -> None:
    user_id = users.create_user(session, "a@example.lv", PASSWORD, actor_id=None)
    assert users.signed_in_account(session, user_id, 0) is not None
    assert users.change_password(session, user_id, "wrong", "another long password") is None
    epoch = users.change_password(session, user_id, PASSWORD, "another long password")
    assert epoch == 1
    assert users.signed_in_account(session, user_id, 0) is None
    assert users.signed_in_account(session, user_id, 1) is not None
    users.end_sessions(session, user_id)
    assert users.signed_in_account(session, user_id, 1) is None
    assert users.authenticate(session, "a@example.lv", "another long password") is not None


def test_changes_are_audited(session: Session, places: tuple[int, int, int]) -> None:
    admin = users.create_user(session, "admin@example.lv", PASSWORD, actor_id=None)
    user_id = users.create_user(session, "a@example.lv", PASSWORD, actor_id=admin)
    grant = users.add_role(session, user_id, "head", organisation_id=places[0], actor_id=admin)
    users.remove_role(session, user_id, grant, actor_id=admin)
    users.reset_password(session, user_id, actor_id=admin)
    session.commit()
    events = [
        (e.actor_id, e.action, e.organisation_id, e.subject, e.detail)
        for e in session.scalars(
            select(AuditEvent).where(AuditEvent.actor_id == admin).order_by(AuditEvent.id)
        )
    ]
    assert events == [
        (admin, "user.created", None, "a@example.lv", {}),
        (admin, "role.added", places[0], "a@example.lv", {"role": "head"}),
        (admin, "role.removed", places[0], "a@example.lv", {"role": "head"}),
        (admin, "user.password_changed", None, "a@example.lv", {}),
    ]


def test_demo_users_have_one_role_each_and_sign_in(
    session: Session, places: tuple[int, int, int]
) -> None:
    org, other, net = places
    created = users.create_demo_users(session, [org, other], net)
    session.commit()
    assert [description for _, _, description in created] == [
        "admin",
        "coordinator of Net",
        "head of Org A",
        "staff of Org A",
    ]
    for email, password, _ in created:
        account = users.authenticate(session, email, password)
        assert account is not None
        assert len(account.grants) == 1
    with pytest.raises(users.UserExists):
        users.create_demo_users(session, [org], net)


def test_nul_characters_are_harmless_on_both_engines(session: Session) -> None:
    users.create_user(session, "a@example.lv", PASSWORD, actor_id=None)
    session.commit()
    assert users.authenticate(session, "a@example.lv\x00", PASSWORD) is None
    assert users.account_by_email(session, "\x00") is None
    org = directory.create_organisation(session, "Org\x00 A\x07", actor_id=None)
    assert directory.organisation(session, org).name == "Org A"  # type: ignore[union-attr]
