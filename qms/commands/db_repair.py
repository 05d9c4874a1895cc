"""`qms db repair [--cycle ID] [--check]`."""

from __future__ import annotations

import click

from qms.commands.common import database_session
from qms.commands.orgs import store_errors
from qms.store.repair import Drift, Value, check_cycle, cycle_ids, repair_cycle


def _shown(value: Value) -> str:
    return "(none)" if value is None else str(value)  # every digit: drift can be small


def _line(drift: Drift) -> str:
    return (
        f"cycle {drift.cycle_id} {drift.table} {drift.key}:"
        f" {_shown(drift.stored)} -> {_shown(drift.derived)}"
    )


@click.command("repair")
@click.option("--cycle", "cycle_id", type=int, metavar="ID", help="One cycle (default: all).")
@click.option("--check", is_flag=True, help="Only report drift: exit 1 on drift, 0 when clean.")
@click.pass_context
def repair(ctx: click.Context, cycle_id: int | None, check: bool) -> None:
    """Recount item_counts and rebuild organisation scores.

    item_counts (the running counts of the live answers) are recounted from the stored
    responses and answers; the organisation scores and response totals that networks
    read are rebuilt from each closed cycle's releases (an open cycle has none). Each
    changed value is printed as "cycle ID TABLE KEY: OLD -> NEW".

    Releases (what was published: their counts, responses and figures) are never
    changed, nor are responses, answers or anything else: a figure shown from a
    release stays as it was published.
    """
    changed = 0
    with database_session() as session, store_errors():
        ids = cycle_ids(session, cycle_id)
        session.rollback()
        for one in ids:
            # One cycle a transaction: the cycle's lock holds its saves for that long only.
            drift = check_cycle(session, one) if check else repair_cycle(session, one)
            if check:
                session.rollback()
            else:
                session.commit()
            for found in drift:
                click.echo(_line(found))
            changed += len(drift)
    if check:
        if changed:
            click.echo(f"{changed} drifted value(s): `qms db repair` rebuilds them", err=True)
            ctx.exit(1)
        click.echo(f"no drift in {len(ids)} cycle(s)", err=True)
        return
    click.echo(f"{changed} value(s) repaired in {len(ids)} cycle(s)", err=True)
