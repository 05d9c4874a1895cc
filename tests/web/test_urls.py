"""Paths come from route names (qms.web.urls, Jinja's `url_for`), never written by hand.

A path written twice drifts: a route moves and a link, a redirect or an htmx target
keeps pointing at the old place, which only a person clicking finds. So the path of a
page is written once, in its route's decorator, and these tests fail on any other copy.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.constants import OPENAPI_JSON_HANDLER_NAME
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.routes import HTTPRoute

from qms.app import create_app
from qms.settings import Settings
from qms.web.urls import schema_path

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "qms" / "web"
TEMPLATES = ROOT / "templates"

# The first segments of the app's paths: a string starting with one of them (or "/"
# alone, the start page) is a path of ours.
PREFIXES = (
    "/a/",
    "/account",
    "/admin",
    "/api",
    "/code",
    "/healthz",
    "/login",
    "/logout",
    "/networks",
    "/ping",
    "/preview",
    "/schema",
    "/staff",
    "/static",
)
ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route", "head"}
# Calls whose `path=` is a route's own path (not Redirect's `path=`, which is a target).
ROUTER_CALLS = {"Router", "create_static_files_router", "JsonRenderPlugin"}
# A cookie's `path="/"` is its scope, the whole site, not a page.
COOKIE_CALLS = {"Cookie", "set_cookie", "delete_cookie"}
STRING_TESTS = {"startswith", "removeprefix", "rstrip"}
# A path glued onto another in an f-string: f"{base}/distribution?{query}".
_GLUED_PIECE = re.compile(r"/[a-z]")


def _is_app_path(value: str) -> bool:
    return value == "/" or value.startswith(PREFIXES)


def _name_of(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _allowed_constants(tree: ast.AST) -> set[int]:
    """ids of the constants that declare a route's path, or test a request's path."""
    allowed: set[ast.expr] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and _name_of(decorator.func) in ROUTE_DECORATORS:
                    allowed.update(decorator.args[:1])
                    allowed.update(k.value for k in decorator.keywords if k.arg == "path")
        elif isinstance(node, ast.ClassDef):
            # A controller's own `path = "/admin"`.
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "path" for t in statement.targets
                ):
                    allowed.add(statement.value)
        elif isinstance(node, ast.Call):
            name = _name_of(node.func)
            if name in ROUTER_CALLS | COOKIE_CALLS:
                allowed.update(k.value for k in node.keywords if k.arg == "path")
            elif name in STRING_TESTS:
                # Which part of the site a request is in: a test on a path, not a path.
                allowed.update(node.args[:1])
            elif name == "join" and isinstance(node.func, ast.Attribute):
                allowed.add(node.func.value)  # "/".join(methods)
        elif isinstance(node, ast.JoinedStr):
            # An f-string is a path when it starts as one; its later pieces are only
            # looked at with it (`f"{code}/{n}"` is no path, `f"/a/{code}"` is).
            allowed.update(node.values[1:])
    # A router's path kept in a constant (`Router(path=CYCLE_PATH)`), which the same
    # module may compare route paths with.
    router_names = {
        k.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _name_of(node.func) in ROUTER_CALLS
        for k in node.keywords
        if k.arg == "path" and isinstance(k.value, ast.Name)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in router_names for t in node.targets
        ):
            allowed.add(node.value)
    ids: set[int] = set()
    for node in allowed:
        ids.update(id(inner) for inner in ast.walk(node))
    return ids


def hand_written_paths(source: str, filename: str) -> list[str]:
    tree = ast.parse(source, filename)
    allowed = _allowed_constants(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if id(node) in allowed:
            continue
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and _is_app_path(node.value):
            found.append((node.lineno, f"{filename}:{node.lineno}: {node.value!r}"))
        elif isinstance(node, ast.JoinedStr) and any(
            isinstance(piece, ast.Constant) and _GLUED_PIECE.match(str(piece.value))
            for piece in node.values[1:]
        ):
            found.append((node.lineno, f"{filename}:{node.lineno}: {ast.unparse(node)}"))
    return [hit for _, hit in sorted(found)]


def _web_modules() -> Iterator[Path]:
    yield from sorted(WEB.rglob("*.py"))


def test_no_module_under_qms_web_writes_a_path_by_hand() -> None:
    found = [
        hit
        for module in _web_modules()
        for hit in hand_written_paths(module.read_text(), str(module.relative_to(ROOT)))
    ]
    assert found == [], "use qms.web.urls.path_for(request, NAME, ...):\n" + "\n".join(found)


def test_the_python_scan_finds_what_it_looks_for() -> None:
    # Each way a path used to be written in qms/web, and the ways that stay allowed.
    source = """
@get("/staff/cycles/{cycle_id:int}/results", name="cycle_results")
def page(cycle): return Redirect(path=f"/staff/cycles/{cycle.id}?done=1")
class Admin(Controller):
    path = "/admin"
