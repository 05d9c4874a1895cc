"""`qms user create`: the command-line contract (DESIGN.md)."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pytest
from click.testing import CliRunner

from qms.cli import main
from qms.store import directory, users
from qms.store.db import Database


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str


@pytest.fixture
def qms(database_url: str):  # type: ignore[no-untyped-def]
    with Database(database_url).session() as s:
        directory.create_organisation(s, "Sunny Day Centre", actor_id=None)
        directory.create_network(s, "Zemgale", actor_id=None)
        s.commit()

    def run(*args: str, stdin: str = "") -> Outcome:
        runner = CliRunner()
        with runner.isolation(input=stdin, env={"QMS_DATABASE_URL": database_url}) as (out, err, _):
            saved, sys.argv = sys.argv, ["qms", *args]
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

    run.url = database_url  # type: ignore[attr-defined]
    return run


def _grants(url: str, email: str) -> list[tuple[str, str]]:
    database = Database(url)
    try:
        with database.session() as s:
            account = users.account_by_email(s, email)
            return [(g.role, g.place) for g in account.grants] if account else []
    finally:
        database.dispose()


def _signs_in(url: str, email: str, password: str) -> bool:
    database = Database(url)
    try:
        with database.session() as s:
            return users.authenticate(s, email, password) is not None
    finally:
        database.dispose()


def test_a_generated_password_is_printed_once_alone(qms) -> None:  # type: ignore[no-untyped-def]
    made = qms("user", "create", "Admin@Example.lv", "--role", "admin")
    assert made.code == 0, made.err
    password = made.out.strip()
    assert len(password) >= 20
    assert "\n" not in password
    assert "admin@example.lv" in made.err
    assert password not in made.err
    assert _signs_in(qms.url, "admin@example.lv", password)


def test_a_password_from_stdin_is_used_and_never_printed(qms) -> None:  # type: ignore[no-untyped-def]
    made = qms(
        "user",
        "create",
        "head@example.lv",
        "--role",
        "head",
        "--org",
        "Sunny Day Centre",
        "--password-stdin",
        stdin="a chosen long password\n",
    )
    assert made.code == 0, made.err
    assert made.out == ""
    assert "chosen" not in made.err
    assert _signs_in(qms.url, "head@example.lv", "a chosen long password")
    assert _grants(qms.url, "head@example.lv") == [("head", "Sunny Day Centre")]


def test_an_existing_user_gains_a_new_role_but_not_the_same_twice(qms) -> None:  # type: ignore[no-untyped-def]
    assert (
        qms("user", "create", "a@example.lv", "--role", "staff", "--org", "Sunny Day Centre").code
        == 0
    )
    again = qms("user", "create", "A@example.lv", "--role", "coordinator", "--network", "Zemgale")
    assert again.code == 0
    assert again.out == ""
    assert _grants(qms.url, "a@example.lv") == [
        ("staff", "Sunny Day Centre"),
        ("coordinator", "Zemgale"),
    ]
    same = qms("user", "create", "a@example.lv", "--role", "staff", "--org", "Sunny Day Centre")
    assert same.code == 1
    assert same.err.strip().count("\n") == 0
    assert "already exists" in same.err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["not-an-email", "--role", "admin"], "not an email address"),
        (["a@example.lv", "--role", "head"], "--org"),
        (
            ["a@example.lv", "--role", "staff", "--org", "Nowhere"],
            "no organisation named 'Nowhere'",
        ),
        (["a@example.lv", "--role", "coordinator"], "--network"),
        (["a@example.lv", "--role", "coordinator", "--network", "Nowhere"], "no network named"),
        (["a@example.lv", "--role", "admin", "--org", "Sunny Day Centre"], "neither --org"),
        (["a@example.lv", "--role", "wizard"], "wizard"),
    ],
)
def test_bad_input_is_one_clear_line(qms, args: list[str], fragment: str) -> None:  # type: ignore[no-untyped-def]
    failed = qms("user", "create", *args)
    assert failed.code != 0
    assert fragment in failed.err
    assert "Traceback" not in failed.err
    assert failed.err.strip().count("\n") == 0
    assert _grants(qms.url, "a@example.lv") == []


def test_a_weak_password_from_stdin_is_refused(qms) -> None:  # type: ignore[no-untyped-def]
    failed = qms(
        "user", "create", "a@example.lv", "--role", "admin", "--password-stdin", stdin="short\n"
    )
    assert failed.code == 1
    assert "at least 12 characters" in failed.err
    assert _grants(qms.url, "a@example.lv") == []
