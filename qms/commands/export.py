"""`qms export`: a cycle's answers (CSV), workbook (XLSX) or report (PDF), made by the
same functions as the web downloads, under the same disclosure rules (METHODOLOGY.md
§5), and the operator's round-trip form (`--full`), which no page offers."""

from __future__ import annotations

import random
import sys
from pathlib import Path
from typing import BinaryIO

import click

from qms.commands.common import CommandError, database_session
from qms.commands.orgs import store_errors
from qms.exports import answers, report, workbook
from qms.i18n import DEFAULT_LANGUAGE, LANGUAGES
from qms.store import comments, consensus, plan, results
from qms.store.cycles import get_cycle
from qms.store.snapshots import cycle_methodology


@click.command("export")
@click.option("--cycle", "cycle_id", required=True, type=int, metavar="ID")
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "xlsx", "pdf"]))
@click.option(
    "--full",
    is_flag=True,
    help="csv only: the round-trip form for `qms responses import`, with "
    "identifying detail (operators only).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of standard output.",
)
@click.option(
    "--lang",
    type=click.Choice(list(LANGUAGES)),
    default=DEFAULT_LANGUAGE,
    show_default=True,
    help="Language of titles, notes and the report.",
)
def export(cycle_id: int, fmt: str, full: bool, output: Path | None, lang: str) -> None:
    """Export cycle ID as csv (the answers), xlsx (scores, items, answers, comments,
    about) or pdf (the report).

    Without --full, the answers are the form the organisation's staff download
    (METHODOLOGY.md §5.3): from the cycle's releases, only groups with at least their
    minimum of respondents, random labels and order on every export, rare choice and
    number answers shown as [suppressed], free text in a separate comments table, and
    a note on what was hidden and why. An open cycle without releases has no answers
    yet.

    --full (with --format csv) writes the round-trip form that `qms responses import`
    reads back to the same scores: every answer of every counted respondent, as the
    live tables hold it now, open cycle or not, under stable respondent ids (import
    ids as they were imported). IT HOLDS IDENTIFYING DETAIL: respondent ids can be
    names, free-text answers name people, and rare answers single people out. It is
    for operators with database access (backups, moves between installations); never
    hand it to organisation staff.
    """
    if full and fmt != "csv":
        raise CommandError("--full is only for --format csv")
    with database_session() as session, store_errors():
        cycle = get_cycle(session, cycle_id)
        if full:
            rows = answers.full_rows(
                cycle_methodology(cycle), results.counted_responses(session, cycle)
            )
            content = answers.full_csv_bytes(rows)
        elif fmt == "pdf":
            data = results.cycle_results(session, cycle)
            context = report.report_context(
                data,
                plan.actions_for_cycle(session, cycle.id),
                cycle.snapshot_hash,
                lang,
                notes=consensus.consensus_notes(session, cycle),
                comments=comments.cycle_comments(session, cycle),
            )
            content = report.report_pdf(context)
        else:
            staff = answers.staff_answers(
                session, cycle, comments.cycle_comments(session, cycle), random.SystemRandom()
            )
            content = (
                answers.staff_csv_bytes(staff, lang)
                if fmt == "csv"
                else workbook.workbook_bytes(results.cycle_results(session, cycle), staff, lang)
            )
        results.record_export(session, cycle, "csv-full" if full else fmt, actor_id=None)
        session.commit()
    if output is None:
        stream: BinaryIO = sys.stdout.buffer
        stream.write(content)
        stream.flush()
        return
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise CommandError(f"{output}: cannot write the file: {exc.strerror or exc}") from exc
    kind = "csv (full, identifying detail)" if full else fmt
    click.echo(f"{output}: cycle {cycle_id} exported as {kind}", err=True)
