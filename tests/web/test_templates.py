"""Every template renders, on both engines, with the context its own page gives it.

The demo (`qms demo`) is loaded, and every page a person of each role can reach by
following links is requested, along with the pages only a form post or a download
leads to (a respondent's answers, the code slips, the PDF reports, an error page). The
environment is StrictUndefined (qms.presentation.templates), so a template reading a
variable its page does not pass fails its page; a template that no page renders fails
the last assertion, so a new template comes with a page that shows it.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from jinja2 import BaseLoader, Environment
from litestar import Litestar
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.testing import TestClient

from qms.app import create_app
from qms.demo import REGION, SMALL_ORGS, load_demo
from qms.presentation.templates import report_env
from qms.settings import Settings
from qms.store import codes, cycles, directory
from qms.store.db import Database
from qms.store.snapshots import read_snapshot
from qms.store.users import DEMO_PASSWORDS, create_demo_users
from tests.factories import form_post, sign_in
from tests.web.conftest import SECRET_KEY

Client = TestClient[Litestar]
ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
LINK = re.compile(r'(?:href|src|action)="(/[^"#]*)"')
# Downloads and charts are files, not pages; signing out would end the walk.
NOT_PAGES = re.compile(r"^/static/|/charts/|\.(svg|png|csv|xlsx|pdf)$|^/logout")
# The same page for another id or item: a few of each are enough to render its template.
PER_SHAPE = 3


class RecordingLoader(BaseLoader):
    """The environment's loader, noting every template a render loads (pages, the
    fragments and macros they include or import)."""

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner
        self.loaded: set[str] = set()

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        self.loaded.add(template)
        return self.inner.get_source(environment, template)


def all_templates() -> set[str]:
    return {p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.html")}


def _shape(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"/\d+", "/N", parts.path)
    path = re.sub(r"/items/[^/]+", "/items/X", path)
    return path + "?" + ",".join(sorted(k for k, _ in parse_qsl(parts.query)))


def crawl(
    client: Client, start: str, seen: Counter[str], failures: list[str], limit: int = 150
) -> None:
    """Follow every link of the staff and public pages from `start` (GET only)."""
    queue = deque([start])
    visited: set[str] = set()
    while queue and limit > 0:
        url = queue.popleft()
        if url in visited or NOT_PAGES.search(urlsplit(url).path):
            continue
        visited.add(url)
        if seen[_shape(url)] >= PER_SHAPE:
            continue
        seen[_shape(url)] += 1
        limit -= 1
        response = client.get(url, follow_redirects=True)
        if response.status_code >= 500:
            failures.append(url)
        if "text/html" in response.headers.get("content-type", ""):
            queue.extend(u.replace("&amp;", "&") for u in LINK.findall(response.text))


def load_the_demo(url: str) -> tuple[list[int], int]:
    db = Database(url)
    try:
        with db.session() as s:
            load_demo(s, read_snapshot(ROOT / "questionnaires", "socquality"), "small")
            org_ids = [
                ref.id
                for name, _, _ in SMALL_ORGS
                if (ref := directory.organisation_by_name(s, name)) is not None
            ]
            region = directory.network_by_name(s, REGION)
            assert region is not None
            create_demo_users(s, org_ids, region.id)
            s.commit()
            return org_ids, region.id
    finally:
        db.dispose()


def open_cycle_codes(url: str, organisation_id: int) -> tuple[int, list[str]]:
    """The first organisation's open cycle and a few staff access codes of it."""
    db = Database(url)
    try:
        with db.session() as s:
            info = next(
                c for c in cycles.organisation_cycles(s, organisation_id) if c.status == "open"
            )
            made = codes.create_codes(s, cycles.get_cycle(s, info.id), "staff", 2)
            s.commit()
            return info.id, made
    finally:
        db.dispose()


def signed(stack: ExitStack, app: Litestar, who: str) -> Client:
    client = stack.enter_context(TestClient(app=app, base_url="http://127.0.0.1"))
    sign_in(client, f"{who}@demo.example", DEMO_PASSWORDS[who])
    return client


def answer_every_section(client: Client, start: str, failures: list[str]) -> None:
    """A respondent's way through: each part sent once with an answer no option has (the
    page comes back with its error summary) and once as it stands, an answer saved the
    htmx way, the review, sending, the thank-you page, and the intro again after it."""

    def check(response: httpx.Response) -> httpx.Response:
        if response.status_code >= 500:
            failures.append(f"{response.request.method} {response.request.url.path}")
        return response

    page = check(client.get(start, follow_redirects=True))
    token = {"csrf_token": t} if (t := _token(page.text)) else {}
    base = start.rstrip("/")
    for number in range(1, 40):
        section = check(client.get(f"{base}/{number}"))
        if section.status_code != 200:
            break
        token = {"csrf_token": t} if (t := _token(section.text)) else token
        save = re.search(r'hx-post="([^"]+/save/[^"]+)"', section.text)
        if save:
            check(client.post(save.group(1), data=token, headers={"HX-Request": "true"}))
        radio = re.search(r'type="radio" id="[^"]*" name="([^"]+)"', section.text)
        wrong = {"_shown": radio.group(1), radio.group(1): "not-an-option"} if radio else {}
        check(client.post(f"{base}/{number}", data={**token, **wrong, "_action": "next"}))
        check(client.post(f"{base}/{number}", data={**token, "_action": "next"}))
    check(client.get(f"{base}/review"))
    check(client.post(f"{base}/review", data=token, follow_redirects=True))
    check(client.get(f"{base}/done"))
    check(client.get(start, follow_redirects=True))


