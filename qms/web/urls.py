"""Paths from route names: how qms/web names a page it links, redirects or points htmx to.

Every route handler has a `name=`; Python asks for a path here and templates call
Litestar's `url_for(name, **params)`, so a path is written once, in its route's
decorator. tests/web/test_urls.py fails on a path written by hand anywhere else.
Query strings and fragments are appended by the caller after the path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Litestar
from litestar.utils.path import join_paths

from qms.web.deps import HttpRequest

if TYPE_CHECKING:
    from qms.web.access import CycleRequest


def path_for(request: HttpRequest, name: str, /, **params: Any) -> str:
    """The path (no scheme or host, as the links always were) of route `name`."""
    return reverse(request.app, name, **params)


def reverse(app: Litestar, name: str, /, **params: Any) -> str:
    path: str = app.route_reverse(name, **params)
    return path


def schema_path(app: Litestar) -> str:
    """The OpenAPI document's path. Its handler is Litestar's and answers at its router's
    root too, so its name reverses to either path, changing between runs; this is the
    path its plugin was given."""
    config = app.openapi_config
    assert config is not None and config.openapi_router is not None
    return join_paths([config.openapi_router.path, config.render_plugins[0].paths[0]])


def cycle_path(here: CycleRequest, name: str, /, **params: Any) -> str:
    """The path of route `name` of the cycle router, for the cycle `here` is about."""
    return path_for(here.request, name, cycle_id=here.cycle.id, **params)
