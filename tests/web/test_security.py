"""CSRF on every state-changing request, security headers on every response, no inline code."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from qms.store import directory
from qms.store.db import Database

Client = TestClient[Litestar]
SignIn = Callable[..., httpx.Response]
Token = Callable[..., str]
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\bhx-on", re.I), "hx-on attribute (needs eval)"),
]


def _inline_code(html: str) -> list[str]:
    return [label for pattern, label in INLINE_CODE if pattern.search(html)]


# Rendered only into PDF files by WeasyPrint, never served as a page under the CSP.
PDF_ONLY = {"codes/slips_pdf.html", "network_report/report.html"}


@pytest.mark.parametrize(
    "path",
    sorted(
        p.relative_to(TEMPLATES).as_posix()
        for p in TEMPLATES.rglob("*.html")
        if p.relative_to(TEMPLATES).as_posix() not in PDF_ONLY
    ),
)
def test_templates_carry_no_inline_script_or_style(path: str) -> None:
    # The CSP forbids inline code; a template that needed it would break silently.
    assert not _inline_code((TEMPLATES / path).read_text(encoding="utf-8")), path


def _check_headers(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    directives = {d.strip().split(" ")[0]: d.strip() for d in csp.split(";")}
    assert directives["default-src"] == "default-src 'self'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert directives["script-src"] == "script-src 'self'"
    assert directives["style-src"] == "style-src 'self'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in {"same-origin", "strict-origin-when-cross-origin"}
    assert response.headers["x-frame-options"] == "DENY"


def test_every_kind_of_response_carries_the_security_headers(
    client: Client, world: Any, sign_in: SignIn
) -> None:
    anonymous = ["/", "/login", "/healthz", "/static/css/qms.css", "/no/such/page", "/staff"]
    for path in anonymous:
        response = client.get(path, follow_redirects=False)
        _check_headers(response)
    forbidden = client.post("/login", data={"email": "x"}, follow_redirects=False)
    assert forbidden.status_code == 403
    _check_headers(forbidden)
    sign_in(client, world.email("staff"))
    for path in ["/staff", "/admin/users", f"/staff/organisations/{world.org_b}"]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code in {200, 403, 404}
        _check_headers(response)


def test_pages_behind_sign_in_are_never_cached(client: Client, world: Any, sign_in: SignIn) -> None:
    sign_in(client, world.email("head"))
    assert client.get("/staff").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/css/qms.css").headers.get("cache-control", "")


def test_rendered_pages_carry_no_inline_code(client: Client, world: Any, sign_in: SignIn) -> None:
    pages = ["/", "/login"]
    sign_in(client, world.email("admin"))
    pages += [
        "/staff",
        "/admin/organisations",
        f"/admin/organisations/{world.org_a}",
        "/admin/networks",
        f"/admin/networks/{world.net_1}",
        "/admin/users",
        f"/admin/users/{world.ids['head']}",
        "/admin/audit",
        "/account/password",
        f"/staff/organisations/{world.org_a}/audit",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert not _inline_code(response.text), path


def _organisation_names(database: Database) -> list[str]:
    with database.session() as s:
        return [o.name for o in directory.list_organisations(s)]


def test_a_post_without_the_token_is_refused_and_changes_nothing(
    client: Client, world: Any, sign_in: SignIn, database: Database
) -> None:
    sign_in(client, world.email("admin"))
    before = _organisation_names(database)
    missing = client.post(
        "/admin/organisations", data={"name": "Sneaky"}, headers={"Accept-Language": "en"}
    )
    assert missing.status_code == 403
    assert "This form has expired" in missing.text
    wrong = client.post("/admin/organisations", data={"name": "Sneaky", "csrf_token": "x" * 43})
    assert wrong.status_code == 403
    assert _organisation_names(database) == before


def test_a_token_from_another_session_is_refused(
    app: Litestar,
    client: Client,
    world: Any,
    sign_in: SignIn,
    csrf_token: Token,
    database: Database,
) -> None:
    with TestClient(app=app, base_url="http://127.0.0.1") as attacker:
        their_token = csrf_token(attacker)
    sign_in(client, world.email("admin"))
    response = client.post(
        "/admin/organisations", data={"name": "Sneaky", "csrf_token": their_token}
    )
    assert response.status_code == 403
    assert "Sneaky" not in _organisation_names(database)


def test_signing_in_issues_a_new_token(
    client: Client, world: Any, sign_in: SignIn, csrf_token: Token
) -> None:
    before = csrf_token(client)
    sign_in(client, world.email("admin"))
    after = csrf_token(client)
    assert before != after
    refused = client.post("/admin/organisations", data={"name": "Old token", "csrf_token": before})
    assert refused.status_code == 403


def test_htmx_sends_the_token_from_the_body_attribute(
    client: Client, world: Any, sign_in: SignIn, database: Database
) -> None:
    sign_in(client, world.email("admin"))
    page = client.get("/staff").text
    attribute = re.search(r"<body hx-headers='([^']+)'>", page)
    assert attribute, "the body carries hx-headers"
    headers = json.loads(attribute.group(1).replace("&#34;", '"'))
    assert set(headers) == {"X-CSRF-Token"}
    response = client.post(
        "/admin/organisations",
        data={"name": "Via htmx"},
        headers={**headers, "HX-Request": "true"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert "Via htmx" in _organisation_names(database)


def test_jinja_autoescape_is_on(app: Litestar) -> None:
    engine = app.template_engine
    assert engine is not None
    environment = engine.engine  # type: ignore[attr-defined]
    rendered = environment.from_string("{{ value }}").render(value="<b>&</b>")
    assert rendered == "&lt;b&gt;&amp;&lt;/b&gt;"
    template = environment.get_template("error.html")
    assert template.environment.autoescape is True or template.environment.autoescape("error.html")
