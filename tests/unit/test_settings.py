from __future__ import annotations

from pathlib import Path

import pytest

from qms.settings import Settings, SettingsError
from qms.store.db import sqlalchemy_url


def test_defaults_are_sqlite_and_the_bundled_questionnaires() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///qms.db"
    assert (settings.questionnaires / "socquality" / "methodology.yaml").is_file()


def test_plain_postgresql_urls_get_the_psycopg_driver() -> None:
    settings = Settings.from_env({"QMS_DATABASE_URL": "postgresql://u@h:5432/db"})
    assert sqlalchemy_url(settings.database_url) == "postgresql+psycopg://u@h:5432/db"


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"QMS_DATABASE_URL": "mysql://x"}, "QMS_DATABASE_URL"),
        ({"QMS_QUESTIONNAIRES": "/no/such/folder"}, "QMS_QUESTIONNAIRES"),
        ({"QMS_SECRET_KEY": "short"}, "QMS_SECRET_KEY"),
        ({"QMS_SECRET_KEY_PREVIOUS": "short"}, "QMS_SECRET_KEY_PREVIOUS"),
        ({"QMS_SECRET_KEY_PREVIOUS": "a-long-enough-old-key,short"}, "QMS_SECRET_KEY_PREVIOUS"),
        ({"QMS_DEBUG": "maybe"}, "QMS_DEBUG"),
    ],
)
def test_bad_values_fail_loudly_naming_the_variable(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError, match=fragment):
        Settings.from_env(env)


def test_questionnaires_folder_from_env(tmp_path: Path) -> None:
    assert Settings.from_env({"QMS_QUESTIONNAIRES": str(tmp_path)}).questionnaires == tmp_path


def test_previous_secret_keys_are_a_comma_separated_list() -> None:
    assert Settings.from_env({}).previous_secret_keys == ()
    assert Settings.from_env({"QMS_SECRET_KEY_PREVIOUS": ""}).previous_secret_keys == ()
    one = Settings.from_env({"QMS_SECRET_KEY_PREVIOUS": "the-old-secret-key-0123"})
    assert one.previous_secret_keys == ("the-old-secret-key-0123",)
    two = Settings.from_env(
        {"QMS_SECRET_KEY_PREVIOUS": " the-old-secret-key-0123 , an-even-older-key-89ab,"}
    )
    assert two.previous_secret_keys == ("the-old-secret-key-0123", "an-even-older-key-89ab")


def test_a_bad_previous_key_is_one_line_naming_the_variable() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({"QMS_SECRET_KEY_PREVIOUS": "short"})
    message = str(refused.value)
    assert message.startswith("QMS_SECRET_KEY_PREVIOUS")
    assert "16 characters" in message
    assert "\n" not in message
    assert "short" not in message  # a key, even a bad one, is not repeated into logs
