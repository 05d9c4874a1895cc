"""`qms codes create`: access codes for a group of a cycle, one a line."""

from __future__ import annotations

import click

from qms.commands.common import CommandError, database_session
from qms.store.codes import MAX_BATCH, create_codes
from qms.store.cycles import get_cycle
from qms.store.errors import StoreError


@click.group()
def codes() -> None:
    """Access codes for respondents."""


@codes.command("create")
@click.option("--cycle", "cycle_id", required=True, type=int, help="The cycle's id.")
@click.option("--group", required=True, help="A respondent group that takes part in the cycle.")
@click.option("--count", required=True, type=click.IntRange(1, MAX_BATCH), help="How many.")
def create(cycle_id: int, group: str, count: int) -> None:
    """Print COUNT new single-use codes for GROUP, one a line."""
    with database_session() as session:
        try:
            cycle = get_cycle(session, cycle_id)
            made = create_codes(session, cycle, group, count)
            session.commit()
        except StoreError as exc:
            raise CommandError(str(exc)) from exc
    click.echo("\n".join(made))
