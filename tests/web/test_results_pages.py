"""Results pages, charts and downloads: the table says what cycle_scores says, a group
below its minimum shows no values anywhere, and only the right people get in."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook

from qms.imports.csvfile import Row
from qms.imports.validate import validate_rows
from qms.scoring.display import fmt1
from qms.store import consensus
from qms.store.audit import list_events
from qms.store.cycles import close_cycle, create_cycle, get_cycle, reopen_cycle
from qms.store.db import Database
from qms.store.importing import import_responses
from qms.store.orgs import get_organisation
from qms.store.scores import cycle_scores
from qms.store.snapshots import cycle_methodology, read_snapshot

Client = TestClient[Litestar]
QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
# staff (min_n 5): 6 social workers, 5 carers, 1 "other"; managers (min_n 3): 3;
# clients (min_n 5): only 4, so every clients value must stay hidden.
STAFF_ROLES = ["social_worker"] * 6 + ["carer"] * 5 + ["other"]
SIZES = {"staff": len(STAFF_ROLES), "managers": 3, "clients": 4}


def _rows(methodology: Any) -> list[Row]:
    rows: list[Row] = []
    line = 2
    for group, size in SIZES.items():
        items = [i for i in methodology.questionnaires[group].items if i.type == "scale"]
        for r in range(size):
            answers: dict[str, str] = {}
            if group == "staff":
                answers["staff.role"] = STAFF_ROLES[r]
            for k, item in enumerate(items):
                if item.when is not None:
                    continue
                answers[item.id] = str(1 + (r * 3 + k * 7) % 5)
            for item_id, value in answers.items():
                rows.append(Row(line, f"{group}{r}", group, item_id, value))
                line += 1
    return rows


@pytest.fixture
def cycle_id(world: Any, database: Database) -> int:
    with database.session() as s:
        snapshot = read_snapshot(QUESTIONNAIRES, "socquality")
        cycle = create_cycle(s, get_organisation(s, "Org A"), 2026, snapshot)
        m = cycle_methodology(cycle)
        import_responses(s, cycle, validate_rows(m, _rows(m)), label="test")
        consensus.save_consensus(s, cycle, {"org.mission": 60, "org.leaders": 80}, actor_id=None)
        close_cycle(s, cycle)  # the pages show released figures only (METHODOLOGY.md §5.2)
        s.commit()
        return cycle.id


@pytest.fixture
def other_cycle(world: Any, database: Database) -> int:
    with database.session() as s:
        snapshot = read_snapshot(QUESTIONNAIRES, "socquality")
        made = create_cycle(s, get_organisation(s, "Org B"), 2026, snapshot)
        s.commit()
        return made.id


class _Tables(HTMLParser):
    """Rows of the tables of a page, by the table's class: [[cell text, ...], ...]."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("class") or ""
            self.tables.setdefault(self._table, [])
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table is not None:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _tables(html: str) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def test_the_table_shows_what_cycle_scores_says_with_n_and_hides_small_groups(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("head"))
    page = client.get(f"/staff/cycles/{cycle_id}/results?lang=en")
    assert page.status_code == 200
    with database.session() as s:
        cycle = get_cycle(s, cycle_id)
        scores = cycle_scores(s, cycle)
        m = cycle_methodology(cycle)
    groups = [g.id for g in m.groups]
    table = _tables(page.text)["results-table"]
    header, body = table[0], table[1:]
    assert header[1 + groups.index("clients")].startswith("Clients")
    nodes = [n for c in m.criteria for n in (c, *c.subcriteria)]
    assert [row[0].split(" ")[0] for row in body] == [n.id for n in nodes] + ["Overall"]
    checked = pending = 0
    for row, node in zip(body, nodes, strict=False):
        for gi, group in enumerate(groups):
            score = scores.score(node.id, group)
            text = row[1 + gi]
            if score is not None:
                assert text.startswith(fmt1(score) + " n = "), (node.id, group, text)
                checked += 1
            elif group == "clients" and not text.startswith("–"):  # "–" is "not asked"
                assert re.fullmatch(r"fewer than 5 answers n = [0-4]", text), text
            elif group == "organisation" and not text.startswith("–"):
                # The working group has no minimum to miss: it has not agreed yet.
                assert text == "no agreed score yet", (node.id, text)
                pending += 1
        composite = scores.score(node.id, None)
        if composite is not None:
            assert row[-1].startswith(fmt1(composite) + " groups: "), row[-1]
        else:
            assert row[-1].startswith("–"), row[-1]
    assert checked > 20 and pending > 5
    overall = body[-1]
    assert overall[-1].startswith(fmt1(scores.overall.composite))
    # Clients are below their minimum: no clients score anywhere, on the page or the chart.
    assert all(scores.score(n.id, "clients") is None for n in nodes)
    radar = _tables(page.text)["chart-data"]
    assert all(r[1 + groups.index("clients")] in ("fewer than 5 answers", "–") for r in radar[1:])
    assert any(r[1 + groups.index("staff")] not in ("fewer than 5 answers", "–") for r in radar[1:])
    svg = client.get(f"/staff/cycles/{cycle_id}/charts/radar.svg?lang=en")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert b"Staff" in svg.content and b"Clients" not in svg.content
    assert "style-src 'unsafe-inline'" in svg.headers["content-security-policy"]
    png = client.get(f"/staff/cycles/{cycle_id}/charts/radar.png")
    assert png.content.startswith(b"\x89PNG") and "attachment" in png.headers["content-disposition"]
    assert client.get(f"/staff/cycles/{cycle_id}/charts/radar.gif").status_code == 404
    # Gaps: largest first.
    gaps = _tables(page.text)["stack gaps"][1:]
    sizes = [abs(float(r[4])) for r in gaps]
    assert sizes and sizes == sorted(sizes, reverse=True)


