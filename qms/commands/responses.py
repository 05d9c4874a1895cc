"""`qms responses import`: answers from a CSV file, all or nothing."""

from __future__ import annotations

from pathlib import Path

import click

from qms.commands.common import CommandError, database_session
from qms.commands.orgs import store_errors
from qms.imports.csvfile import CsvFileError, stream_file
from qms.imports.validate import validate_rows
from qms.store.cycles import get_cycle, require_open
from qms.store.importing import ImportRejected, import_responses
from qms.store.snapshots import cycle_methodology

IMPORT_HELP = """Import answers from FILE.csv into cycle ID, all or nothing.

\b
The file has a header naming the columns respondent,group,item,value (any order) and
one line per answer. UTF-8 (with or without BOM), comma or semicolon separated.
\b
  scale   the option value as an integer (4, not 4.0 or 04), or dk / na where the
          item's scale declares them; an empty value is a blank answer
  choice  one option value
  multi   option values separated by | (e.g. first_aid|dementia)
  number  a decimal number (12.5 or 12,5) within the item's min and max
  text    at most the item's max_length characters
\b
Answers to items that the respondent's own answers hide (`when`) are refused, as is
an item answered twice or a respondent in two groups. In the organisation
(consensus) group the respondent `consensus` is the consensus record, the only one
scored; any other id there is a working-group member's own entry, stored as
assessor:<id> and never scored. Respondents already in the cycle are refused unless
--replace is given (their answers are then replaced). Missing required answers are
accepted and counted in a warning. Every bad row is reported as FILE:LINE: reason
(the header is line 1) and nothing is stored."""


@click.group("responses")
def responses() -> None:
    """Responses of a cycle."""


@responses.command("import", help=IMPORT_HELP)
@click.option("--cycle", "cycle_id", required=True, type=int, metavar="ID")
@click.option(
    "--replace", is_flag=True, help="Replace the answers of respondents already in the cycle."
)
@click.argument("file", metavar="FILE.csv", type=click.Path(path_type=Path))
def responses_import(cycle_id: int, replace: bool, file: Path) -> None:
    label = str(file)
    with database_session() as session, store_errors():
        cycle = get_cycle(session, cycle_id)
        require_open(cycle)
        methodology = cycle_methodology(cycle)
        try:
            # Streamed: rows are checked as they are read, never all held at once.
            parsed = validate_rows(methodology, stream_file(file, label))
        except CsvFileError as exc:
            raise CommandError(str(exc)) from exc
        try:
            result = import_responses(session, cycle, parsed, label=label, replace=replace)
        except ImportRejected as rejected:
            session.rollback()
            for line in rejected.lines:
                click.echo(line, err=True)
            summary = f"{label}: {rejected.total} bad row(s); nothing was imported"
            raise CommandError(summary) from None
        session.commit()
    if result.missing_required:
        click.echo(
            f"warning: {label}: {result.missing_required} required answer(s) missing "
            "(accepted: paper forms have gaps)",
            err=True,
        )
    click.echo(
        f"{label}: imported {result.created + result.replaced} respondent(s) "
        f"({result.replaced} replaced), {result.answers} answer(s) into cycle {cycle_id}",
        err=True,
    )
