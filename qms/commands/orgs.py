"""`qms network create` and `qms org create`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import DBAPIError

from qms.commands.common import CommandError, database_session
from qms.store import orgs
from qms.store.errors import StoreError


@contextmanager
def store_errors() -> Iterator[None]:
    """The store's refusals become the command's one-line errors."""
    try:
        yield
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    except DBAPIError as exc:
        # The driver's message spans lines (SQL, parameters); its first line is the news.
        first = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise CommandError(
            f"database error: {first} (is the database migrated? `qms db upgrade`)"
        ) from exc


@click.group("network")
def network() -> None:
    """Networks: planning regions and project consortia."""


@network.command("create")
@click.argument("name")
def network_create(name: str) -> None:
    """Create the network NAME; prints its id."""
    with database_session() as session, store_errors():
        created = orgs.create_network(session, name)
        session.commit()
        click.echo(created.id)
        click.echo(f"network created: {created.name}", err=True)


@click.group("org")
def org() -> None:
    """Organisations: social service providers."""


@org.command("create")
@click.argument("name")
@click.option(
    "--network",
    "networks",
    multiple=True,
    metavar="NAME",
    help="A network the organisation joins (repeatable; it must exist).",
)
def org_create(name: str, networks: tuple[str, ...]) -> None:
    """Create the organisation NAME; prints its id."""
    with database_session() as session, store_errors():
        created = orgs.create_organisation(session, name, networks)
        session.commit()
        click.echo(created.id)
        click.echo(f"organisation created: {created.name}", err=True)
