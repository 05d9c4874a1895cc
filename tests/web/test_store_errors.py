"""A store failure that no handler turned into a message answers as the HTTP error it
means, with the very page (or API document) the handler's own HTTP error would give."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from litestar import Litestar, get
from litestar.exceptions import ClientException, NotFoundException
from litestar.params import FromPath
from litestar.testing import TestClient

from qms.app import create_app
from qms.settings import Settings
from qms.store.errors import Conflict, GroupNotInCycle, NotFound, StoreError
from qms.web.auth import public

RAISED: dict[str, Exception] = {
    "not-found": NotFound("no cycle with id 7"),
    "not-in-cycle": GroupNotInCycle(7, "clients", ("staff",)),
    "conflict": Conflict("the cycle is closed"),
    "http-404": NotFoundException(),
    "http-409": ClientException(status_code=409),
    "store": StoreError("a bug of the web layer"),
}


@pytest.fixture
def client(tmp_path: Path) -> TestClient[Litestar]:
    # No route here reads the database: the file need not exist.
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'none.db'}", secret_key="test-secret-key-0123456789"
    )
    app = create_app(settings)

    @get(
        ["/raise/{kind:str}", "/api/raise/{kind:str}"],
        opt=public(look_up_user=False),
        sync_to_thread=False,
    )
    def raising(kind: FromPath[str]) -> str:
        raise RAISED[kind]

    app.register(raising)
    return TestClient(app=app)


def _page(text: str) -> str:
    # Every page has its own CSP nonce and a fresh visitor a fresh CSRF token; the rest
    # must be the same to the letter.
    text = re.sub(r'nonce="[^"]*"', 'nonce=""', text)
    return re.sub(r'"X-CSRF-Token": "[^"]*"', '"X-CSRF-Token": ""', text)


@pytest.mark.parametrize(
    ("kind", "same_as"),
    [
        ("not-found", "http-404"),
        ("not-in-cycle", "http-404"),
        ("conflict", "http-409"),
    ],
)
def test_a_store_error_answers_as_its_http_error(
    client: TestClient[Litestar], kind: str, same_as: str
) -> None:
    for prefix in ("", "/api"):
        store = client.get(f"{prefix}/raise/{kind}", headers={"Accept-Language": "en"})
        http = client.get(f"{prefix}/raise/{same_as}", headers={"Accept-Language": "en"})
        assert store.status_code == http.status_code == int(same_as[-3:])
        assert store.headers["content-type"] == http.headers["content-type"]
        if prefix:
            assert store.json() == http.json()
        else:
            assert _page(store.text) == _page(http.text)
    page = client.get("/raise/not-found", headers={"Accept-Language": "en"})
    assert "This page does not exist." in page.text
    assert "no cycle with id" not in page.text


def test_another_store_error_is_a_server_error(client: TestClient[Litestar]) -> None:
    response = client.get("/raise/store", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "a bug of the web layer" not in response.text
