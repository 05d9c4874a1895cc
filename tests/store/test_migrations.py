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


def _closed_cycle_before_releases(url: str) -> tuple[int, dict[str, object]]:
    """A closed cycle with answers of every kind, its figures, and then the database
    taken back to the revision before releases existed."""
    from qms.store.cycles import close_cycle, create_cycle
    from qms.store.db import Database
    from qms.store.orgs import create_organisation
    from qms.store.responses import create_response
    from qms.store.scores import cycle_scores
    from qms.store.snapshots import read_snapshot

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"
    database = Database(url)
    with database.session() as s:
        cycle = create_cycle(
            s, create_organisation(s, "Saulīte"), 2024, read_snapshot(fixtures, "testq")
        )
        for n, (goals, role) in enumerate([(1, "nurse"), (2, "carer"), (4, "carer"), (7, None)]):
            answers: dict[str, object] = {
                "staff.goals": goals,
                "staff.years": 2.5 + n,
                "staff.training": ["first_aid"],
            }
            if role:
                answers["staff.role"] = role
            create_response(
                s,
                cycle,
                group="staff",
                respondent=f"s{n}",
                source="import",
                submitted=True,
                answers=answers,
            )
        create_response(
            s,
            cycle,
            group="organisation",
            respondent="consensus",
            source="paper",
            submitted=True,
            answers={"org.direction": 75},
        )
        close_cycle(s, cycle)
        s.commit()
        figures = cycle_scores(s, cycle).to_dict()
        cycle_id = cycle.id
    database.dispose()
    downgrade(url, "0010")
    return cycle_id, figures


def _figures_after_upgrade(url: str, cycle_id: int) -> dict[str, object]:
    from qms.store.cycles import get_cycle
    from qms.store.db import Database
    from qms.store.scores import cycle_scores

    upgrade(url)
    database = Database(url)
    with database.session() as s:
        figures = cycle_scores(s, get_cycle(s, cycle_id)).to_dict()
    database.dispose()
    return figures


def test_closed_cycles_keep_their_figures_through_the_releases_migration_sqlite(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'releases.db'}"
    upgrade(url)
    cycle_id, before = _closed_cycle_before_releases(url)
    after = _figures_after_upgrade(url, cycle_id)
    assert after == before
    assert any(i["n"] for i in after["items"])  # type: ignore[attr-defined]


@pytest.mark.postgres
def test_closed_cycles_keep_their_figures_through_the_releases_migration_postgresql(
    postgres_templates: Any,
) -> None:
    name = postgres_templates.new()
    url = postgres_templates.url(name)
    try:
        cycle_id, before = _closed_cycle_before_releases(url)
        assert _figures_after_upgrade(url, cycle_id) == before
    finally:
        postgres_templates.drop(name)
