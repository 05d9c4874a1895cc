"""The staff form of the answer downloads (METHODOLOGY.md §5.3), over HTTP.

The attack of issue 11: 5 day-centre clients, 5 group-home clients and 1 crisis-centre
client. The head knows who the crisis-centre client is and downloads the answers: the
file must not let them find that client's row.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook

from qms.imports.csvfile import Row
from qms.imports.validate import validate_rows
from qms.store.cycles import close_cycle, create_cycle, get_cycle
from qms.store.db import Database
from qms.store.importing import import_responses
from qms.store.orgs import get_organisation
from qms.store.responses import enter_paper
from qms.store.results import publish_results
from qms.store.snapshots import cycle_methodology, read_snapshot

Client = TestClient[Litestar]
QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
SERVICES = ["day_centre"] * 5 + ["group_home"] * 5 + ["crisis_centre"]
FORMULA = '=HYPERLINK("http://evil.example/","click")'
TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}:\d{2}")


def _client_rows(*, formula: bool = True) -> list[Row]:
    """Clients c0..c10 by SERVICES (c10 the crisis-centre client, c0 helped on paper is
    added apart); every one answers a few scale items and says something."""
    rows: list[Row] = []
    line = 2
    for index, service in enumerate(SERVICES):
        if index == 0:
            continue  # entered on paper, with a helper
        answers = {
            "clients.service": service,
            "clients.respect": str(1 + index % 5),
            "clients.time": str(1 + (index * 3) % 5),
            "clients.premises": str(1 + (index * 2) % 5),  # asked of every service here
            "clients.overall": str(1 + (index * 7) % 5),
            "clients.helped": "no",
            "clients.wish": (
                FORMULA if formula and index == 10 else f"More outings, says client {index}"
            ),
        }
        for item, value in answers.items():
            rows.append(Row(line, f"c{index}", "clients", item, value))
            line += 1
    return rows


def _make_cycle(database: Database, *, close: bool = True, publish: bool = False) -> int:
    with database.session() as s:
        snapshot = read_snapshot(QUESTIONNAIRES, "socquality")
        cycle = create_cycle(s, get_organisation(s, "Org A"), 2026, snapshot)
        m = cycle_methodology(cycle)
        import_responses(s, cycle, validate_rows(m, _client_rows()), label="attack.csv")
        enter_paper(
            s,
            cycle,
            group="clients",
            entry="form-17",
            proxy=True,
            answers={
                "clients.service": "day_centre",
                "clients.respect": 5,
                "clients.time": 5,
                "clients.premises": 4,
                "clients.overall": 5,
                "clients.helped": "yes",
                "clients.helper": "family",
            },
        )
        if close:
            close_cycle(s, cycle)
        if publish:
            publish_results(s, cycle, actor_id=None)
        s.commit()
        return cycle.id


@pytest.fixture
def attack_cycle(world: Any, database: Database) -> int:
    return _make_cycle(database)


def _tables(content: bytes) -> tuple[list[list[str]], list[list[str]], list[str]]:
    """The CSV's three tables: answers, comments, note (each without its header)."""
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    first, second = (i for i, r in enumerate(rows) if r == [])
    assert rows[0] == ["respondent", "group", "item", "value"]
    assert rows[first + 1] == ["group", "item", "text"]
    assert rows[second + 1] == ["note"]
    return rows[1:first], rows[first + 2 : second], [r[0] for r in rows[second + 2 :]]


def _by_label(answers: list[list[str]], group: str) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for label, g, item, value in answers:
        if g == group:
            found.setdefault(label, {})[item] = value
    return found


def test_the_head_cannot_single_out_the_crisis_centre_client(
    client: Client,
    world: Any,
    attack_cycle: int,
    sign_in: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("head"))
    url = f"/staff/cycles/{attack_cycle}/export.csv?lang=en"
    got = client.get(url)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    answers, comments, note = _tables(got.content)
    rows = _by_label(answers, "clients")
    assert len(rows) == 11
    services = Counter(r["clients.service"] for r in rows.values())
    assert "crisis_centre" not in services
    # The crisis client's unit is hidden, and so are enough others' for the hidden
    # class (all quasi-identifiers alike) to hold at least min_n = 5 clients.
    quasi = ("clients.service", "clients.helped", "clients.helper", "(proxy)")
    classes = Counter(tuple(r.get(c) for c in quasi) for r in rows.values())
    assert min(classes.values()) >= 5, classes
    assert services["[suppressed]"] >= 5
    # The one client helped on paper is not singled out by the flag or the helper.
    assert all(r["(proxy)"] in ("no", "[suppressed]") for r in rows.values())
    assert all(r["clients.helper"] in ("", "[suppressed]") for r in rows.values())
    # clients.premises is asked of all these services: its answers stay.
    assert all(r["clients.premises"].isdigit() for r in rows.values())
    # No free text on the rows; the comments, unlinked, in their own table.
    assert "clients.wish" not in {item for r in rows.values() for item in r}
    assert len(comments) == 10
    assert all(c[:2] == ["clients", "clients.wish"] for c in comments)
    # Nothing that links a row to a code, a form, an import line, a key or a time.
    text = got.content.decode("utf-8-sig")
    for leak in ("c10", "paper:", "form-17", "attack.csv", "web:", "2026"):
        assert leak not in text, leak
    assert not TIMESTAMP.search(text)
    assert {r[0].split("-")[0] for r in answers} == {"clients"}
    assert all(re.fullmatch(r"clients-[a-z2-9]{4}", label) for label in rows)
    # The note says what was hidden and why, and who is left out, in the reader's words.
    suppressed = sum(v == "[suppressed]" for r in rows.values() for v in r.values())
    line = next(n for n in note if n.startswith("Clients: respondents 11, minimum 5"))
    assert line.endswith(f"answers shown as [suppressed]: {suppressed}.")
    assert any(n.startswith("Left out group: Staff") for n in note)

    again = _tables(client.get(url).content)[0]
    assert set(_by_label(again, "clients")).isdisjoint(rows)  # new labels every time
    assert [r[0] for r in again] != [r[0] for r in answers]


