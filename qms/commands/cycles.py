"""`qms cycle create` (and close / reopen)."""

from __future__ import annotations

import click

from qms.commands.common import database_session
from qms.commands.orgs import store_errors
from qms.settings import Settings
from qms.store import cycles, orgs
from qms.store.snapshots import read_snapshot


@click.group("cycle")
def cycle() -> None:
    """Assessment cycles: one organisation, one year, one methodology."""


@cycle.command("create")
@click.option("--org", "org_name", required=True, metavar="NAME", help="The organisation.")
@click.option("--year", required=True, type=int, metavar="YYYY")
@click.option(
    "--methodology",
    "methodology_id",
    metavar="ID",
    help="A methodology folder of QMS_QUESTIONNAIRES (default: QMS_DEFAULT_METHODOLOGY).",
)
def cycle_create(org_name: str, year: int, methodology_id: str | None) -> None:
    """Create an open cycle with a snapshot of the methodology; prints the cycle id alone."""
    settings = Settings.from_env()
    with database_session() as session, store_errors():
        organisation = orgs.get_organisation(session, org_name)
        snapshot = read_snapshot(
            settings.questionnaires, methodology_id or settings.default_methodology
        )
        created = cycles.create_cycle(session, organisation, year, snapshot)
        session.commit()
        click.echo(created.id)


@cycle.command("close")
@click.option("--cycle", "cycle_id", required=True, type=int, metavar="ID")
def cycle_close(cycle_id: int) -> None:
    """Close a cycle: it accepts no more answers; unfinished web responses with answers count."""
    with database_session() as session, store_errors():
        found = cycles.get_cycle(session, cycle_id)
        result = cycles.close_cycle(session, found)
        session.commit()
        click.echo(
            f"cycle {cycle_id} closed; {result.unfinished} unfinished response(s) counted",
            err=True,
        )
        for kept in result.kept:
            click.echo(
                f"group {kept.group} keeps release {kept.seq}: {kept.waiting} change(s) wait"
                " for the next release (a new one needs at least the group's minimum)",
                err=True,
            )


@cycle.command("reopen")
@click.option("--cycle", "cycle_id", required=True, type=int, metavar="ID")
def cycle_reopen(cycle_id: int) -> None:
    """Open a closed cycle again."""
    with database_session() as session, store_errors():
        cycles.reopen_cycle(session, cycles.get_cycle(session, cycle_id))
        session.commit()
        click.echo(f"cycle {cycle_id} is open", err=True)
