"""Accounts and their roles: creating, signing in, changing passwords, granting roles.

Functions change the caller's session and log what they did; callers commit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from qms.store.audit import record_event
from qms.store.base import utcnow
from qms.store.errors import Conflict, NotFound, StoreError
from qms.store.models import Network, Organisation, User, UserRole
from qms.store.models.accounts import ROLES as ROLES  # re-exported for the web layer
from qms.store.passwords import (
    burn_time,
    check_rules,
    generate_password,
    hash_password,
    needs_rehash,
    verify_password,
)

EMAIL_MAX = 254
NAME_MAX = 200
# The usual unquoted addresses (RFC 5322 atext, letters of any script), a dotted domain.
# Quoted local parts and <>()[]\,;:" are refused: nobody has them, and they belong in markup.
_EMAIL = re.compile(r"^[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(\.[\w-]+)+$")


class BadEmail(StoreError):
    pass


class UserExists(Conflict):
    pass


class RoleHeld(Conflict):
    pass


class BadRole(StoreError):
    pass


@dataclass(frozen=True)
class Grant:
    """A role held in one place; `place` is the organisation's or network's name."""

    id: int
    role: str
    organisation_id: int | None = None
    network_id: int | None = None
    place: str = ""


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    name: str
    is_active: bool
    session_epoch: int
    grants: tuple[Grant, ...]
    created_at: datetime | None = None
    last_sign_in_at: datetime | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_email(email: str) -> str:
    """The normalised address, or BadEmail."""
    email = normalise_email(email)
    if not email or len(email) > EMAIL_MAX or not _EMAIL.match(email):
        raise BadEmail(f"not an email address: {email!r}")
    return email


def clean_display_name(name: str) -> str:
    cleaned = " ".join("".join(ch for ch in name if ch.isprintable() or ch.isspace()).split())
    if len(cleaned) > NAME_MAX:
        raise StoreError(f"a name has at most {NAME_MAX} characters")
    return cleaned


def describe(grant: Grant) -> str:
    """English, for the command line: "head of Sunny Day Centre"."""
    return grant.role if grant.role == "admin" else f"{grant.role} of {grant.place}"


def _grant(role: UserRole, places: dict[tuple[str, int], str]) -> Grant:
    if role.organisation_id is not None:
        place = places.get(("o", role.organisation_id), "")
    elif role.network_id is not None:
        place = places.get(("n", role.network_id), "")
    else:
        place = ""
    return Grant(role.id, role.role, role.organisation_id, role.network_id, place)


def _places(session: Session, roles: Sequence[UserRole]) -> dict[tuple[str, int], str]:
    org_ids = {r.organisation_id for r in roles if r.organisation_id is not None}
    net_ids = {r.network_id for r in roles if r.network_id is not None}
    places: dict[tuple[str, int], str] = {}
    if org_ids:
        query = select(Organisation.id, Organisation.name).where(Organisation.id.in_(org_ids))
        places.update({("o", i): n for i, n in session.execute(query)})
    if net_ids:
        query = select(Network.id, Network.name).where(Network.id.in_(net_ids))
        places.update({("n", i): n for i, n in session.execute(query)})
    return places


def _account(session: Session, user: User) -> Account:
    places = _places(session, user.roles)
    return Account(
        id=user.id,
        email=user.email,
        name=user.name,
        is_active=user.is_active,
        session_epoch=user.session_epoch,
        grants=tuple(_grant(r, places) for r in user.roles),
        created_at=user.created_at,
        last_sign_in_at=user.last_sign_in_at,
    )


def account(session: Session, user_id: int) -> Account | None:
    user = session.scalar(select(User).options(selectinload(User.roles)).where(User.id == user_id))
    return None if user is None else _account(session, user)


def account_by_email(session: Session, email: str) -> Account | None:
    if "\x00" in email:
        return None
    user = session.scalar(
        select(User).options(selectinload(User.roles)).where(User.email == normalise_email(email))
    )
    return None if user is None else _account(session, user)


def signed_in_account(session: Session, user_id: int, epoch: int) -> Account | None:
    """The account behind a session cookie, if the cookie still speaks for it."""
    found = account(session, user_id)
    if found is None or not found.is_active or found.session_epoch != epoch:
        return None
    return found


def list_accounts(session: Session) -> list[Account]:
    users = session.scalars(select(User).options(selectinload(User.roles)).order_by(User.email))
    users_list = list(users)
    places = _places(session, [r for u in users_list for r in u.roles])
    return [
        Account(
            u.id,
            u.email,
            u.name,
            u.is_active,
            u.session_epoch,
            tuple(_grant(r, places) for r in u.roles),
            u.created_at,
            u.last_sign_in_at,
        )
        for u in users_list
    ]


def create_user(
    session: Session, email: str, password: str, *, name: str = "", actor_id: int | None
) -> int:
    email = check_email(email)
    check_rules(password, email)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise UserExists(f"a user {email} already exists")
    user = User(
        email=email,
        name=clean_display_name(name),
        password_hash=hash_password(password),
        password_changed_at=utcnow(),
    )
    session.add(user)
    session.flush()
    record_event(session, actor_id=actor_id, action="user.created", subject=email)
    return user.id


def _check_scope(role: str, organisation_id: int | None, network_id: int | None) -> None:
    if role not in ROLES:
        raise BadRole(f"unknown role {role!r} (one of {', '.join(ROLES)})")
    if role in ("head", "staff") and (organisation_id is None or network_id is not None):
        raise BadRole(f"a {role} role needs an organisation")
    if role == "coordinator" and (network_id is None or organisation_id is not None):
        raise BadRole("a coordinator role needs a network")
    if role == "admin" and (organisation_id is not None or network_id is not None):
        raise BadRole("the admin role belongs to no organisation or network")


def add_role(
    session: Session,
    user_id: int,
    role: str,
    *,
    organisation_id: int | None = None,
    network_id: int | None = None,
    actor_id: int | None,
) -> int:
    """The new grant's id; RoleHeld when the user already holds exactly this role."""
    _check_scope(role, organisation_id, network_id)
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    place = ""
    if organisation_id is not None:
        org = session.get(Organisation, organisation_id)
        if org is None:
            raise NotFound("no such organisation")
        place = org.name
    if network_id is not None:
        net = session.get(Network, network_id)
        if net is None:
            raise NotFound("no such network")
        place = net.name
    held = session.scalar(
        select(UserRole.id).where(
            UserRole.user_id == user_id,
            UserRole.role == role,
            UserRole.organisation_id.is_(None)
            if organisation_id is None
            else UserRole.organisation_id == organisation_id,
            UserRole.network_id.is_(None)
            if network_id is None
            else UserRole.network_id == network_id,
        )
    )
    if held is not None:
        raise RoleHeld(f"{user.email} already is {describe(Grant(0, role, place=place))}")
    grant = UserRole(
        user_id=user_id, role=role, organisation_id=organisation_id, network_id=network_id
    )
    session.add(grant)
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="role.added",
        organisation_id=organisation_id,
        network_id=network_id,
        subject=user.email,
        detail={"role": role},
    )
    return grant.id


