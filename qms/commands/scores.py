"""`qms scores`: METHODOLOGY.md §3 for one cycle, as JSON or CSV, in full precision.

A closed cycle's figures are those of its current releases, exactly what every page,
file and the API show (METHODOLOGY.md §5.2); an open cycle's are its live figures
(the operator's look at a collection in progress, which no page shows), under the same
thresholds. The JSON says which in its top-level "source": "release" or "live".

The CSV is one table, one row per record; `record` says which columns apply:
  item     group,item,n,dk,na,blank,mean,sd,top_box,reportable,histogram
           (histogram as value:count pairs joined by |, e.g. 1:0|2:3|4:5)
  score    node,group,score,groups   (group empty for the composite; groups joined by |)
  overall  group,score               (group empty for the overall composite)
Absent values are empty cells; numbers are written with repr(), i.e. full precision.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click

from qms.commands.common import database_session
from qms.commands.orgs import store_errors
from qms.exports.csvsafe import neutralise
from qms.scoring.document import ITEM_KEYS
from qms.scoring.document import scores_document as document_of
from qms.store.cycles import cycle_info, get_cycle
from qms.store.scores import cycle_scores, live_scores

CSV_COLUMNS = (
    "record",
    "group",
    "item",
    "node",
    "n",
    "dk",
    "na",
    "blank",
    "mean",
    "sd",
    "top_box",
    "reportable",
    "histogram",
    "score",
    "groups",
)


def scores_document(cycle_id: int) -> dict[str, Any]:
    with database_session() as session, store_errors():
        cycle = get_cycle(session, cycle_id)
        info = cycle_info(session, cycle_id)
        if cycle.status == "closed":
            return document_of(info, cycle_scores(session, cycle), "release")
        return document_of(info, live_scores(session, cycle), "live")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return neutralise(value) if isinstance(value, str) else str(value)


def csv_rows(document: dict[str, Any]) -> list[dict[str, str]]:
    rows: list[dict[str, Any]] = []
    for item in document["items"]:
        histogram = item["histogram"]
        rows.append(
            {
                "record": "item",
                **{k: item[k] for k in ITEM_KEYS if k != "histogram"},
                "histogram": None
                if histogram is None
                else "|".join(f"{v}:{n}" for v, n in histogram.items()),
            }
        )
    for score in document["scores"]:
        rows.append({"record": "score", **score, "groups": "|".join(score["groups"])})
    overall = document["overall"]
    rows.append({"record": "overall", "group": None, "score": overall["composite"]})
    for group, value in overall["by_group"].items():
        rows.append({"record": "overall", "group": group, "score": value})
    return [{c: _cell(row.get(c)) for c in CSV_COLUMNS} for row in rows]


@click.command("scores")
@click.option("--cycle", "cycle_id", required=True, type=int, metavar="ID")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True
)
def scores(cycle_id: int, fmt: str) -> None:
    """Item statistics and scores of cycle ID (METHODOLOGY.md §3), in full precision.

    A closed cycle shows its release (what the pages show); an open one its live
    figures, which no page shows, under the same thresholds.

    \b
    json: {"cycle", "source", "items", "scores", "overall"} as DESIGN.md describes;
          "source" is "release" (a closed cycle) or "live" (an open one).
    csv:  one row per record: first the items (record=item), then the scores
          (record=score: node, group, score, groups joined by |), then the overall
          scores (record=overall); empty cells for absent values.
    """
    document = scores_document(cycle_id)
    if fmt == "json":
        click.echo(json.dumps(document, ensure_ascii=False, allow_nan=False, indent=2))
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(document))
    click.echo(buffer.getvalue(), nl=False)
