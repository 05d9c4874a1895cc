"""What every command shares: settings, a database session, and clean one-line errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from qms.settings import Settings
from qms.store.db import Database


class CommandError(Exception):
    """A user-facing failure: printed as one line, exit status 1 (or `exit_code`)."""

    exit_code = 1


@contextmanager
def database_session() -> Iterator[Session]:
    settings = Settings.from_env()
    database = Database(settings.database_url)
    try:
        with database.session() as session:
            yield session
    finally:
        database.dispose()
