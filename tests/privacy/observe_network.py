"""Everything a viewer can fetch of networks, reduced to statistics (records.NetStat).

A coordinator: the API's networks, each network's aggregates (every year on offer) and
trend, the dashboard's distribution and response tables for the composite and each
group (and with each named organisation's column), the CSV, XLSX and PDF exports, and
the distribution and trend charts. A head: the position page of each of their
organisations, for the composite and each group. What cannot be read adds nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from tests.privacy.env import Client
from tests.privacy.parse import (
    csv_rows,
    digest,
    first_number,
    numbers,
    page,
    pdf_text,
    svg_texts,
    xlsx_sheets,
)
from tests.privacy.records import ONE_DECIMAL, Document, NetStat, Observation

RESPONSES = "#responses"  # qms.disclosure.network's node of a group's response total
STATS = ("mean", "median", "q1", "q3", "min", "max")
_YEAR = re.compile(r"year=(\d{4})&(?:amp;)?methodology=([\w.-]+)")


def _node(label: str) -> str | None:
    if label == "Overall":
        return "overall"
    found = re.match(r"^(\S+)\. ", label)
    return found.group(1) if found else None


def observe_networks(
    client: Client,
    obs: Observation,
    own: Collection[int],
    networks: Mapping[str, int],
    pdf_memo: dict[int, str],
) -> None:
    obs.own = set(own)
    listed = client.get("/api/v1/networks")
    if listed.status_code == 200:
        for net in listed.json():
            _coordinated(client, int(net["id"]), obs, pdf_memo)
    for org in own:
        _position(client, org, networks, obs)


def _years(client: Client, net: int) -> list[tuple[int, str]]:
    got = client.get(f"/staff/networks/{net}/dashboard?lang=en")
    found = sorted({(int(y), m) for y, m in _YEAR.findall(got.text)}, reverse=True)
    return found


def _coordinated(client: Client, net: int, obs: Observation, pdf_memo: dict[int, str]) -> None:
    for year, methodology in _years(client, net):
        query = f"year={year}&methodology={methodology}"
        got = client.get(f"/api/v1/networks/{net}/aggregates?{query}")
        if got.status_code != 200:
            continue
        doc = got.json()
        groups = [None, *(g["id"] for g in doc["groups"])]
        for s in doc["stats"]:
            obs.net.append(
                NetStat(
                    "api",
                    net,
                    year,
                    methodology,
                    s["node"],
                    s["group"],
                    s["n_orgs"],
                    {k: float(s[k]) for k in STATS if s[k] is not None},
                    {int(n["organisation_id"]): float(n["score"]) for n in s["named"]},
                )
            )
        for r in doc["responses"]:
            obs.net.append(
                NetStat(
                    "api",
                    net,
                    year,
                    methodology,
                    RESPONSES,
                    r["group"],
                    r["n_orgs"],
                    {} if r["responses"] is None else {"sum": float(r["responses"])},
                )
            )
        api_digest = digest(doc["stats"], doc["responses"])
        obs.documents.append(Document("net-api", f"network {net} {year}", api_digest))
        _trend(client, net, methodology, obs)
        for group in groups:
            _dashboard(client, net, year, methodology, group, obs)
        for n in doc["named_organisations"]:
            _dashboard(client, net, year, methodology, None, obs, org=int(n["id"]))
        _exports(client, net, year, methodology, doc, obs, pdf_memo, api_digest)


def _trend(client: Client, net: int, methodology: str, obs: Observation) -> None:
    got = client.get(f"/api/v1/networks/{net}/trend?methodology={methodology}")
    if got.status_code != 200:
        return
    for t in got.json()["years"]:
        for s in t["stats"]:
            obs.net.append(
                NetStat(
                    "api-trend",
                    net,
                    int(t["year"]),
                    methodology,
                    s["node"],
                    s["group"],
                    s["n_orgs"],
                    {k: float(s[k]) for k in ("median", "q1", "q3") if s[k] is not None},
                )
            )


def _dashboard(
    client: Client,
    net: int,
    year: int,
    methodology: str,
    group: str | None,
    obs: Observation,
    org: int | None = None,
) -> None:
    query = (
        f"year={year}&methodology={methodology}&group={group or 'composite'}"
        f"&org={org or ''}&lang=en"
    )
    got = client.get(f"/staff/networks/{net}/dashboard?{query}")
    if got.status_code != 200:
        return
    view = page(got.text)
    shown: list[object] = []
    tables = [t for t in view.tables if "stats" in t.classes.split()]
    if tables:
        for row in tables[0].rows[1:]:
            node = _node(row[0].text)
            if node is None or len(row) < 2:
                continue
            cells = [c.text for c in row[1:]]
            n_orgs = int(first_number(cells[0]) or 0)
            values: dict[str, float] = {}
            named: dict[int, float] = {}
            if len(cells) >= 7:
                for key, text in zip(
                    ("min", "q1", "median", "q3", "max", "mean"), cells[1:7], strict=True
                ):
                    if (v := first_number(text)) is not None:
                        values[key] = v
                if org is not None and len(cells) >= 8 and (v := first_number(cells[7])):
                    named[org] = v
            obs.net.append(
                NetStat(
                    "dashboard",
                    net,
                    year,
                    methodology,
                    node,
                    group,
                    n_orgs,
                    values,
                    named,
                    precision=ONE_DECIMAL,
                )
            )
            shown.append((node, n_orgs, sorted(values.items()), sorted(named.items())))
    for table in tables[1:]:
        if table.rows and [c.text for c in table.rows[0]][:3] == [
            "Perspective",
            "Organisations",
            "Responses",
        ]:
            shown.append([[c.text for c in r] for r in table.rows])
    obs.documents.append(
        Document(
            "dashboard",
            f"network {net} {year} {group} {org}",
            digest(shown, view.text.count("Not shown")),
        )
    )


def _exports(
    client: Client,
    net: int,
    year: int,
    methodology: str,
    doc: Any,
    obs: Observation,
    pdf_memo: dict[int, str],
    api_digest: str,
) -> None:
    base = f"/staff/networks/{net}/export"
    query = f"?year={year}&methodology={methodology}&lang=en"
    got = client.get(f"{base}.csv{query}")
    if got.status_code == 200:
        rows = csv_rows(got.content)
        header = rows[0] if rows else []
        for raw in rows[1:]:
            rec = dict(zip(header, raw, strict=False))
            if "node" not in rec or not rec.get("n_orgs"):
                continue
            obs.net.append(
                NetStat(
                    "csv",
                    net,
                    year,
                    methodology,
                    rec["node"],
                    rec["group"] or None,
                    int(rec["n_orgs"]),
                    {k: float(rec[k]) for k in STATS if rec.get(k)},
                )
            )
        obs.documents.append(Document("net-csv", f"network {net} {year}", digest(rows)))
    got = client.get(f"{base}.xlsx{query}")
    if got.status_code == 200:
        names = {n["name"]: int(n["id"]) for n in doc["named_organisations"]}
        _workbook(xlsx_sheets(got.content), net, year, methodology, names, obs)
    # The charts and the PDF are drawn from the view the API document shows (~0.2 s and
    # ~1 s to render): fetched again whenever that document changed.
    if pdf_memo.get(net) == api_digest:
        return
    for chart in (
        f"/staff/networks/{net}/dashboard/distribution?year={year}"
        f"&methodology={methodology}&group=composite",
        f"/staff/networks/{net}/dashboard/trend?methodology={methodology}"
        "&node=overall&group=composite",
    ):
        got = client.get(chart)
        obs.documents.append(
            Document(
                "net-chart",
                f"network {net} {year} {chart[-30:]}",
                digest(got.status_code, svg_texts(got.text)),
            )
        )
    got = client.get(f"{base}.pdf{query}")
    text = pdf_text(got.content) if got.status_code == 200 else None
    pdf_memo[net] = api_digest
    if text is not None:
        kept = re.sub(r"(?m)^\s*\d+/\d+\s*$|\d{4}-\d{2}-\d{2}", "", text)
        obs.documents.append(
            Document("net-pdf", f"network {net} {year}", digest(sorted(numbers(kept))))
        )


def _workbook(
    sheets: Mapping[str, list[list[Any]]],
    net: int,
    year: int,
    methodology: str,
    names: Mapping[str, int],
    obs: Observation,
) -> None:
    for title, rows in sheets.items():
        if not rows:
            continue
        header = [str(h or "") for h in rows[0]]
        for raw in rows[1:]:
            rec = dict(zip(header, raw, strict=False))
            group = rec.get("group") or None
            if "organisation" in rec and "score" in rec and rec["score"] is not None:
                org = names.get(str(rec["organisation"]))
                obs.net.append(
                    NetStat(
                        "xlsx-named",
                        net,
                        year,
                        methodology,
                        str(rec["node"]),
                        group,
                        None,
                        {},
                        {org if org is not None else -1: float(rec["score"])},
                    )
                )
            elif "node" in rec and "n_orgs" in rec and "year" not in rec:
                obs.net.append(
                    NetStat(
                        "xlsx",
                        net,
                        year,
                        methodology,
                        str(rec["node"]),
                        group,
                        int(rec["n_orgs"] or 0),
                        {k: float(rec[k]) for k in STATS if rec.get(k) is not None},
                    )
                )
            elif "responses" in rec and "group" in rec:
                obs.net.append(
                    NetStat(
                        "xlsx",
                        net,
                        year,
                        methodology,
                        RESPONSES,
                        group,
                        int(rec["n_orgs"] or 0),
                        {} if rec["responses"] is None else {"sum": float(rec["responses"])},
                    )
                )
        del title


def _position(client: Client, org: int, networks: Mapping[str, int], obs: Observation) -> None:
    base = f"/staff/organisations/{org}/networks"
    first = client.get(f"{base}?lang=en")
    if first.status_code != 200:
        return
    years = sorted({(int(y), m) for y, m in _YEAR.findall(first.text)}, reverse=True) or [(0, "")]
    for year, methodology in years:
        for group in ("composite", "organisation", "staff", "clients"):
            query = f"group={group}&lang=en" + (
                f"&year={year}&methodology={methodology}" if year else ""
            )
            got = client.get(f"{base}?{query}")
            if got.status_code == 200:
                _position_page(
                    got.text,
                    None if group == "composite" else group,
                    methodology or "testq",
                    networks,
                    obs,
                )


def _position_page(
    html: str, group: str | None, methodology: str, networks: Mapping[str, int], obs: Observation
) -> None:
    for section in html.split('<section class="position">')[1:]:
        heading = re.search(r"<h2>([^<]*)<span class=\"caption\">(\d{4})", section)
        if heading is None:
            continue
        net = networks.get(heading.group(1).strip())
        year = int(heading.group(2))
        view = page(section)
        shown: list[object] = []
        for table in view.tables:
            for row in table.rows[1:]:
                node = _node(row[0].text)
                cells = [c.text for c in row[1:]]
                if node is None or len(cells) < 2 or net is None:
                    continue
                own = first_number(cells[0])
                values = {}
                if len(cells) >= 5:
                    for key, text in zip(("q1", "median", "q3"), cells[2:5], strict=True):
                        if (v := first_number(text)) is not None:
                            values[key] = v
                obs.net.append(
                    NetStat(
                        "position",
                        net,
                        year,
                        methodology,
                        node,
                        group,
                        int(first_number(cells[1]) or 0),
                        values,
                        {},
                        own,
                        ONE_DECIMAL,
                    )
                )
                shown.append((node, cells))
        obs.documents.append(Document("position", f"network {net} {year} {group}", digest(shown)))
