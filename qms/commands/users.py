"""`qms user create`: the first admin, and scripted accounts."""

from __future__ import annotations

import sys

import click
from sqlalchemy.orm import Session

from qms.commands.common import CommandError, database_session
from qms.store import directory, users
from qms.store.errors import StoreError
from qms.store.models.accounts import ROLES
from qms.store.passwords import WeakPassword, generate_password


@click.group("user")
def user() -> None:
    """People who sign in to the staff area."""


def _scope(
    role: str, org: str | None, network: str | None, session: Session
) -> tuple[int | None, int | None, str]:
    """(organisation id, network id, description) for the role; one-line errors."""
    if role in ("head", "staff"):
        if not org:
            raise CommandError(f"--role {role} needs --org NAME")
        if network:
            raise CommandError(f"--role {role} takes --org, not --network")
        found = directory.organisation_by_name(session, org)
        if found is None:
            raise CommandError(f"no organisation named {org!r}")
        return found.id, None, f"{role} of {found.name}"
    if role == "coordinator":
        if not network:
            raise CommandError("--role coordinator needs --network NAME")
        if org:
            raise CommandError("--role coordinator takes --network, not --org")
        found = directory.network_by_name(session, network)
        if found is None:
            raise CommandError(f"no network named {network!r}")
        return None, found.id, f"coordinator of {found.name}"
    if org or network:
        raise CommandError("--role admin takes neither --org nor --network")
    return None, None, "admin"


@user.command("create")
@click.argument("email")
# A plain string, checked below: click's own choice error spans several lines.
@click.option("--role", required=True, metavar="|".join(ROLES), help="What the person may do.")
@click.option("--org", metavar="NAME", help="The organisation of a head or staff member.")
@click.option("--network", metavar="NAME", help="The network of a coordinator.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of generating one.",
)
def user_create(
    email: str, role: str, org: str | None, network: str | None, password_stdin: bool
) -> None:
    """Create the account EMAIL with a role, or add the role to an existing account.

    Without --password-stdin a strong password is generated and printed (alone, on
    standard output) this once.
    """
    if role not in ROLES:
        raise CommandError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    try:
        address = users.check_email(email)
    except users.BadEmail as bad:
        raise CommandError(str(bad)) from bad
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    with database_session() as session:
        organisation_id, network_id, described = _scope(role, org, network, session)
        existing = users.account_by_email(session, address)
        try:
            if existing is None:
                generated = password is None
                password = password if password is not None else generate_password()
                user_id = users.create_user(session, address, password, actor_id=None)
            else:
                generated, user_id = False, existing.id
            users.add_role(
                session,
                user_id,
                role,
                organisation_id=organisation_id,
                network_id=network_id,
                actor_id=None,
            )
        except users.RoleHeld as held:
            raise CommandError(f"user {address} already exists and is {described}") from held
        except WeakPassword as weak:
            raise CommandError(str(weak)) from weak
        except StoreError as failed:
            raise CommandError(str(failed)) from failed
        session.commit()
    if existing is not None:
        note = " (password unchanged)" if password_stdin else ""
        click.echo(f"user {address} exists; added role {described}{note}", err=True)
        return
    click.echo(f"user created: {address}, {described}", err=True)
    if generated:
        click.echo(password)
