"""The migrated schema is the schema the models describe, on both engines."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from qms.store import models  # noqa: F401  (every table on the metadata)
from qms.store.base import Base
from qms.store.db import Database

# The tables of 0001 and 0002; tables other migrations add are checked by their tests.
OURS = {
    "organisations",
    "networks",
    "network_members",
    "cycles",
    "responses",
    "answers",
    "item_counts",
}


def _diff_table(diff: Any) -> str:
    """The table a compare_metadata entry is about (entries are tuples, or lists of them)."""
    kind, *rest = diff[0] if isinstance(diff, list) else diff
    if kind in ("add_table", "remove_table"):
        return str(rest[0].name)
    if kind in ("add_column", "remove_column") or kind.startswith("modify_"):
        return str(rest[1])
    table = getattr(rest[0], "table", None)
    if table is None:  # foreign keys name their table `parent`
        table = rest[0].parent
    return str(table.name)


def test_every_model_table_exists_after_migrating(db: Database) -> None:
    present = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= present, set(Base.metadata.tables) - present


def test_migrations_match_the_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = compare_metadata(context, Base.metadata)
    present = set(inspect(db.engine).get_table_names())
    mine = [d for d in diffs if _diff_table(d) in OURS & present & set(Base.metadata.tables)]
    assert not mine
    assert present >= OURS