def test_rows_come_in_a_new_order_on_every_download(
    client: Client,
    world: Any,
    attack_cycle: int,
    sign_in: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("head"))
    orders = set()
    for _ in range(6):
        answers = _tables(client.get(f"/staff/cycles/{attack_cycle}/export.csv").content)[0]
        rows = _by_label(answers, "clients")
        orders.add(tuple(r["clients.respect"] + r["clients.time"] for r in rows.values()))
    assert len(orders) >= 4  # 11! orders: six equal ones would be no shuffle at all


def test_the_note_and_marker_are_in_the_readers_language(
    client: Client,
    world: Any,
    attack_cycle: int,
    sign_in: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("head"))
    for lang, marker, title in (
        ("lv", "[slēpts]", "Par šo failu"),
        ("lt", "[paslėpta]", "Apie šį failą"),
    ):
        answers, _, note = _tables(
            client.get(f"/staff/cycles/{attack_cycle}/export.csv?lang={lang}").content
        )
        assert marker in {r[3] for r in answers}
        assert note[0] == title and any(marker in n for n in note)


def test_formulas_are_neutralised_in_csv_and_strings_in_xlsx(
    client: Client,
    world: Any,
    attack_cycle: int,
    sign_in: Callable[..., httpx.Response],
) -> None:
    sign_in(client, world.email("head"))
    base = f"/staff/cycles/{attack_cycle}"
    comments = _tables(client.get(base + "/export.csv").content)[1]
    assert ["clients", "clients.wish", "'" + FORMULA] in comments
    book = load_workbook(io.BytesIO(client.get(base + "/export.xlsx?lang=en").content))
    assert book.sheetnames == ["scores", "items", "answers", "comments", "about"]
    cells = list(book["comments"].iter_rows(min_row=2))
    formula = [c for row in cells for c in row if c.value == FORMULA]
    assert formula and all(c.data_type == "s" for c in formula)
    sheet = list(book["answers"].iter_rows(min_row=2, values_only=True))
    assert {r[1] for r in sheet} == {"clients"}
    assert "crisis_centre" not in {r[3] for r in sheet}
    assert next(r for r in sheet if r[2] == "clients.respect")[3] in range(1, 6)  # a number
    about = [r[0] for r in book["about"].iter_rows(min_row=2, values_only=True)]
    assert about[0] == "About this file" and any("[suppressed]" in a for a in about)


def test_an_open_cycle_says_results_come_at_the_close(
    client: Client,
    world: Any,
    database: Database,
    sign_in: Callable[..., httpx.Response],
) -> None:
    cycle_id = _make_cycle(database, close=False)
    sign_in(client, world.email("head"))
    answers, comments, note = _tables(
        client.get(f"/staff/cycles/{cycle_id}/export.csv?lang=en").content
    )
    assert answers == [] and comments == []
    assert note == ["About this file", "Results appear when the collection closes."]
    book = load_workbook(
        io.BytesIO(client.get(f"/staff/cycles/{cycle_id}/export.xlsx?lang=en").content),
        read_only=True,
    )
    assert list(book["answers"].iter_rows(min_row=2, values_only=True)) == []


def test_staff_get_the_rows_but_not_the_comments(
    client: Client,
    world: Any,
    database: Database,
    sign_in: Callable[..., httpx.Response],
) -> None:
    cycle_id = _make_cycle(database, publish=True)
    sign_in(client, world.email("staff"))
    answers, comments, note = _tables(
        client.get(f"/staff/cycles/{cycle_id}/export.csv?lang=en").content
    )
    assert len(_by_label(answers, "clients")) == 11 and comments == []
    assert "Answers to open questions are shown to the organisation's heads only." in note
    with database.session() as s:
        assert get_cycle(s, cycle_id).status == "closed"


def test_no_page_reaches_the_round_trip_form() -> None:
    # `qms export --full` reads the live answers with their keys; nothing under qms/web
    # may call what it calls.
    web = Path(__file__).resolve().parents[2] / "qms" / "web"
    for path in web.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for name in ("counted_responses", "full_rows", "full_csv_bytes", "live_scores"):
            assert name not in source, f"{path.name} uses {name}"
