"""`qms demo`: a planning region with organisations, three years of answers, a user of
each role and access codes for the open cycle, so that every page has something real."""

from __future__ import annotations

import time

import click
from sqlalchemy.orm import Session

from qms.commands.common import database_session
from qms.commands.orgs import store_errors
from qms.demo import REGION, SMALL_ORGS, load_demo
from qms.settings import Settings
from qms.store import directory
from qms.store.codes import create_codes
from qms.store.cycles import get_cycle, organisation_cycles
from qms.store.orgs import any_organisation
from qms.store.snapshots import read_snapshot
from qms.store.users import DEMO_PASSWORDS, account_by_email, create_demo_users

DEMO_CODES = {"clients": 5, "staff": 5}


def _demo_access(session: Session) -> tuple[list[tuple[str, str, str]], dict[str, list[str]]]:
    """Demo users of each role and a few codes for the first organisation's open cycle."""
    org_ids = [
        ref.id
        for name, _, _ in SMALL_ORGS
        if (ref := directory.organisation_by_name(session, name)) is not None
    ]
    region = directory.network_by_name(session, REGION)
    users = create_demo_users(session, org_ids, region.id) if region else []
    made: dict[str, list[str]] = {}
    open_cycles = [c for c in organisation_cycles(session, org_ids[0]) if c.status == "open"]
    if open_cycles:
        cycle = get_cycle(session, open_cycles[-1].id)
        made = {group: create_codes(session, cycle, group, n) for group, n in DEMO_CODES.items()}
    return users, made


def _print_logins(session: Session) -> None:
    for role, password in DEMO_PASSWORDS.items():
        email = f"{role}@demo.example"
        if account_by_email(session, email) is not None:
            click.echo(f"  {role:<12} {email:<28} password {password}", err=True)


@click.command("demo")
@click.option(
    "--size",
    type=click.Choice(["small", "region"]),
    default="small",
    show_default=True,
    help="small: five organisations; region: a dozen in two networks, more respondents.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has any organisation.")
def demo(size: str, if_empty: bool) -> None:
    """Load demo organisations, networks, three yearly cycles of answers, users and codes."""
    settings = Settings.from_env()
    started = time.perf_counter()
    with database_session() as session, store_errors():
        if if_empty and any_organisation(session):
            click.echo("demo: the database already has organisations; nothing loaded", err=True)
            click.echo("demo sign-ins (unless changed since):", err=True)
            _print_logins(session)
            return
        snapshot = read_snapshot(settings.questionnaires, settings.default_methodology)
        summary = load_demo(session, snapshot, size)
        _, codes = _demo_access(session)
        session.commit()
        click.echo(
            f"demo loaded in {time.perf_counter() - started:.1f} s: {summary.networks} "
            f"network(s), {summary.organisations} organisations, {summary.cycles} cycles, "
            f"{summary.responses} responses, {summary.answers} answers ({summary.methodology})",
            err=True,
        )
        click.echo("demo sign-ins at /login:", err=True)
        _print_logins(session)
        for group, group_codes in codes.items():
            click.echo(f"access codes for {group} (enter at /): {', '.join(group_codes)}", err=True)
