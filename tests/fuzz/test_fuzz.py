"""A small fuzz of every route in the suite; the full one is `python -m tests.fuzz.run`."""

from __future__ import annotations

import pytest
from litestar import Litestar

from qms.store.db import Database
from tests.fuzz.fuzzer import fuzz


@pytest.mark.parametrize("who", [None, "head"])
def test_no_random_request_gets_a_server_error(
    app: Litestar, database: Database, who: str | None
) -> None:
    tally = fuzz(app, database, 150, signed_in=who)
    assert tally.requests >= 150
    assert tally.failures == []
