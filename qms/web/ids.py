"""Ids in paths that no row can have answer 404 before anything reads the database.

Every id column is an INTEGER: 32 bits on PostgreSQL, 64 on SQLite. A path id outside
1..2^31-1 cannot name a row on either engine, yet handing it to a query fails in the
driver (PostgreSQL's NumericValueOutOfRange, SQLite's OverflowError) and becomes a 500.
One guard on the whole app checks every integer path parameter, so a route added later
is covered without remembering to.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers import BaseRouteHandler

# The smallest id column of either engine (PostgreSQL's int4); the same bound on both
# keeps an engine switch from changing which URLs exist.
ID_MIN = 1
ID_MAX = 2**31 - 1


def in_range(value: int) -> bool:
    return ID_MIN <= value <= ID_MAX


def check_path_ids(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard on every route: any integer path parameter (ids, and section numbers,
    which count from 1 too) outside the id range is a page that does not exist."""
    for value in connection.path_params.values():
        if isinstance(value, int) and not isinstance(value, bool) and not in_range(value):
            raise NotFoundException()
