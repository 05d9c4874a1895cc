"""Alembic environment: the URL comes from qms (config attribute or QMS_DATABASE_URL)."""

from __future__ import annotations

from alembic import context

from qms.settings import Settings
from qms.store import models  # noqa: F401  (registers every table on the metadata)
from qms.store.base import Base
from qms.store.db import make_engine

config = context.config
url = config.attributes.get("database_url") or Settings.from_env().database_url


def run() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