def test_item_detail_shows_statistics_or_only_that_there_are_too_few(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("head"))
    with database.session() as s:
        stats = cycle_scores(s, get_cycle(s, cycle_id)).item("staff", "staff.values")
    assert stats is not None and stats.mean is not None and stats.ci is not None
    page = client.get(f"/staff/cycles/{cycle_id}/results/items/staff.values?lang=en")
    assert page.status_code == 200
    assert fmt1(stats.mean) in page.text
    assert f"{fmt1(stats.ci[0])}–{fmt1(stats.ci[1])}" in page.text
    assert "95% confidence interval" in page.text
    histogram = _tables(page.text)["chart-data"]
    assert sum(int(r[1]) for r in histogram[1:]) == stats.n == 12
    chart = client.get(f"/staff/cycles/{cycle_id}/charts/items/staff.values/histogram.svg")
    assert chart.status_code == 200

    small = client.get(f"/staff/cycles/{cycle_id}/results/items/clients.respect?lang=en")
    assert small.status_code == 200
    assert "Fewer than 5 answers" in small.text and "chart-data" not in small.text
    assert "confidence interval" not in small.text
    assert (
        client.get(
            f"/staff/cycles/{cycle_id}/charts/items/clients.respect/histogram.svg"
        ).status_code
        == 404
    )
    assert client.get(f"/staff/cycles/{cycle_id}/results/items/no.such").status_code == 404
    assert client.get(f"/staff/cycles/{cycle_id}/results/items/staff.role").status_code == 404


def test_breakdown_hides_the_small_cell_and_the_next_smallest(
    client: Client,
    world: Any,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("head"))
    page = client.get(f"/staff/cycles/{cycle_id}/results?lang=en&by=staff.role")
    assert page.status_code == 200
    table = _tables(page.text)["breakdown"]
    header = table[0]
    cols = {label.split(",")[0].split(" (")[0]: i for i, label in enumerate(header)}
    answered = [r for r in table[1:] if any(c != "hidden" for c in r[1:])]
    assert len(answered) >= 10  # the items with a `when` got no answers in this test
    for row in answered:
        assert re.fullmatch(r"\d+\.\d n = 6", row[cols["Social worker"]]), row
        assert row[cols["Carer"]] == "hidden"  # 5 answers, but the complement of "other"
        assert row[cols["Other"]] == "hidden"  # 1 answer
        assert row[cols["No answer"]] == "hidden"  # nobody
    bad = client.get(f"/staff/cycles/{cycle_id}/results?lang=en&by=nonsense")
    assert bad.status_code == 200 and "Choose a question from the list." in bad.text
    clients = client.get(f"/staff/cycles/{cycle_id}/results?lang=en&by=clients.service")
    assert all(
        cell == "hidden" for row in _tables(clients.text)["breakdown"][1:] for cell in row[1:]
    )