def remove_role(session: Session, user_id: int, grant_id: int, *, actor_id: int | None) -> bool:
    grant = session.get(UserRole, grant_id)
    if grant is None or grant.user_id != user_id:
        return False
    user = session.get(User, user_id)
    record_event(
        session,
        actor_id=actor_id,
        action="role.removed",
        organisation_id=grant.organisation_id,
        network_id=grant.network_id,
        subject=user.email if user else "",
        detail={"role": grant.role},
    )
    session.delete(grant)
    session.flush()
    session.expire_all()
    return True


def authenticate(session: Session, email: str, password: str) -> Account | None:
    """The account when email and password match an active account, else None.

    Costs one argon2 verification whatever the outcome, so timing tells nothing."""
    email = normalise_email(email)
    # PostgreSQL refuses NUL in text; no stored address has one anyway.
    user = None if "\x00" in email else session.scalar(select(User).where(User.email == email))
    if user is None or len(password) > 1024:
        burn_time(password[:1024])
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_sign_in_at = utcnow()
    session.flush()
    return account(session, user.id)


def change_password(session: Session, user_id: int, current: str, new: str) -> int | None:
    """The account's new session epoch, or None when `current` is wrong. Every other
    session ends; the caller gives its own session the new epoch."""
    user = session.get(User, user_id)
    if user is None or not verify_password(user.password_hash, current):
        return None
    _set_password(session, user, new, actor_id=user.id)
    return user.session_epoch


def reset_password(session: Session, user_id: int, *, actor_id: int | None) -> str:
    """A new generated password, shown once to whoever reset it."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    password = generate_password()
    _set_password(session, user, password, actor_id=actor_id)
    return password


def _set_password(session: Session, user: User, password: str, *, actor_id: int | None) -> None:
    # Every password set on an account passes the rules, generated ones included.
    check_rules(password, user.email)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.session_epoch += 1
    record_event(session, actor_id=actor_id, action="user.password_changed", subject=user.email)
    session.flush()


def end_sessions(session: Session, user_id: int) -> None:
    """Every session cookie of this user stops working (sign-out ends them everywhere)."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_epoch += 1
        session.flush()


def update_user(
    session: Session, user_id: int, *, name: str, is_active: bool, actor_id: int | None
) -> None:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    name = clean_display_name(name)
    changes: dict[str, object] = {}
    if name != user.name:
        changes["name"] = name
        user.name = name
    if is_active != user.is_active:
        changes["active"] = is_active
        user.is_active = is_active
        if not is_active:
            user.session_epoch += 1
    if changes:
        record_event(
            session, actor_id=actor_id, action="user.updated", subject=user.email, detail=changes
        )
        session.flush()


DEMO_PASSWORDS = {
    "admin": "demo-admin-2025",
    "coordinator": "demo-coordinator-2025",
    "head": "demo-head-2025",
    "staff": "demo-staff-2025",
}


def create_demo_users(
    session: Session, organisation_ids: Sequence[int], network_id: int
) -> list[tuple[str, str, str]]:
    """One user of each role with fixed, published passwords (for demos only):
    head and staff of the first organisation. Returns (email, password, role description)."""
    if not organisation_ids:
        raise StoreError("the demo users need at least one organisation")
    org_id = organisation_ids[0]
    plan: list[tuple[str, str, int | None, int | None]] = [
        ("admin@demo.example", "admin", None, None),
        ("coordinator@demo.example", "coordinator", None, network_id),
        ("head@demo.example", "head", org_id, None),
        ("staff@demo.example", "staff", org_id, None),
    ]
    created: list[tuple[str, str, str]] = []
    for email, role, organisation_id, net_id in plan:
        user_id = create_user(session, email, DEMO_PASSWORDS[role], actor_id=None)
        grant_id = add_role(
            session,
            user_id,
            role,
            organisation_id=organisation_id,
            network_id=net_id,
            actor_id=None,
        )
        found = account(session, user_id)
        grant = next(g for g in found.grants if g.id == grant_id) if found else None
        created.append((email, DEMO_PASSWORDS[role], describe(grant) if grant else role))
    return created