def _token(html: str) -> str | None:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    return found.group(1) if found else None


def walk(
    stack: ExitStack,
    app: Litestar,
    database_url: str,
    org_ids: list[int],
    network_id: int,
    seen: Counter[str],
    failures: list[str],
) -> None:
    """Every page of the demo, as each role and a respondent reach it."""
    with TestClient(app=app, base_url="http://127.0.0.1") as public:
        crawl(public, "/", seen, failures, limit=20)
        crawl(public, "/preview", seen, failures, limit=20)
        assert public.get("/no-such-page").status_code == 404
        answer_every_section(public, "/preview/socquality/staff", failures)
    for who in ("admin", "coordinator", "head", "staff"):
        crawl(signed(stack, app, who), "/staff", seen, failures)

    head = signed(stack, app, "head")
    cycle_id, made = open_cycle_codes(database_url, org_ids[0])
    with TestClient(app=app, base_url="http://127.0.0.1") as respondent:
        answer_every_section(respondent, f"/a/{made[0]}", failures)
    slips = form_post(head, f"/staff/cycles/{cycle_id}/codes", {"group": "staff", "count": "2"})
    assert slips.status_code < 500, slips.text
    pdf_link = re.search(r'href="([^"]*slips\.pdf[^"]*)"', slips.text)
    assert pdf_link, slips.text
    assert head.get(pdf_link.group(1).replace("&amp;", "&")).status_code == 200
    # Staff before the results are published; the cycle closed: its slips print nothing,
    # its codes open nothing.
    staff = signed(stack, app, "staff")
    assert staff.get(f"/staff/cycles/{cycle_id}/results").status_code == 200
    assert form_post(head, f"/staff/cycles/{cycle_id}/close").status_code == 422
    closing = form_post(head, f"/staff/cycles/{cycle_id}/close", {"confirm": "yes"})
    assert closing.status_code == 303
    assert head.get(pdf_link.group(1).replace("&amp;", "&")).status_code == 409
    with TestClient(app=app, base_url="http://127.0.0.1") as respondent:
        assert respondent.get(f"/a/{made[1]}", follow_redirects=True).status_code == 410
    admin = signed(stack, app, "admin")
    user = re.search(r'href="/admin/users/(\d+)"', admin.get("/admin/users").text)
    assert user, "the users page links each account"
    shown = form_post(admin, f"/admin/users/{user.group(1)}/password", {})
    assert shown.status_code == 200, shown.text
    closed = [c.id for c in _cycles(database_url, org_ids[0]) if c.status == "closed"]
    assert head.get(f"/staff/cycles/{closed[-1]}/export.pdf").status_code == 200
    coordinator = signed(stack, app, "coordinator")
    dashboard = coordinator.get(f"/staff/networks/{network_id}/dashboard").text
    report = re.search(r'href="([^"]*\.pdf[^"]*)"', dashboard)
    assert report, "the dashboard links its PDF report"
    assert coordinator.get(report.group(1).replace("&amp;", "&")).status_code == 200


def test_every_template_renders(database_url: str) -> None:
    org_ids, network_id = load_the_demo(database_url)
    # An app of its own: its environment has not loaded any template yet.
    app = create_app(Settings(database_url=database_url, secret_key=SECRET_KEY))
    engine = app.template_engine
    assert isinstance(engine, JinjaTemplateEngine)
    assert engine.engine.loader is not None
    recorder = RecordingLoader(engine.engine.loader)
    engine.engine.loader = recorder
    # The PDF reports' environment is made once per process: record from an empty cache.
    reports = report_env()
    assert reports.loader is not None and reports.cache is not None
    report_recorder = RecordingLoader(reports.loader)
    reports.loader = report_recorder
    reports.cache.clear()
    seen: Counter[str] = Counter()
    failures: list[str] = []
    try:
        with ExitStack() as stack:
            walk(stack, app, database_url, org_ids, network_id, seen, failures)
    finally:
        engine.engine.loader = recorder.inner
        reports.loader = report_recorder.inner
    assert not failures, f"pages that failed to render: {failures}"
    never = sorted(all_templates() - recorder.loaded - report_recorder.loaded)
    assert not never, f"templates no page rendered: {never}"


def _cycles(url: str, organisation_id: int) -> list[Any]:
    db = Database(url)
    try:
        with db.session() as s:
            return list(cycles.organisation_cycles(s, organisation_id))
    finally:
        db.dispose()
