"""The skeleton serves pages, reports health and hides server errors from people."""

from __future__ import annotations

import logging

from litestar import Litestar, get
from litestar.testing import TestClient

from qms.app import create_app
from qms.settings import Settings
from qms.web.auth import public


def test_home_page_renders_in_the_default_language(client: TestClient[Litestar]) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="lv">' in response.text
    assert "Piekļuves kods" in response.text


def test_language_follows_the_browser_and_an_explicit_choice_sticks(
    client: TestClient[Litestar],
) -> None:
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en"}).text
    chosen = client.get("/?lang=lt", headers={"Accept-Language": "en"})
    assert '<html lang="lt">' in chosen.text
    assert chosen.cookies.get("qms_lang") == "lt"
    # The cookie now outranks the browser's preference.
    assert '<html lang="lt">' in client.get("/", headers={"Accept-Language": "en"}).text


def test_healthz_checks_the_database(client: TestClient[Litestar]) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path: object) -> None:
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none", secret_key="x" * 20)
    with TestClient(app=create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_unknown_page_is_a_friendly_404(client: TestClient[Litestar]) -> None:
    response = client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert "This page does not exist." in response.text


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_a_server_error_logs_the_traceback_and_shows_none(settings: Settings) -> None:
    @get("/boom", sync_to_thread=False, opt=public())
    def boom() -> str:
        raise RuntimeError("secret internal detail")

    app = create_app(settings)
    app.register(boom)
    collect = _Collect()
    with TestClient(app=app) as client:
        # Attached after start-up: the app's logging configuration replaces root handlers.
        logging.getLogger("qms").addHandler(collect)
        try:
            response = client.get("/boom")
        finally:
            logging.getLogger("qms").removeHandler(collect)
    assert response.status_code == 500
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    logged = [r for r in collect.records if r.exc_info]
    assert logged, "the traceback must reach the server log"
    exc_info = logged[0].exc_info
    assert exc_info is not None
    assert "secret internal detail" in str(exc_info[1])


def test_ping_answers_without_the_database(tmp_path: object) -> None:
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none", secret_key="x" * 20)
    with TestClient(app=create_app(settings)) as client:
        response = client.get("/ping")
    assert response.status_code == 200
    assert response.text == "ok"