BASE = "/staff/networks/{network_id:int}/dashboard"
base = BASE.replace("{network_id:int}", "7")
router = Router(path="/", route_handlers=[])
is_api = request.url.path.startswith("/api/")
home = "/"
target = "/login?next=" + quote(where)
chart = f"{base}/distribution?{query}"
CYCLE_PATH = "/staff/cycles/{cycle_id:int}"
cycles = Router(path=CYCLE_PATH, route_handlers=[])
where = f"{'/'.join(methods)} {route.path}"
name = f"{methodology}/{group}.yaml"
"""
    assert hand_written_paths(source, "m.py") == [
        "m.py:3: '/staff/cycles/'",
        "m.py:6: '/staff/networks/{network_id:int}/dashboard'",
        "m.py:10: '/'",
        "m.py:11: '/login?next='",
        "m.py:12: f'{base}/distribution?{query}'",
    ]


# URL attributes with a path written into them, and paths in a Jinja expression.
_ATTRIBUTE = re.compile(
    r"""\b(href|src|action|formaction|hx-get|hx-post|hx-put|hx-patch|hx-delete)\s*=\s*["']/"""
)
_JINJA_PATH = re.compile(r"""\{[{%][^}]*?["']/[a-z][^}]*[}%]\}""")
# A path glued onto a reversed one in an attribute: `{{ urls.intro }}/restart`.
_GLUED = re.compile(r"""\b(href|src|action|hx-[a-z]+)\s*=\s*"[^"]*\}\}/""")


def hand_written_template_paths(text: str, filename: str) -> list[str]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern in (_ATTRIBUTE, _JINJA_PATH, _GLUED):
            found.extend(f"{filename}:{number}: {m.group(0)}" for m in pattern.finditer(line))
    return found


def test_no_template_writes_a_path_by_hand() -> None:
    found = [
        hit
        for template in sorted(TEMPLATES.rglob("*.html"))
        for hit in hand_written_template_paths(
            template.read_text(), str(template.relative_to(ROOT))
        )
    ]
    assert found == [], "use {{ url_for('NAME', ...) }}:\n" + "\n".join(found)


def test_the_template_scan_finds_what_it_looks_for() -> None:
    text = "\n".join(
        [
            '<a href="/staff/cycles/{{ cycle.id }}">',
            '<form action="/login" method="post">',
            '<button hx-post="/admin/users/{{ a.id }}/roles">',
            """<a href="{{ '/staff' if me else '/' }}">""",
            '<form action="{{ urls.intro }}/restart">',
            '<img src="/static/js/x.js">',
            # allowed: reversed paths, query strings and fragments on the same page
            """<a href="{{ url_for('staff_cycle', cycle_id=cycle.id) }}?done=1#releases">""",
            '<a href="?lang=lv">',
            '<a href="#main">',
        ]
    )
    assert sorted({hit.split(": ")[0] for hit in hand_written_template_paths(text, "t")}) == [
        "t:1",
        "t:2",
        "t:3",
        "t:4",
        "t:5",
        "t:6",
    ]


# Sample values by the type a path parameter declares.
_SAMPLES: dict[type, object] = {int: 7, str: "staff.values", Path: "css/qms.css"}


def _our_handlers(app: Litestar) -> Iterator[tuple[HTTPRoute, HTTPRouteHandler]]:
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            fn = getattr(handler.fn, "func", handler.fn)
            module = getattr(fn, "__module__", "") or ""
            if handler.http_methods == {"OPTIONS"} or not module.startswith("qms."):
                continue  # Litestar's own: OPTIONS answers, the schema
            yield route, handler


@pytest.fixture(scope="module")
def named_app(tmp_path_factory: pytest.TempPathFactory) -> Litestar:
    # No request is made: the routes are all this needs, on any database URL.
    url = f"sqlite:///{tmp_path_factory.mktemp('urls') / 'unused.db'}"
    return create_app(Settings(database_url=url, secret_key="test-secret-key-0123456789"))


def test_every_route_handler_has_a_snake_case_name(named_app: Litestar) -> None:
    unnamed = [
        f"{'/'.join(sorted(h.http_methods))} {route.path}: {h.name!r}"
        for route, h in _our_handlers(named_app)
        if not (h.name and re.fullmatch(r"[a-z][a-z0-9_]*", h.name))
    ]
    assert unnamed == []


def test_every_named_route_reverses_to_a_path_that_reaches_it(named_app: Litestar) -> None:
    checked = 0
    for route, handler in _our_handlers(named_app):
        assert handler.name is not None
        params = {name: _SAMPLES[p.type] for name, p in route.path_parameters.items()}
        path = named_app.route_reverse(handler.name, **params)
        method = sorted(handler.http_methods - {"HEAD"})[0]
        try:
            _, reached, _, reached_params, _ = named_app.asgi_router.handle_routing(
                path=path, method=method
            )
        except NotFoundException:
            pytest.fail(f"{handler.name} reverses to {path}, which reaches no route")
        assert (reached.name, reached_params) == (handler.name, params), path
        checked += 1
    assert checked > 100  # every page and action of the app, not a few


def test_the_api_tokens_page_links_the_schema_where_it_is(named_app: Litestar) -> None:
    # Litestar's schema handler answers at /schema too, so its name is not used.
    path = schema_path(named_app)
    _, reached, _, _, _ = named_app.asgi_router.handle_routing(path=path, method="GET")
    assert (path, reached.name) == ("/schema/openapi.json", OPENAPI_JSON_HANDLER_NAME)


def test_the_static_files_reverse_to_their_path(named_app: Litestar) -> None:
    # Stylesheets and scripts are linked by the static router's name too.
    path = named_app.route_reverse("static", file_path="css/qms.css")
    assert path == "/static/css/qms.css"
