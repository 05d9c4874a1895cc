"""Everything a viewer can fetch of one cycle, reduced to figures (tests.privacy.records).

The viewer asks for every output a person with their role could open: the API document,
the results page, each item's page and histogram chart, every breakdown the page offers,
the radar chart, the CSV and XLSX downloads, the printable report and its PDF. What
cannot be read (403, 404, 409: not theirs, not published, not released) adds nothing.
URLs are built as a person could type them, not only from the links on the pages.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Any

from qms.methodology.model import Item, Methodology
from tests.privacy import exports_read
from tests.privacy.env import Client
from tests.privacy.parse import (
    Page,
    comments,
    digest,
    first_number,
    numbers,
    page,
    pdf_text,
    svg_texts,
)
from tests.privacy.records import (
    ONE_DECIMAL,
    SUPPRESSED,
    CellFigure,
    Comments,
    Document,
    ItemFigure,
    Observation,
    ScoreFigure,
)

MISSING = ("n", "dk", "na", "blank")


def _get(client: Client, url: str) -> Any:
    sep = "&" if "?" in url else "?"
    return client.get(f"{url}{sep}lang=en")


def option_labels(m: Methodology, item: Item) -> dict[str, str]:
    """Label shown in English -> option value as text."""
    scale = m.item_scale(item)
    if scale.is_range:
        return {str(v): str(v) for v in scale.values()}
    return {o.label.get("en"): str(o.value) for o in scale.options}


def scored_items(m: Methodology) -> list[Item]:
    return [i for g in m.groups for i in m.questionnaires[g.id].items if i.is_scored]


class PdfMemo:
    """The PDF is the printable report rendered by WeasyPrint (~1 s): it is fetched again
    only when the report page shows other figures than at the last fetch (at most
    `limit` times: the machines sample it), and each fetch is checked to show no number
    the report page does not."""

    def __init__(self, limit: int | None = None) -> None:
        self.seen: dict[int, str] = {}
        self.left = limit

    def wants(self, cycle_id: int, shown: str) -> bool:
        if self.seen.get(cycle_id) == shown or self.left == 0:
            return False
        self.seen[cycle_id] = shown
        if self.left is not None:
            self.left -= 1
        return True


ALL = frozenset(
    {"api", "results", "items", "breakdowns", "charts", "exports", "comments", "report", "compare"}
)
DOWNLOADS = frozenset({"api", "results", "breakdowns", "exports"})  # a repeat download


def observe_cycle(
    client: Client,
    cycle_id: int,
    m: Methodology,
    obs: Observation,
    pdf: PdfMemo | None = None,
    groups: Collection[str] | None = None,
    parts: Collection[str] = ALL,
) -> None:
    """`groups`: the groups whose item pages and breakdowns to open (all by default; a
    world passes those that have any response, the others' pages have nothing);
    `parts`: what to fetch (ALL; DOWNLOADS when the viewer downloads again)."""
    base = f"/staff/cycles/{cycle_id}"
    _api(client, cycle_id, obs)
    results = _get(client, f"{base}/results")
    if results.status_code != 200:
        return
    view = page(results.text)
    _results_page(view, cycle_id, m, obs)
    for item in scored_items(m) if "items" in parts else ():
        if groups is None or m.item_group(item.id) in groups:
            _item_page(client, cycle_id, m, item, obs)
    for by, _label in view.options.get("by", []) if "breakdowns" in parts else ():
        if groups is None or (m.has_item(by) and m.item_group(by) in groups):
            _breakdown(client, cycle_id, m, by, obs)
    if "charts" in parts:
        radar = client.get(f"{base}/charts/radar.svg")
        obs.documents.append(
            Document(
                "radar-svg", f"cycle {cycle_id}", digest(radar.status_code, svg_texts(radar.text))
            )
        )
    for fmt in ("csv", "xlsx") if "exports" in parts else ():
        got = client.get(f"{base}/export.{fmt}")
        if got.status_code == 200:
            exports_read.read_export(fmt, got.content, cycle_id, m, obs)
    if "comments" in parts:
        _comments_page(client, cycle_id, m, obs)
    if "compare" in parts:
        got = _get(client, f"{base}/compare")
        shown = [[c.text for c in r] for t in page(got.text).tables for r in t.rows]
        obs.documents.append(
            Document("compare", f"cycle {cycle_id}", digest(got.status_code, shown))
        )
    report = _get(client, f"{base}/report") if "report" in parts else None
    if report is not None and report.status_code == 200:
        shown_report = _report(report.text, cycle_id, m, obs)
        if pdf is not None and pdf.wants(cycle_id, shown_report):
            _pdf(client, cycle_id, report.text, obs)


def _api(client: Client, cycle_id: int, obs: Observation) -> None:
    got = client.get(f"/api/v1/cycles/{cycle_id}/scores")
    if got.status_code != 200:
        obs.documents.append(Document("api", f"cycle {cycle_id}", str(got.status_code)))
        return
    doc = got.json()
    for it in doc["items"]:
        counts = {k: int(it[k]) for k in MISSING}
        if it["histogram"] is not None:
            counts.update({str(v): int(n) for v, n in it["histogram"].items()})
        obs.items.append(ItemFigure("api", cycle_id, it["group"], it["item"], counts, it["mean"]))
    for s in doc["scores"]:
        obs.scores.append(ScoreFigure("api", cycle_id, s["node"], s["group"], s["score"]))
    overall = doc["overall"]
    obs.scores.append(ScoreFigure("api", cycle_id, "overall", None, overall["composite"]))
    for g, v in overall["by_group"].items():
        obs.scores.append(ScoreFigure("api", cycle_id, "overall", g, v))
    obs.documents.append(
        Document(
            "api",
            f"cycle {cycle_id}",
            digest(json.dumps({k: v for k, v in doc.items() if k != "cycle"}, sort_keys=True)),
        )
    )


def _item_id(href: str) -> str:
    return href.rsplit("/results/items/", 1)[1] if "/results/items/" in href else ""


def _results_page(view: Page, cycle_id: int, m: Methodology, obs: Observation) -> None:
    shown: list[object] = []
    for table in view.tables:
        if "items" not in table.classes.split():
            continue
        for row in table.rows[1:]:
            item_id = _item_id(row[0].href)
            if not item_id or not m.has_item(item_id):
                continue
            n = int(first_number(row[-1].text) or 0)
            mean = first_number(row[1].text) if len(row) == 4 else None
            obs.items.append(
                ItemFigure(
                    "results-page",
                    cycle_id,
                    m.item_group(item_id),
                    item_id,
                    {"n": n},
                    mean,
                    ONE_DECIMAL,
                )
            )
            shown.append((item_id, n, mean))
    criteria = view.table("results-table")
    if criteria is not None:
        shown.extend(_criteria(criteria, cycle_id, m, obs, "results-page"))
    # Every table of the page (gaps, the radar's data, comment counts...): all of it must
    # stay as it is while the releases do.
    shown.extend([[c.text for c in r] for t in view.tables for r in t.rows])
    obs.documents.append(Document("results-page", f"cycle {cycle_id}", digest(shown)))


def _criteria(
    table: Any, cycle_id: int, m: Methodology, obs: Observation, source: str
) -> list[object]:
    """The criterion × group table: a score where shown (one decimal)."""
    header = [c.text for c in table.rows[0]]
    titles = {g.title.get("en"): g.id for g in m.groups}
    columns: list[str | None] = []
    for text in header[1:]:
        columns.append(next((gid for t, gid in titles.items() if text.startswith(t)), None))
    nodes = {f"{c.id} {c.title.get('en')}": c.id for c in m.criteria for c in (c, *c.subcriteria)}
    shown: list[object] = []
    for row in table.rows[1:]:
        label = row[0].text
        node = "overall" if label == "Overall" else nodes.get(label)
        if node is None:
            continue
        for group, cell in zip(columns, row[1:], strict=False):
            if "score" not in cell.classes.split():
                continue
            value = first_number(cell.text)
            obs.scores.append(ScoreFigure(source, cycle_id, node, group, value, ONE_DECIMAL))
            shown.append((node, group, value, cell.text))
    return shown


def _item_page(client: Client, cycle_id: int, m: Methodology, item: Item, obs: Observation) -> None:
    base = f"/staff/cycles/{cycle_id}"
    got = _get(client, f"{base}/results/items/{item.id}")
    group = m.item_group(item.id)
    shown: list[object] = [got.status_code]
    if got.status_code == 200:
        view = page(got.text)
        facts = view.facts
        if facts:
            scale = m.item_scale(item)
            labels: dict[str, str] = {c.code: c.label.get("en") for c in scale.missing}
            counts = {"n": int(first_number(facts.get("Valid answers", "")) or 0)}
            for code, fallback in (("dk", "Don't know"), ("na", "Not applicable")):
                counts[code] = int(first_number(facts.get(labels.get(code, fallback), "0")) or 0)
            counts["blank"] = int(first_number(facts.get("No answer", "0")) or 0)
            data = view.table("chart-data")
            to_value = option_labels(m, item)
            for row in data.rows[1:] if data else []:
                value = to_value.get(row[0].text)
                if value is not None:
                    counts[value] = int(first_number(row[1].text) or 0)
            mean = first_number(facts.get("Mean (0–100)", ""))
            obs.items.append(
                ItemFigure("item-page", cycle_id, group, item.id, counts, mean, ONE_DECIMAL)
            )
            shown.append(sorted(counts.items()))
            shown.append(mean)
        else:
            shown.append(view.text.count("fewer than"))
    svg = client.get(f"{base}/charts/items/{item.id}/histogram.svg")
    shown.append(svg.status_code)
    if svg.status_code == 200:
        texts = svg_texts(svg.text)
        values = [str(v) for v in m.item_scale(item).values()]
        bars = texts[-len(values) :]
        counts = {v: int(float(b)) for v, b in zip(values, bars, strict=True)}
        obs.items.append(ItemFigure("histogram-svg", cycle_id, group, item.id, counts))
        shown.append(texts)
    obs.documents.append(Document("item-page", f"cycle {cycle_id} {item.id}", digest(shown)))


def _breakdown(client: Client, cycle_id: int, m: Methodology, by: str, obs: Observation) -> None:
    got = _get(client, f"/staff/cycles/{cycle_id}/results?by={by}")
    table = page(got.text).table("breakdown") if got.status_code == 200 else None
    shown: list[object] = [got.status_code]
    if table is not None and m.has_item(by):
        choice = m.item(by)
        to_value = {o.label.get("en"): o.value for o in choice.options}
        to_value["No answer"] = ""
        # Any other column ("Answer not shown") holds the respondents whose answer the
        # download hides: it is their cell, as the marker is their value in the rows.
        cells = [to_value.get(c.text, SUPPRESSED) for c in table.rows[0][1:]]
        group = m.item_group(by)
        texts = {i.text.get("en"): i.id for i in m.questionnaires[group].items}
        for row in table.rows[1:]:
            item_id = texts.get(row[0].text)
            if item_id is None:
                continue
            for cell, shown_cell in zip(cells, row[1:], strict=False):
                if "few" in shown_cell.classes.split():
                    n, mean = None, None
                else:
                    found = numbers(shown_cell.text)
                    mean, n = found[0], int(found[-1])
                obs.cells.append(CellFigure("breakdown", cycle_id, by, item_id, cell, n, mean))
                shown.append((item_id, cell, n, mean))
    obs.documents.append(Document("breakdown", f"cycle {cycle_id} by {by}", digest(shown)))


def _report(html: str, cycle_id: int, m: Methodology, obs: Observation) -> str:
    view = page(html)
    shown: list[object] = []
    criteria = view.table("results-table")
    if criteria is not None:
        shown.extend(_criteria(criteria, cycle_id, m, obs, "report"))
    for table in view.tables:
        if not table.classes:
            shown.extend(tuple(c.text for c in r) for r in table.rows)
    found = _by_item(m, comments(html))
    for item, texts in found.items():
        obs.comments.append(Comments("report", cycle_id, item, tuple(texts)))
    text = digest(shown, sorted((i, sorted(t)) for i, t in found.items()))
    obs.documents.append(Document("report", f"cycle {cycle_id}", text))
    return text


def _by_item(m: Methodology, found: list[tuple[str, str]]) -> dict[str, list[str]]:
    questions = {i.text.get("en"): i.id for i in m.items() if i.type == "text"}
    by_item: dict[str, list[str]] = {}
    for question, text in found:
        by_item.setdefault(questions.get(question, question), []).append(text)
    return by_item


def _comments_page(client: Client, cycle_id: int, m: Methodology, obs: Observation) -> None:
    got = _get(client, f"/staff/cycles/{cycle_id}/comments")
    shown: list[object] = [got.status_code]
    if got.status_code == 200:
        found = _by_item(m, comments(got.text))
        for item, texts in found.items():
            obs.comments.append(Comments("comments-page", cycle_id, item, tuple(texts)))
        shown.extend(sorted((i, sorted(t)) for i, t in found.items()))
    obs.documents.append(Document("comments-page", f"cycle {cycle_id}", digest(shown)))


def _pdf(client: Client, cycle_id: int, report_html: str, obs: Observation) -> None:
    got = client.get(f"/staff/cycles/{cycle_id}/export.pdf?lang=en")
    if got.status_code != 200:
        return
    text = pdf_text(got.content)
    if text is None:
        return  # poppler missing: the PDF's figures are checked where it is installed
    # Page footers ("2/4") are the PDF's own; every other number must be on the page.
    text = re.sub(r"(?m)^\s*\d+/\d+\s*$", "", text)
    on_page = {round(x, 1) for x in numbers(page(report_html).text)}
    extra = sorted({round(x, 1) for x in numbers(text)} - on_page)
    obs.documents.append(Document("pdf-extra-numbers", f"cycle {cycle_id}", repr(extra)))
