"""A streamed import stays all or nothing: a bad row at the very end of a large file
leaves nothing behind, on both engines; the same file without it is stored whole."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from qms.store.counts import read_counts, recompute_counts
from qms.store.db import Database
from qms.store.models import Answer, ItemCount, Response
from tests.cli.conftest import env_for, run_qms

RESPONDENTS = 10_000  # two rows each: 20,000 rows, four batches of answers and more


def _file(tmp_path: Path, bad_last_row: bool) -> Path:
    lines = ["respondent,group,item,value"]
    for n in range(RESPONDENTS):
        lines += [f"s{n},staff,staff.role,carer", f"s{n},staff,staff.goals,{(1, 2, 4, 7)[n % 4]}"]
    if bad_last_row:
        lines.append("late,staff,staff.goals,99")
    path = tmp_path / "big.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _stored(url: str) -> tuple[int, int, int]:
    database = Database(url)
    try:
        with database.session() as s:
            return tuple(  # type: ignore[return-value]
                int(s.scalar(select(func.count()).select_from(m)) or 0)
                for m in (Response, Answer, ItemCount)
            )
    finally:
        database.dispose()


def test_a_bad_last_row_of_a_large_file_stores_nothing(database_url: str, tmp_path: Path) -> None:
    env = env_for(database_url)
    assert run_qms(env, "org", "create", "Org").code == 0
    cycle = run_qms(env, "cycle", "create", "--org", "Org", "--year", "2025").out.strip()
    path = _file(tmp_path, bad_last_row=True)
    refused = run_qms(env, "responses", "import", "--cycle", cycle, str(path))
    assert refused.code == 1
    assert refused.err_lines[0].startswith(f"{path}:{2 * RESPONDENTS + 2}: item staff.goals:")
    assert _stored(database_url) == (0, 0, 0)

    path = _file(tmp_path, bad_last_row=False)
    done = run_qms(env, "responses", "import", "--cycle", cycle, str(path))
    assert done.code == 0, done.err
    responses, answers, _ = _stored(database_url)
    assert (responses, answers) == (RESPONDENTS, 2 * RESPONDENTS)
    database = Database(database_url)
    try:
        with database.session() as s:
            assert read_counts(s, int(cycle)) == recompute_counts(s, int(cycle))
    finally:
        database.dispose()
