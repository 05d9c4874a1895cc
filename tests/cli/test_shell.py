"""The installed `qms` in a real process: output streams and exit codes as a script sees them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

METHODOLOGIES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"


def _qms(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qms.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_script_creates_imports_and_scores(sqlite_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QMS_DATABASE_URL": sqlite_url,
        "QMS_QUESTIONNAIRES": str(METHODOLOGIES),
        "QMS_DEFAULT_METHODOLOGY": "testq",
    }
    assert _qms(env, "org", "create", "Saulīte").returncode == 0
    made = _qms(env, "cycle", "create", "--org", "Saulīte", "--year", "2025")
    assert made.returncode == 0, made.stderr
    cycle = made.stdout.strip()
    assert cycle.isdigit()

    bad = tmp_path / "bad.csv"
    bad.write_text("respondent,group,item,value\ns1,staff,staff.goals,4.0\n", encoding="utf-8")
    refused = _qms(env, "responses", "import", "--cycle", cycle, str(bad))
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.splitlines() == [
        f"{bad}:2: item staff.goals: '4.0' is not a value of scale uneven "
        "(allowed: 1, 2, 4, 7, dk)",
        f"qms: error: {bad}: 1 bad row(s); nothing was imported",
    ]
    assert "Traceback" not in refused.stderr

    good = tmp_path / "good.csv"
    good.write_text("respondent,group,item,value\ns1,staff,staff.goals,4\n", encoding="utf-8")
    assert _qms(env, "responses", "import", "--cycle", cycle, str(good)).returncode == 0
    scores = _qms(env, "scores", "--cycle", cycle)
    assert scores.returncode == 0
    assert '"item": "staff.goals"' in scores.stdout

    broken = _qms({**env, "QMS_DATABASE_URL": "mysql://nope"}, "scores", "--cycle", cycle)
    assert broken.returncode == 1
    assert len(broken.stderr.splitlines()) == 1
    assert "QMS_DATABASE_URL" in broken.stderr
