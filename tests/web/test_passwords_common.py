"""Common and guessable passwords are refused wherever a password is chosen: the
account page (with the reason next to the field), the store, and `qms user create`."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from click.testing import CliRunner
from litestar import Litestar
from litestar.testing import TestClient

from qms.cli import main
from qms.store import passwords, users
from qms.store.db import Database
from tests.factories import PASSWORD, csrf_token, sign_in

Client = TestClient[Litestar]
GUESSABLE = ["aaaaaaaaaaaa", "password1234", "qwertyuiop12", "Parole123456", "iloveyou1234"]
MESSAGES = {
    "en": "This password is too easy to guess",
    "lv": "Šo paroli ir pārāk viegli uzminēt",
    "lt": "Šį slaptažodį per lengva atspėti",
}


def _still_signs_in(database: Database, email: str, password: str) -> bool:
    with database.session() as s:
        return users.authenticate(s, email, password) is not None


@pytest.mark.parametrize("new", GUESSABLE)
def test_the_account_page_refuses_a_guessable_password_and_says_why(
    client: Client, world: Any, database: Database, new: str
) -> None:
    sign_in(client, world.email("head"))
    for lang, message in MESSAGES.items():
        refused = client.post(
            "/account/password",
            data={
                "current": PASSWORD,
                "new": new,
                "confirm": new,
                "csrf_token": csrf_token(client, "/account/password"),
            },
            headers={"Accept-Language": lang},
            follow_redirects=False,
        )
        assert refused.status_code == 422
        assert message in refused.text
        # Next to the field it is about, announced to screen readers with it.
        field = refused.text[refused.text.index('id="new-error"') :]
        assert message in field[:600]
        assert 'id="new" name="new"' in refused.text
        assert 'aria-invalid="true"' in refused.text.split('id="new" name="new"')[1][:400]
    assert _still_signs_in(database, world.email("head"), PASSWORD)
    assert not _still_signs_in(database, world.email("head"), new)


def test_a_strong_password_is_still_accepted(
    client: Client, world: Any, database: Database
) -> None:
    sign_in(client, world.email("head"))
    changed = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "Saulīte gaida pavasari",
            "confirm": "Saulīte gaida pavasari",
            "csrf_token": csrf_token(client, "/account/password"),
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert _still_signs_in(database, world.email("head"), "Saulīte gaida pavasari")


@pytest.mark.parametrize("password", GUESSABLE)
def test_the_store_refuses_guessable_passwords(database: Database, password: str) -> None:
    with database.session() as s, pytest.raises(passwords.WeakPassword) as refused:
        users.create_user(s, "anna@example.lv", password, actor_id=None)
    assert refused.value.reason == "guessable"


def test_the_names_in_the_email_address_count_as_guessable() -> None:
    # Accepted for someone else, refused for Anna Bērziņa herself.
    passwords.check_rules("berzina-anna", "juris@example.lv")
    with pytest.raises(passwords.WeakPassword) as refused:
        passwords.check_rules("berzina-anna", "anna.berzina@example.lv")
    assert refused.value.reason == "guessable"


def test_generated_passwords_always_pass() -> None:
    for _ in range(50):
        passwords.check_rules(passwords.generate_password(), "anna@example.lv")


def _qms_with_stdin(url: str, stdin: str, *args: str) -> tuple[int, str]:
    """`qms ARGS` in-process with STDIN; (exit code, standard error)."""
    runner = CliRunner()
    with runner.isolation(input=stdin, env={"QMS_DATABASE_URL": url}) as (_, err, _):
        saved, sys.argv = sys.argv, ["qms", *args]
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        finally:
            sys.argv = saved
            sys.stderr.flush()
        return code, err.getvalue().decode()


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "password1234", "qwertyuiop12"])
def test_the_command_refuses_a_guessable_password_in_one_line(
    database: Database, database_url: str, password: str
) -> None:
    code, err = _qms_with_stdin(
        database_url,
        password + "\n",
        *("user", "create", "anna@example.lv", "--role", "admin", "--password-stdin"),
    )
    assert code == 1
    assert "too easy to guess" in err
    assert err.strip().count("\n") == 0
    assert "Traceback" not in err
    with database.session() as s:
        assert users.account_by_email(s, "anna@example.lv") is None
