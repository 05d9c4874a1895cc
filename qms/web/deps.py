"""Request-scoped dependencies, named explicitly in handlers with NamedDependency, and the
one name for the request type."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeAlias

from litestar import Request
from sqlalchemy.orm import Session

from qms.settings import Settings
from qms.store.db import Database

# Every handler takes the same request: no typed user, auth or state of Litestar's own
# (the principal and the language come from qms.web.auth and the before-request hook).
HttpRequest: TypeAlias = Request[Any, Any, Any]


def provide_db(request: HttpRequest) -> Iterator[Session]:
    database: Database = request.app.state.db
    with database.sessions() as session:
        yield session


def provide_settings(request: HttpRequest) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
