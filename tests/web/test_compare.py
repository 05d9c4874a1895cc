"""Year over year: Δ per criterion and group with the clear-change marks, item Δ matched
through `replaces`, the trend chart from three years on, and nothing below min_n."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from qms.store.cycles import close_cycle, create_cycle, get_cycle
from qms.store.db import Database
from qms.store.orgs import get_organisation
from qms.store.responses import create_response
from qms.store.snapshots import read_snapshot
from tests.web.conftest import World

METHODOLOGIES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"
Client = TestClient[Litestar]


@pytest.fixture
def renamed(tmp_path: Path) -> Path:
    """testq in which staff.goals became staff.aims (continuing it through `replaces`)."""
    shutil.copytree(METHODOLOGIES / "testq", tmp_path / "testq")
    staff = tmp_path / "testq" / "staff.yaml"
    staff.write_text(
        staff.read_text(encoding="utf-8").replace(
            "{id: staff.goals,", "{id: staff.aims, replaces: [staff.goals],"
        ),
        encoding="utf-8",
    )
    return tmp_path


def _year(
    database: Database,
    year: int,
    folder: Path,
    staff: list[int],
    clients: list[int],
    *,
    item: str = "staff.goals",
    close: bool = True,
    org: str = "Org A",
) -> int:
    with database.session() as s:
        cycle = create_cycle(s, get_organisation(s, org), year, read_snapshot(folder, "testq"))
        for n, value in enumerate(staff):
            create_response(
                s,
                cycle,
                group="staff",
                respondent=f"s{n}",
                source="import",
                submitted=True,
                answers={item: value, "staff.pressure": 2},
            )
        for n, value in enumerate(clients):
            create_response(
                s,
                cycle,
                group="clients",
                respondent=f"c{n}",
                source="import",
                submitted=True,
                answers={"clients.respect": value},
            )
        if close:
            close_cycle(s, cycle)
        s.commit()
        return cycle.id


def _cell(html: str, row_title: str, column: int) -> str:
    row = re.search(rf'<th scope="row">{re.escape(row_title)}</th>(.*?)</tr>', html, re.S)
    assert row, row_title
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return " ".join(cells[column].split())


def test_delta_with_a_clear_change_and_items_matched_through_replaces(
    client: Client,
    world: World,
    database: Database,
    renamed: Path,
    sign_in: Callable[..., httpx.Response],
) -> None:
    # testq's uneven scale: staff min_n 3; clients min_n 2 but only one answer each year.
    earlier = _year(database, 2024, METHODOLOGIES, [1, 1, 2, 1], [3])
    later = _year(database, 2025, renamed, [7, 7, 4, 7], [1], item="staff.aims")
    sign_in(client, world.email("head"))
    page = client.get(f"/staff/cycles/{later}/compare?with={earlier}&lang=en")
    assert page.status_code == 200
    html = page.text
    assert "Change from 2024 to 2025" in html
    # Columns: all groups, then each group with a common score (staff only here).
    headers = re.findall(r'<th scope="col" class="num">([^<]*)</th>', html)
    assert headers[:2] == ["All groups", "Staff"]
    staff_cell = _cell(html, "1 Leadership", 1)
    assert '<span class="delta up">+' in staff_cell and 'class="clear-mark"' in staff_cell
    # Sub-criterion rows carry no test (the clear mark is for a group's criterion).
    assert 'class="clear-mark"' not in _cell(html, "1.1 Direction", 1)
    # The renamed question continues its predecessor.
    assert "I know the goals" in html and "continues staff.goals" in html
    # Clients had fewer answers than their minimum in both years: nothing of theirs shows.
    assert "Staff respect me" not in html
    assert "Clients" not in re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', html)
    # With only two years there is no trend yet.
    assert "/compare/trend.svg" not in html

    # The same comparison from the earlier cycle's page reads in the same direction.
    back = client.get(f"/staff/cycles/{earlier}/compare?with={later}&lang=en").text
    assert "Change from 2024 to 2025" in back


def test_no_clear_mark_without_a_real_change(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
) -> None:
    earlier = _year(database, 2024, METHODOLOGIES, [2, 4, 2, 4], [])
    later = _year(database, 2025, METHODOLOGIES, [4, 2, 4, 2], [])
    sign_in(client, world.email("head"))
    html = client.get(f"/staff/cycles/{later}/compare?with={earlier}&lang=en").text
    assert 'class="clear-mark"' not in html
    assert _cell(html, "1 Leadership", 1).startswith('<span class="delta">0.0</span>')


def test_defaults_choices_and_other_organisations(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
) -> None:
    first = _year(database, 2023, METHODOLOGIES, [1, 1, 2], [])
    second = _year(database, 2024, METHODOLOGIES, [2, 2, 4], [])
    third = _year(database, 2025, METHODOLOGIES, [4, 4, 7], [], close=False)
    theirs = _year(database, 2024, METHODOLOGIES, [7, 7, 7], [], org="Org B")
    sign_in(client, world.email("head_b"))
    assert "no other cycle" in client.get(f"/staff/cycles/{theirs}/compare?lang=en").text
    sign_in(client, world.email("head"))
    html = client.get(f"/staff/cycles/{third}/compare?lang=en").text
    assert "Change from 2024 to 2025" in html  # the year before by default
    assert f'<option value="{first}"' in html and f'<option value="{theirs}"' not in html
    # Another organisation's cycle cannot be chosen: the page falls back and says so.
    html = client.get(f"/staff/cycles/{third}/compare?with={theirs}&lang=en").text
    assert 'id="with-error"' in html and "Change from 2024 to 2025" in html
    assert client.get(f"/staff/cycles/{theirs}/compare").status_code == 404
    assert f'<option value="{second}" selected>' in html


def test_trend_chart_from_three_years_with_its_table(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
) -> None:
    _year(database, 2023, METHODOLOGIES, [1, 1, 2], [])
    _year(database, 2024, METHODOLOGIES, [2, 2, 4], [])
    latest = _year(database, 2025, METHODOLOGIES, [4, 4, 7], [], close=False)
    sign_in(client, world.email("head"))
    html = client.get(f"/staff/cycles/{latest}/compare?lang=en").text
    assert f'src="/staff/cycles/{latest}/compare/trend.svg"' in html
    table = re.search(r'<table class="trend-table">(.*?)</table>', html, re.S)
    assert table
    years = re.findall(r'<th scope="col" class="num">(\d{4})</th>', table.group(1))
    assert years == ["2023", "2024", "2025"]
    assert '<th scope="row">Staff</th>' in table.group(1)
    assert "Clients" not in table.group(1)  # no reportable client answers in any year

    chart = client.get(f"/staff/cycles/{latest}/compare/trend.svg")
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
    assert chart.text.startswith("<svg") and "2023" in chart.text
    assert "style-src 'unsafe-inline'" in chart.headers["content-security-policy"]
    by_criterion = client.get(f"/staff/cycles/{latest}/compare/trend.svg?node=1")
    assert by_criterion.status_code == 200 and "Leadership" in by_criterion.text

    # New answers change the chart once they are released (its cache key is what it
    # shows); before the close the open year's answers appear nowhere.
    with database.session() as s:
        cycle = get_cycle(s, latest)
        for n in range(3):
            create_response(
                s,
                cycle,
                group="staff",
                respondent=f"late{n}",
                source="import",
                submitted=True,
                answers={"staff.goals": 1},
            )
        s.commit()
    assert client.get(f"/staff/cycles/{latest}/compare/trend.svg").text == chart.text
    with database.session() as s:
        close_cycle(s, get_cycle(s, latest))
        s.commit()
    assert client.get(f"/staff/cycles/{latest}/compare/trend.svg").text != chart.text


def test_staff_and_other_heads_do_not_compare(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
) -> None:
    cycle = _year(database, 2025, METHODOLOGIES, [4, 4, 7], [])
    sign_in(client, world.email("staff"))
    assert client.get(f"/staff/cycles/{cycle}/compare").status_code == 404
    sign_in(client, world.email("head_b"))
    assert client.get(f"/staff/cycles/{cycle}/compare/trend.svg").status_code == 404
