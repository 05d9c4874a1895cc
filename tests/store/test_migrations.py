"""The migration chain: one line of history that goes down to nothing and up again."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from qms.store.db import sqlalchemy_url
from qms.store.migrate import alembic_config, downgrade, is_current, upgrade


def test_history_has_a_single_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1


def _tables(url: str) -> set[str]:
    engine = create_engine(sqlalchemy_url(url))
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_downgrade_to_base_and_upgrade_again_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'chain.db'}"
    upgrade(url)
    assert is_current(url)
    full = _tables(url)
    assert {"organisations", "cycles", "answers", "users", "access_codes"} <= full
    downgrade(url, "base")
    assert _tables(url) == set()
    upgrade(url)
    assert _tables(url) == full


@pytest.mark.postgres
def test_downgrade_to_base_and_upgrade_again_on_postgresql(postgres_templates: Any) -> None:
    name = postgres_templates.new()
    url = postgres_templates.url(name)
    try:
        full = _tables(url)
        downgrade(url, "base")
        assert _tables(url) == set()
        upgrade(url)
        assert _tables(url) == full
        assert is_current(url)
    finally:
        postgres_templates.drop(name)
