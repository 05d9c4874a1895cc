"""A database outage under load: `qms serve` on PostgreSQL behind a TCP proxy that the
test cuts twice and restores while respondents save.

While the database is away every answer is 503 with Retry-After (the respondent's page
shows "not saved" and offers to try again), never another 5xx; the log has one warning
per outage and no traceback; once it is back every save succeeds, with no restart."""

from __future__ import annotations

import logging
import os
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from litestar.testing import TestClient

from qms.app import create_app
from qms.settings import Settings
from qms.store.codes import create_codes
from qms.store.cycles import create_cycle
from qms.store.db import Database
from qms.store.orgs import create_organisation
from qms.store.snapshots import read_snapshot
from tests.conftest import PostgresTemplates
from tests.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]
ITEMS = ["clients.respect", "clients.time", "clients.understanding", "clients.conditions"]
SAVERS = 3
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
WARNING = "database unreachable"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def private_db(postgres_templates: PostgresTemplates) -> Iterator[tuple[str, str]]:
    """A migrated database of its own: (its URL, its name)."""
    name = postgres_templates.new()
    yield postgres_templates.url(name), name
    postgres_templates.drop(name)


def _codes(url: str) -> list[str]:
    database = Database(url)
    with database.session() as s:
        cycle = create_cycle(
            s,
            create_organisation(s, "Krīzes centrs"),
            2026,
            read_snapshot(ROOT / "questionnaires", "socquality"),
        )
        made = create_codes(s, cycle, "clients", SAVERS)
        s.commit()
    database.dispose()
    return made


def test_saves_ride_out_two_database_outages(private_db: tuple[str, str], tmp_path: Path) -> None:
    url, name = private_db
    codes = _codes(url)
    target = urlsplit(url)
    proxy = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    port = _free_port()
    log_path = tmp_path / "server.log"
    env = {
        **os.environ,
        "QMS_DATABASE_URL": f"postgresql://{target.username}@127.0.0.1:{proxy.port}/{name}",
        "QMS_SECRET_KEY": "outage-test-secret-key-0123",
        "QMS_QUESTIONNAIRES": str(ROOT / "questionnaires"),
    }
    with proxy, log_path.open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "qms.cli", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _under_load(f"http://127.0.0.1:{port}", codes, proxy)
        finally:
            server.terminate()
            server.wait(timeout=20)
    logged = log_path.read_text()
    assert "Traceback" not in logged, logged[-3000:]
    assert logged.count(WARNING) == 2, logged[-3000:]


def _wait_up(base: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not answer /healthz")


def _under_load(base: str, codes: list[str], proxy: TcpProxy) -> None:
    _wait_up(base)
    stop = threading.Event()
    restored_at = [0.0]  # saves sent after this instant must all succeed
    seen: list[tuple[float, int, str | None, str]] = []  # (sent, status, Retry-After, body)
    failures: list[BaseException] = []
    ready = threading.Barrier(SAVERS + 1)

    def save(n: int) -> None:
        try:
            with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as client:
                assert client.get(f"/a/{codes[n]}").status_code == 200
                found = _TOKEN.search(client.get(f"/a/{codes[n]}/1").text)
                assert found
                headers = {
                    "HX-Request": "true",
                    "X-CSRF-Token": found.group(1),
                    "Accept-Language": "en",
                }
                ready.wait(timeout=60)
                step = 0
                while not stop.is_set():
                    item = ITEMS[step % len(ITEMS)]
                    sent = time.monotonic()
                    answer = client.post(
                        f"/a/{codes[n]}/save/{item}",
                        data={item: str(1 + (step + n) % 5)},
                        headers=headers,
                    )
                    seen.append(
                        (sent, answer.status_code, answer.headers.get("retry-after"), answer.text)
                    )
                    step += 1
                    time.sleep(0.02)
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)
            ready.abort()

    threads = [threading.Thread(target=save, args=(n,), daemon=True) for n in range(SAVERS)]
    for t in threads:
        t.start()
    ready.wait(timeout=60)
    page = None
    for _ in range(2):
        time.sleep(1.0)
        proxy.cut()
        time.sleep(1.5)
        # A full page while the database is away: calm, translated, with Retry-After.
        page = httpx.get(f"{base}/a/{codes[0]}/1", headers={"Accept-Language": "lv"}, timeout=30)
        health = httpx.get(f"{base}/healthz", timeout=30)
        assert health.status_code == 503
        assert health.headers.get("retry-after") == "10"
        proxy.restore()
        restored_at[0] = time.monotonic()
    time.sleep(1.5)
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not failures, failures
    assert page is not None and page.status_code == 503
    assert page.headers.get("retry-after")
    assert "Pakalpojums uz brīdi nav pieejams" in page.text
    statuses = {status for _, status, _, _ in seen}
    assert statuses <= {200, 503}, statuses
    assert 503 in statuses  # the saves did meet the outages
    assert all(after for _, status, after, _ in seen if status == 503)
    late = [(status, body) for sent, status, _, body in seen if sent > restored_at[0]]
    assert late
    assert all(status == 200 and "Saved" in body for status, body in late), late[:3]


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_locked_sqlite_database_is_busy_not_an_outage(sqlite_url: str) -> None:
    # The file answers, but another writer holds it past the busy timeout: worth a retry
    # (503), and an error with its traceback to find that writer, not an outage warning.
    codes = _codes(sqlite_url)
    app = create_app(Settings(database_url=sqlite_url, secret_key="locked-test-secret-0123"))
    records = _Records()
    with TestClient(app=app, base_url="http://127.0.0.1") as client:
        base = f"/a/{codes[0]}"
        assert client.get(base).status_code == 200
        found = _TOKEN.search(client.get(f"{base}/1").text)
        assert found
        holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
        holder.execute("BEGIN IMMEDIATE")
        logging.getLogger().addHandler(records)
        try:
            answer = client.post(
                f"{base}/save/clients.respect",
                data={"clients.respect": "4"},
                headers={"HX-Request": "true", "X-CSRF-Token": found.group(1)},
            )
        finally:
            logging.getLogger().removeHandler(records)
            holder.rollback()
            holder.close()
        again = client.post(
            f"{base}/save/clients.respect",
            data={"clients.respect": "4"},
            headers={"HX-Request": "true", "X-CSRF-Token": found.group(1)},
        )
    assert answer.status_code == 503
    assert answer.headers.get("retry-after")
    assert again.status_code == 200
    messages = [(r.levelno, r.getMessage()) for r in records.records]
    assert not any(WARNING in m for _, m in messages), messages
    assert any(level == logging.ERROR and "busy" in m for level, m in messages), messages
