"""The coordinator's dashboard over a large network, on SQLite and on PostgreSQL.

Builds a network of --orgs organisations (default 50) with --years yearly cycles each
(default 5) of the default methodology, about 10,000 answers a cycle (2.5 million in
all), then serves it with `qms serve --workers 1` and times the dashboard page over
HTTP, signed in as the network's coordinator: the median of --requests requests after
one warm-up. The target (issue 7): under one second.

Answers, responses and their counts go in by bulk SQL (generating them through the
import path would take hours), but the counts are those of qms.store.counts'
`contribution` (the function every write uses), and every cycle is closed by the real
`close_cycle`, which stores the organisation-level scores the dashboard reads.

Usage:
  .venv/bin/python benchmarks/network_dashboard.py [--engine sqlite|postgresql|both]
      [--orgs 50] [--years 5] [--requests 15]
      [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
PostgreSQL gets a fresh database of its own and SQLite a temporary file, both removed at
the end.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qms.store import directory, network_releases, sharing, users  # noqa: E402
from qms.store.counts import ResponseState, apply_delta, contribution  # noqa: E402
from qms.store.cycles import close_cycle, create_cycle  # noqa: E402
from qms.store.db import Database, sqlalchemy_url  # noqa: E402
from qms.store.migrate import upgrade  # noqa: E402
from qms.store.models import Answer, Cycle, Organisation, Response  # noqa: E402
from qms.store.models.cycles import CONSENSUS_KEY  # noqa: E402
from qms.store.snapshots import read_snapshot  # noqa: E402

# Respondents per group and cycle: about 9,800 answers with the default methodology.
RESPONDENTS = {"managers": 20, "staff": 150, "clients": 370, "community": 230}
FIRST_YEAR = 2021
PASSWORD = "benchmark-coordinator-2025"
EMAIL = "coordinator@bench.example"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers_for(methodology: Any, group: str, level: float, rng: random.Random) -> dict[str, int]:
    """A respondent's answers to every scored item without a condition."""
    answers: dict[str, int] = {}
    for item in methodology.questionnaires[group].items:
        if not item.is_scored or item.when is not None:
            continue
        values = methodology.item_scale(item).values()
        position = min(1.0, max(0.0, rng.gauss(level, 0.2)))
        answers[item.id] = values[round(position * (len(values) - 1))]
    return answers


