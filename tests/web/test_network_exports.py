"""A network's aggregates as CSV, XLSX and PDF downloads, and through the JSON API."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from qms.exports.network import COLUMNS
from qms.store import directory, network_releases, sharing, tokens
from qms.store.cycles import close_cycle, create_cycle
from qms.store.db import Database
from qms.store.orgs import get_organisation
from qms.store.responses import create_response
from qms.store.snapshots import read_snapshot
from tests.web.conftest import World

Client = TestClient[Litestar]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"
NAMED = "Dienas centrs Saulīte"
UNNAMED = ("Krīzes centrs Ēnas", "Grupu māja Ozols", "Org A")


@dataclass(frozen=True)
class Shared:
    world: World
    network_id: int


def _cycle(
    s: Session, org_name: str, year: int, results: int, staff: bool, network_id: int
) -> None:
    cycle = create_cycle(s, get_organisation(s, org_name), year, read_snapshot(FIXTURES, "testq"))
    create_response(
        s,
        cycle,
        group="organisation",
        respondent="consensus",
        source="paper",
        submitted=True,
        answers={"org.results": results, "org.direction": results},
    )
    if staff:  # three staff answers: the staff group is reportable in this organisation
        for i, value in enumerate((2, 4, 7)):
            create_response(
                s,
                cycle,
                group="staff",
                respondent=f"s{i}",
                source="import",
                submitted=True,
                answers={"staff.goals": value},
            )
    close_cycle(s, cycle)
    sharing.share_cycle(s, cycle, network_id, named=org_name == NAMED, actor_id=None)


@pytest.fixture
def shared(world: World, database: Database) -> Shared:
    """Four organisations of network 1 shared their closed 2025 cycles (one of them
    named); only two of them have staff answers, so every staff statistic is withheld.
    Three shared 2024 as well; the coordinator released both years."""
    with database.session() as s:
        for name in (NAMED, *UNNAMED[:2]):
            org_id = directory.create_organisation(s, name, actor_id=None)
            directory.add_member(s, world.net_1, org_id, actor_id=None)
        s.commit()
        plan = [
            (NAMED, 75, True),
            (UNNAMED[0], 25, True),
            (UNNAMED[1], 50, False),
            ("Org A", 100, False),
        ]
        for name, value, staff in plan:
            _cycle(s, name, 2025, value, staff, world.net_1)
        for name, value, _ in plan[:3]:
            _cycle(s, name, 2024, value - 25, False, world.net_1)
        for year in (2024, 2025):
            network_releases.release_year(s, world.net_1, year, "testq", actor_id=None)
        s.commit()
    return Shared(world, world.net_1)


def _get(client: Client, path: str, **kwargs: object) -> httpx.Response:
    return client.get(path, follow_redirects=False, **kwargs)  # type: ignore[arg-type]


EXPORT = "/staff/networks/{}/export.{}?year=2025&methodology=testq"


def test_csv_has_the_table_with_blanks_below_three_organisations(
    client: Client, shared: Shared, sign_in: Callable[..., httpx.Response]
) -> None:
    sign_in(client, shared.world.email("coordinator"))
    response = _get(client, EXPORT.format(shared.network_id, "csv") + "&lang=lv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == COLUMNS
    table = {(r[0], r[1]): dict(zip(COLUMNS, r, strict=True)) for r in rows[1:]}
    composite = table[("2", "")]
    assert composite["n_orgs"] == "4"
    # Values 25, 50, 75, 100: linear interpolation between closest ranks.
    assert (
        composite["min"],
        composite["q1"],
        composite["median"],
        composite["q3"],
        composite["max"],
        composite["mean"],
    ) == ("25.0", "43.75", "62.5", "81.25", "100.0", "62.5")
    staff = table[("1", "staff")]
    assert staff["n_orgs"] == "2"
    assert [staff[k] for k in ("mean", "median", "q1", "q3", "min", "max")] == [""] * 6
    assert table[("overall", "")]["node_title"] == "Kopā"
    for name in UNNAMED:
        assert name not in text


def test_xlsx_opens_and_names_only_consenting_organisations(
    client: Client, shared: Shared, sign_in: Callable[..., httpx.Response]
) -> None:
    sign_in(client, shared.world.email("coordinator"))
    response = _get(client, EXPORT.format(shared.network_id, "xlsx") + "&lang=en")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames == [
        "About this file",
        "Distribution",
        "Named organisations",
        "Responses",
        "Trend",
    ]
    cells = [
        str(c)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert NAMED in cells
    for name in UNNAMED:
        assert not any(name in c for c in cells), name
    distribution = list(book["Distribution"].iter_rows(values_only=True))
    assert distribution[0] == COLUMNS
    by_key = {(r[0], r[1]): r for r in distribution[1:]}
    assert by_key[("2", None)][4] == 62.5  # median, a number
    assert by_key[("1", "staff")][2:9] == (2, None, None, None, None, None, None)
    named = list(book["Named organisations"].iter_rows(values_only=True))[1:]
    assert {r[0] for r in named} == {NAMED}
    assert ("2", None, 75.0, 3, 4) in {(r[1], r[2], r[3], r[4], r[5]) for r in named}
    trend_years = {r[0] for r in list(book["Trend"].iter_rows(values_only=True))[1:]}
    assert trend_years == {2024, 2025}


def test_pdf_is_a_latvian_report(
    client: Client, shared: Shared, sign_in: Callable[..., httpx.Response], tmp_path: Path
) -> None:
    sign_in(client, shared.world.email("coordinator"))
    response = _get(client, EXPORT.format(shared.network_id, "pdf") + "&lang=lv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Organizācijas, kas kopīgojušas savus rezultātus: 4" in text
    assert "Network 1" in text
    assert "mazāk nekā 3 organizācijas" in text  # the withheld staff statistics
    assert NAMED in text
    for name in UNNAMED:
        assert name not in text


def test_exports_are_for_the_networks_coordinators(
    client: Client, shared: Shared, sign_in: Callable[..., httpx.Response]
) -> None:
    path = EXPORT.format(shared.network_id, "csv")
    anonymous = _get(client, path)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?next=")
    for who in ("head", "staff", "head_b"):
        client.cookies.clear()
        sign_in(client, shared.world.email(who))
        assert _get(client, path).status_code == 404, who
    client.cookies.clear()
    sign_in(client, shared.world.email("coordinator"))
    assert _get(client, EXPORT.format(shared.world.net_2, "csv")).status_code == 404
    assert (
        _get(client, EXPORT.format(shared.network_id, "pdf").replace("2025", "2019")).status_code
        == 404
    )
    newest = _get(client, f"/staff/networks/{shared.network_id}/export.csv")
    assert newest.status_code == 200  # the newest year when none is asked for
    assert f"network-{shared.network_id}-2025-testq.csv" in newest.headers["content-disposition"]
    client.cookies.clear()
    sign_in(client, shared.world.email("admin"))
    assert _get(client, path).status_code == 200


# -- the same aggregates through the API ----------------------------------------------


def _bearer(database: Database, world: World, who: str) -> dict[str, str]:
    with database.session() as s:
        made = tokens.create_token(s, world.ids[who], "test")
        s.commit()
    return {"authorization": f"Bearer {made.secret}"}


def test_api_aggregates_withhold_small_statistics_and_unconsented_names(
    client: Client, shared: Shared, database: Database
) -> None:
    headers = _bearer(database, shared.world, "coordinator")
    response = client.get(
        f"/api/v1/networks/{shared.network_id}/aggregates",
        params={"year": 2025, "methodology": "testq"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["network"], body["year"], body["methodology"], body["n_orgs"]) == (
        "Network 1",
        2025,
        "testq",
        4,
    )
    assert body["named_organisations"] == [
        {"id": body["named_organisations"][0]["id"], "name": NAMED}
    ]
    stats = {(s["node"], s["group"]): s for s in body["stats"]}
    assert stats[("2", None)]["median"] == 62.5
    assert stats[("2", None)]["named"][0]["organisation"] == NAMED
    staff = stats[("1", "staff")]
    assert staff["n_orgs"] == 2
    assert all(staff[k] is None for k in ("mean", "median", "q1", "q3", "min", "max"))
    assert staff["named"] == []
    for name in UNNAMED:
        assert name not in response.text
    # Omitted year: the newest.
    newest = client.get(f"/api/v1/networks/{shared.network_id}/aggregates", headers=headers)
    assert newest.json()["year"] == 2025


def test_api_trend(client: Client, shared: Shared, database: Database) -> None:
    headers = _bearer(database, shared.world, "coordinator")
    response = client.get(f"/api/v1/networks/{shared.network_id}/trend", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["methodology"] == "testq"
    assert [(y["year"], y["n_orgs"]) for y in body["years"]] == [(2024, 3), (2025, 4)]
    # 2024: three organisations, one of them named: the two others would be left over.
    first = {(s["node"], s["group"]): s for s in body["years"][0]["stats"]}
    assert (first[("2", None)]["median"], first[("2", None)]["status"]) == (None, "identifiable")
    newest = {(s["node"], s["group"]): s for s in body["years"][1]["stats"]}
    assert (newest[("2", None)]["median"], newest[("2", None)]["status"]) == (62.5, "shown")


def test_api_network_routes_answer_404_json_elsewhere(
    client: Client, shared: Shared, database: Database
) -> None:
    for who in ("head", "head_b", "staff"):
        headers = _bearer(database, shared.world, who)
        for tail in ("aggregates", "trend"):
            response = client.get(f"/api/v1/networks/{shared.network_id}/{tail}", headers=headers)
            assert response.status_code == 404, (who, tail)
            assert response.json()["status_code"] == 404
    headers = _bearer(database, shared.world, "coordinator")
    other = client.get(f"/api/v1/networks/{shared.world.net_2}/aggregates", headers=headers)
    assert other.status_code == 404 and other.json()["status_code"] == 404
    missing_year = client.get(
        f"/api/v1/networks/{shared.network_id}/aggregates", params={"year": 2019}, headers=headers
    )
    assert missing_year.status_code == 404 and missing_year.json()["status_code"] == 404
    bad_year = client.get(
        f"/api/v1/networks/{shared.network_id}/aggregates", params={"year": "soon"}, headers=headers
    )
    assert bad_year.status_code == 400
    assert bad_year.json()["status_code"] == 400
