"""Browser tests: the real app served by uvicorn on a loopback port, driven by Playwright
through Debian's chromium (never a downloaded browser).

One server and one browser serve the whole session; each test gets fresh browser
contexts (own cookies), so tests stay independent without paying for start-ups. The
server's database is emptied after each test module, so no module sees another's data
whatever order they run in (a module's tests share what its module fixtures seeded).

Every wait is on something the page does (a URL, a status text, an element), with a
timeout meant for a busy 2-core machine, never a sleep: a passing test waits no longer
for a long timeout, and a loaded machine gets time to answer.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    expect,
    sync_playwright,
)

from qms.app import create_app
from qms.settings import Settings
from qms.store import directory
from qms.store.codes import create_codes
from qms.store.cycles import create_cycle
from qms.store.db import Database
from qms.store.orgs import get_organisation
from qms.store.snapshots import read_snapshot
from tests.browser.respondent_pages import PHONE, NewContext
from tests.conftest import SharedSqlite

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
# Milliseconds for any one action, assertion or page load: seconds on an idle machine,
# but a page, its scripts and an htmx save compete with other work on a busy one.
WAIT = 30_000


@pytest.fixture(scope="session")
def browser_database(
    sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> SharedSqlite:
    return SharedSqlite(sqlite_template, tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="session")
def browser_database_url(browser_database: SharedSqlite) -> str:
    """The migrated SQLite file of the session's server (the server outlives any one
    test)."""
    return browser_database.url


@pytest.fixture(scope="module", autouse=True)
def empty_after_module(browser_database: SharedSqlite) -> Iterator[None]:
    yield
    browser_database.empty()


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        # The test process owns the signals; uvicorn runs in a worker thread.
        pass


@pytest.fixture(scope="session")
def live_server(browser_database_url: str) -> Iterator[str]:
    """The base URL of the real app, served on a free loopback port."""
    settings = Settings(
        database_url=browser_database_url, secret_key="browser-test-secret-key-0123456789"
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = _Server(uvicorn.Config(create_app(settings), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    expect.set_options(timeout=WAIT)
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def new_context(browser: Browser, live_server: str) -> Iterator[NewContext]:
    """Makes browser contexts on the live server (keyword arguments as for
    `Browser.new_context`: viewport, java_script_enabled, locale ...); closes them after."""
    made: list[BrowserContext] = []

    def make(**options: object) -> BrowserContext:
        options.setdefault("viewport", PHONE)
        context = browser.new_context(base_url=live_server, **options)  # type: ignore[arg-type]
        context.set_default_timeout(WAIT)
        context.set_default_navigation_timeout(WAIT)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(new_context: NewContext) -> Page:
    """A phone-sized page with JavaScript."""
    return new_context().new_page()


@pytest.fixture
def nojs_page(new_context: NewContext) -> Page:
    """A phone-sized page with JavaScript switched off."""
    return new_context(java_script_enabled=False).new_page()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def client_code(browser_database_url: str, live_server: str) -> str:
    """A fresh client code in the live server's database (shared by the session, so the
    organisation gets a name of its own)."""
    database = Database(browser_database_url)
    try:
        with database.session() as s:
            name = f"Dienas centrs {secrets.token_hex(4)}"
            directory.create_organisation(s, name, actor_id=None)
            cycle = create_cycle(
                s, get_organisation(s, name), 2026, read_snapshot(QUESTIONNAIRES, "socquality")
            )
            [made] = create_codes(s, cycle, "clients", 1)
            s.commit()
            return made
    finally:
        database.dispose()