def _copy_answers(database: Database, rows: list[tuple[int, str, int]]) -> None:
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy("COPY answers (response_id, item_id, value_int) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def build(url: str, orgs: int, years: int) -> dict[str, float]:
    started = time.perf_counter()
    upgrade(url)
    database = Database(url)
    snapshot = read_snapshot(ROOT / "questionnaires", "socquality")
    m = snapshot.methodology
    rng = random.Random(7)
    answers_total = 0
    postgres = url.startswith("postgresql")
    with database.session() as s:
        net = directory.create_network(s, "Benchmark region", actor_id=None)
        org_ids = []
        for i in range(orgs):
            org_id = directory.create_organisation(s, f"Organisation {i + 1:02d}", actor_id=None)
            directory.add_member(s, net, org_id, actor_id=None)
            org_ids.append(org_id)
        user = users.create_user(s, EMAIL, PASSWORD, actor_id=None)
        users.add_role(s, user, "coordinator", network_id=net, actor_id=None)
        s.commit()
    next_response = 1
    data_seconds = close_seconds = 0.0
    for index, org_id in enumerate(org_ids):
        quality = rng.uniform(0.4, 0.75)
        for y in range(years):
            t0 = time.perf_counter()
            with database.session() as s:
                org = s.get_one(Organisation, org_id)
                cycle = create_cycle(s, org, FIRST_YEAR + y, snapshot)
                s.flush()
                responses: list[dict[str, Any]] = []
                answer_rows: list[tuple[int, str, int]] = []
                delta: Counter[tuple[str, str, str]] = Counter()
                level = quality + 0.03 * y
                people = [(CONSENSUS_KEY, g.id) for g in m.groups if g.is_consensus]
                people += [(f"{g}-{n:04d}", g) for g, k in RESPONDENTS.items() for n in range(k)]
                now = cycle.created_at
                for respondent, group in people:
                    answers = _answers_for(m, group, level, rng)
                    responses.append(
                        {
                            "id": next_response,
                            "cycle_id": cycle.id,
                            "group_id": group,
                            "respondent": respondent,
                            "status": "submitted",
                            "source": "import",
                            "proxy": False,
                            "created_at": now,
                            "updated_at": now,
                            "submitted_at": now,
                        }
                    )
                    answer_rows += [(next_response, i, v) for i, v in answers.items()]
                    delta.update(
                        contribution(m, ResponseState(group, respondent, "submitted", answers))
                    )
                    next_response += 1
                s.execute(insert(Response.__table__), responses)
                if postgres:
                    s.commit()
                    _copy_answers(database, answer_rows)
                else:
                    s.execute(
                        insert(Answer.__table__),
                        [
                            {"response_id": r, "item_id": i, "value_int": v}
                            for r, i, v in answer_rows
                        ],
                    )
                apply_delta(s, cycle.id, delta)
                s.commit()
                answers_total += len(answer_rows)
                t1 = time.perf_counter()
                cycle = s.get_one(Cycle, cycle.id)
                close_cycle(s, cycle)  # the real path: stores the organisation-level scores
                sharing.share_cycle(s, cycle, net, named=index % 3 == 0, actor_id=None)
                s.commit()
                t2 = time.perf_counter()
                data_seconds += t1 - t0
                close_seconds += t2 - t1
        print(
            f"  {index + 1}/{orgs} organisations, {answers_total:,} answers, "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    with database.session() as s:  # the coordinator releases every year (§5.5)
        for year in sorted({y for (y,) in s.execute(select(Cycle.year).distinct())}):
            network_releases.release_year(s, net, year, "socquality", actor_id=None)
        s.commit()
    if postgres:
        with database.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
    else:
        with database.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    with database.session() as s:
        stored = s.scalar(select(func.count()).select_from(Answer)) or 0
    database.dispose()
    return {
        "answers": float(stored),
        "build_s": time.perf_counter() - started,
        "data_s": data_seconds,
        "close_and_share_s": close_seconds,
        "network_id": float(net),
    }


class Session:
    """A signed-in browser: cookies and the CSRF token of the login form."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.status, response.read()

    def sign_in(self) -> None:
        _, page = self.get("/login")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page)
        assert token, "no CSRF token on /login"
        body = urllib.parse.urlencode(
            {"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1).decode()}
        ).encode()
        with self.opener.open(self.base + "/login", data=body, timeout=60) as response:
            assert response.status == 200 and "/staff" in response.url, response.url


def _timed(session: Session, path: str, n: int) -> tuple[float, list[float]]:
    first = time.perf_counter()
    status, body = session.get(path)
    cold = time.perf_counter() - first
    assert status == 200 and body, (path, status)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        session.get(path)
        times.append(time.perf_counter() - t0)
    return cold, times


def measure(url: str, network_id: int, years: int, requests: int) -> dict[str, float]:
    port = _free_port()
    env = {
        **os.environ,
        "QMS_DATABASE_URL": url,
        "QMS_SECRET_KEY": "benchmark-secret-key-123",
        "QMS_QUESTIONNAIRES": str(ROOT / "questionnaires"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "qms.cli", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        browser = Session(base)
        browser.sign_in()
        year = FIRST_YEAR + years - 1
        dash = f"/staff/networks/{network_id}/dashboard?year={year}&methodology=socquality"
        cold, times = _timed(browser, dash, requests)
        chart = (
            f"/staff/networks/{network_id}/dashboard/distribution?year={year}"
            "&methodology=socquality&group=staff"
        )
        chart_cold, chart_times = _timed(browser, chart, requests)
        trend = (
            f"/staff/networks/{network_id}/dashboard/trend?year={year}"
            "&methodology=socquality&node=overall&group=composite"
        )
        trend_cold, trend_times = _timed(browser, trend, requests)
        return {
            "dashboard_first_s": cold,
            "dashboard_median_s": statistics.median(times),
            "dashboard_max_s": max(times),
            "box_chart_first_s": chart_cold,
            "box_chart_median_s": statistics.median(chart_times),
            "trend_chart_first_s": trend_cold,
            "trend_chart_median_s": statistics.median(trend_times),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def run(engine: str, args: argparse.Namespace) -> None:
    print(f"== {engine}: {args.orgs} organisations × {args.years} years", file=sys.stderr)
    if engine == "sqlite":
        folder = tempfile.mkdtemp(prefix="qms-bench-")
        url = f"sqlite:///{folder}/bench.db"

        def drop() -> None:
            shutil.rmtree(folder, ignore_errors=True)
    else:
        name = f"qms_bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(sqlalchemy_url(args.postgres), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = args.postgres.rsplit("/", 1)[0] + "/" + name

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

    try:
        built = build(url, args.orgs, args.years)
        figures = measure(url, int(built["network_id"]), args.years, args.requests)
    finally:
        drop()
    out = io.StringIO()
    out.write(
        f"{engine}: {int(built['answers']):,} answers, built in {built['build_s']:.0f} s "
        f"(data {built['data_s']:.0f} s, close+share {built['close_and_share_s']:.0f} s)\n"
    )
    for key, value in figures.items():
        out.write(f"  {key:<22} {value * 1000:8.1f} ms\n")
    verdict = "OK" if figures["dashboard_median_s"] < 1.0 else "TOO SLOW"
    out.write(f"  dashboard target < 1 s: {verdict}\n")
    print(out.getvalue(), end="", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--orgs", type=int, default=50)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    for engine in ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]:
        run(engine, args)


if __name__ == "__main__":
    main()