def test_staff_read_results_only_once_published_and_heads_decide(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    base = f"/staff/cycles/{cycle_id}"
    sign_in(client, world.email("staff"))
    waiting = client.get(base + "/results?lang=en")
    assert waiting.status_code == 200 and "not published yet" in waiting.text
    assert "results-table" not in waiting.text
    for path in ("/results/items/staff.values", "/charts/radar.svg", "/export.csv", "/report"):
        assert client.get(base + path).status_code == 404, path
    assert form_post(client, base + "/results/publish").status_code == 404

    client.cookies.clear()
    sign_in(client, world.email("head"))
    page = client.get(base + "/results?lang=en")
    assert "Publish to staff" in page.text
    done = form_post(client, base + "/results/publish")
    assert done.status_code == 303
    assert "published" in client.get(done.headers["location"] + "&lang=en").text
    again = form_post(client, base + "/results/publish")
    assert again.headers["location"].endswith("saved=same")

    client.cookies.clear()
    sign_in(client, world.email("staff"))
    page = client.get(base + "/results?lang=en")
    assert page.status_code == 200 and "Publish to staff" not in page.text
    assert "Withdraw from staff" not in page.text
    assert client.get(base + "/export.csv").status_code == 200

    client.cookies.clear()
    sign_in(client, world.email("head"))
    assert form_post(client, base + "/results/withdraw").status_code == 303
    client.cookies.clear()
    sign_in(client, world.email("staff"))
    assert "not published yet" in client.get(base + "/results?lang=en").text
    assert client.get(base + "/export.xlsx").status_code == 404
    with database.session() as s:
        actions = [e.action for e in list_events(s, organisation_id=world.org_a).events]
    assert {"results.published", "results.withdrawn", "results.exported"} <= set(actions)


@pytest.mark.parametrize("who", ["head_b", "coordinator", "nobody"])
def test_others_get_404(
    who: str,
    client: Client,
    world: Any,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email(who))
    base = f"/staff/cycles/{cycle_id}"
    for path in (
        "/results",
        "/results/items/staff.values",
        "/charts/radar.svg",
        "/charts/items/staff.values/histogram.png",
        "/export.csv",
        "/export.xlsx",
        "/export.pdf",
        "/report",
    ):
        assert client.get(base + path).status_code == 404, path
    assert form_post(client, base + "/results/publish").status_code == 404


def test_exports_leave_out_the_group_below_its_minimum(
    client: Client,
    world: Any,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
    tmp_path: Path,
) -> None:
    sign_in(client, world.email("head"))
    base = f"/staff/cycles/{cycle_id}"
    got = client.get(base + "/export.csv")
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert rows[0] == ["respondent", "group", "item", "value"]
    answers = rows[1 : rows.index([])]  # then the comments table and the note
    assert {r[1] for r in answers} == {"staff", "managers", "organisation"}

    book = load_workbook(io.BytesIO(client.get(base + "/export.xlsx").content), read_only=True)
    assert book.sheetnames == ["scores", "items", "answers", "comments", "about"]
    items = list(book["items"].iter_rows(values_only=True))
    head = items[0]
    clients = [dict(zip(head, r, strict=True)) for r in items[1:] if r[0] == "clients"]
    assert clients and all(r["mean"] is None and r["histogram"] is None for r in clients)
    assert {r["n"] for r in clients} <= {0, 4}  # counts stay; 0 for the `when` items
    assert not [r for r in book["answers"].iter_rows(values_only=True) if r[1] == "clients"]

    pdf = client.get(base + "/export.pdf?lang=lv")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Org A" in text and "Kopsavilkums" in text and "mazāk nekā 5 atbildes" in text

    report = client.get(base + "/report?lang=en")
    assert report.status_code == 200 and "Org A" in report.text
    assert f'src="/staff/cycles/{cycle_id}/charts/radar.svg"' in report.text
    assert "/static/css/report.css" in report.text


def test_the_report_carries_the_working_groups_notes(
    client: Client,
    world: Any,
    database: Database,
    cycle_id: int,
    sign_in: Callable[..., httpx.Response],
    tmp_path: Path,
) -> None:
    with database.session() as s:
        cycle = get_cycle(s, cycle_id)
        reopen_cycle(s, cycle)
        consensus.save_consensus(
            s,
            cycle,
            {"org.mission": 60, "org.leaders": 80},
            actor_id=None,
            notes={
                "org.mission": consensus.Notes(
                    evidence="Stratēģija apstiprināta 2025. gada martā",
                    improvements="Iesaistīt klientu padomi",
                )
            },
        )
        close_cycle(s, cycle)
        s.commit()
    sign_in(client, world.email("head"))
    base = f"/staff/cycles/{cycle_id}"
    page = client.get(base + "/report?lang=en").text
    notes = page[page.index("The working group's evidence") : page.index("Improvement plan")]
    assert "1.1 " in notes and "Stratēģija apstiprināta 2025. gada martā" in notes
    assert "Areas for improvement" in notes and "Iesaistīt klientu padomi" in notes
    assert "Strengths" not in notes  # nothing written, nothing shown
    assert "1.3 " not in notes  # 1.3 has an agreed score but no notes

    path = tmp_path / "r.pdf"
    path.write_bytes(client.get(base + "/export.pdf?lang=lv").content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Darba grupas pierādījumi" in text and "Iesaistīt klientu padomi" in text


def test_the_results_page_counts_the_comments_of_each_open_question(
    client: Client,
    world: Any,
    database: Database,
    sign_in: Callable[..., httpx.Response],
) -> None:
    with database.session() as s:
        cycle = create_cycle(
            s, get_organisation(s, "Org A"), 2027, read_snapshot(QUESTIONNAIRES, "socquality")
        )
        m = cycle_methodology(cycle)
        rows = [Row(2 + n, f"s{n}", "staff", "staff.goals", "4") for n in range(5)]
        rows += [Row(10 + n, f"s{n}", "staff", "staff.comment", f"note {n}") for n in range(3)]
        rows += [Row(20 + n, f"c{n}", "clients", "clients.wish", "more") for n in range(2)]
        import_responses(s, cycle, validate_rows(m, rows), label="test")
        close_cycle(s, cycle)
        s.commit()
        cycle_id = cycle.id
    sign_in(client, world.email("head"))
    html = " ".join(client.get(f"/staff/cycles/{cycle_id}/results?lang=en").text.split())
    section = html[html.index('id="comments-title"') : html.index('id="breakdown-title"')]
    assert f'href="/staff/cycles/{cycle_id}/comments">Comments: 3</a>' in section
    # Two clients are fewer than their minimum of five: not even their count is given.
    assert "comments not shown" in section and "Comments: 2" not in section
