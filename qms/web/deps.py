"""Request-scoped dependencies, named explicitly in handlers with NamedDependency."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from litestar import Request
from sqlalchemy.orm import Session

from qms.settings import Settings
from qms.store.db import Database


def provide_db(request: Request[Any, Any, Any]) -> Iterator[Session]:
    database: Database = request.app.state.db
    with database.sessions() as session:
        yield session


def provide_settings(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state.settings
    return settings
