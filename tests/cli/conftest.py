"""Running the real `qms` command in-process, against the fixture databases."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from qms.cli import main

METHODOLOGIES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


Qms = Callable[..., Outcome]


def run_qms(env: dict[str, str], *args: str) -> Outcome:
    """`qms ARGS` through `qms.cli.main`, so errors take the same path as in a shell."""
    runner = CliRunner()
    with runner.isolation(env=env) as (out, err, _):
        saved = sys.argv
        sys.argv = ["qms", *args]
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        finally:
            sys.argv = saved
            sys.stdout.flush()
            sys.stderr.flush()
        return Outcome(code, out.getvalue().decode(), err.getvalue().decode())


def env_for(url: str) -> dict[str, str]:
    return {
        "QMS_DATABASE_URL": url,
        "QMS_QUESTIONNAIRES": str(METHODOLOGIES),
        "QMS_DEFAULT_METHODOLOGY": "testq",
    }


@pytest.fixture
def qms(database_url: str) -> Qms:
    """`qms(*args)` on a fresh database of each engine, with the test methodologies."""
    env = env_for(database_url)
    return lambda *args: run_qms(env, *args)


@pytest.fixture
def qms_sqlite(sqlite_url: str) -> Qms:
    """The same on SQLite only, for tests whose subject is not the engine."""
    env = env_for(sqlite_url)
    return lambda *args: run_qms(env, *args)


def _new_cycle(qms: Qms, org: str = "Dienas centrs Saulīte", year: int = 2025) -> int:
    if qms("org", "create", org).code not in (0, 1):
        raise AssertionError("org create crashed")
    made = qms("cycle", "create", "--org", org, "--year", str(year))
    assert made.code == 0, made.err
    return int(made.out)


@pytest.fixture
def new_cycle() -> Callable[..., int]:
    """new_cycle(qms, org=..., year=...): creates the organisation (if new) and an open
    cycle of the test methodology; returns the cycle id."""
    return _new_cycle


@pytest.fixture
def run_qms_env() -> Callable[..., Outcome]:
    """run_qms_env(env, *args): `qms` with exactly these QMS_* settings."""
    return run_qms
