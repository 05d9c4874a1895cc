"""`qms export`: a cycle's answers (CSV in the import's long format), workbook (XLSX) or
report (PDF), made by the same functions as the web downloads, with the same
suppression of small groups (METHODOLOGY.md §3.4)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

import click

from qms.commands.common import CommandError, database_session
from qms.commands.orgs import store_errors
from qms.exports import answers, report, workbook
from qms.store import consensus, plan, results
from qms.store.cycles import get_cycle
from qms.web.i18n import DEFAULT_LANGUAGE, LANGUAGES


@click.command("export")
@click.option("--cycle", "cycle_id", required=True, type=int, metavar="ID")
@click.option("--format", "fmt", required=True, type=click.Choice(["csv", "xlsx", "pdf"]))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE instead of standard output.")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default=DEFAULT_LANGUAGE,
              show_default=True, help="Language of titles and of the report.")
def export(cycle_id: int, fmt: str, output: Path | None, lang: str) -> None:
    """Export cycle ID as csv (answers that `qms responses import` reads back to the
    same scores), xlsx (scores, items, answers) or pdf (the report).

    Groups and items below their minimum size are left out of every format.
    """
    with database_session() as session, store_errors():
        cycle = get_cycle(session, cycle_id)
        data = results.cycle_results(session, cycle)
        if fmt == "pdf":
            context = report.report_context(
                data, plan.actions_for_cycle(session, cycle.id), cycle.snapshot_hash, lang,
                chart_ext="png", notes=consensus.consensus_notes(session, cycle),
            )
            content = report.report_pdf(context)
        else:
            rows = answers.answer_rows(
                data.methodology, data.scores, results.counted_responses(session, cycle),
                dict(data.respondents),
            )
            content = (
                answers.csv_bytes(rows) if fmt == "csv"
                else workbook.workbook_bytes(data, rows, lang)
            )
        results.record_export(session, cycle, fmt, actor_id=None)
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
    click.echo(f"{output}: cycle {cycle_id} exported as {fmt}", err=True)
