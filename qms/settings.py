"""Settings, read once from the environment and passed on explicitly."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qms.paths import default_questionnaires

DEFAULT_DATABASE_URL = "sqlite:///qms.db"


class SettingsError(ValueError):
    """A setting has a value the app cannot run with; the message names the variable."""


def _check_database_url(url: str) -> str:
    if url.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://")):
        return url
    raise SettingsError(
        f"QMS_DATABASE_URL must start with sqlite:/// or postgresql:// (got {url!r})"
    )


def _bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name} must be true or false (got {raw!r})")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    questionnaires: Path = field(default_factory=default_questionnaires)
    # A random key per process keeps a forgotten QMS_SECRET_KEY safe, at the cost of
    # signing everyone out on restart; deployments set it.
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # Keys signing no longer but still accepted on cookies, while a key change settles.
    previous_secret_keys: tuple[str, ...] = ()
    debug: bool = False
    default_methodology: str = "socquality"

    def __post_init__(self) -> None:
        _check_database_url(self.database_url)
        if len(self.secret_key) < 16:
            raise SettingsError("QMS_SECRET_KEY must be at least 16 characters long")
        if any(len(key) < 16 for key in self.previous_secret_keys):
            raise SettingsError(
                "QMS_SECRET_KEY_PREVIOUS: each key (commas between them) must be at least"
                " 16 characters long"
            )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        kwargs: dict[str, object] = {}
        if url := env.get("QMS_DATABASE_URL", "").strip():
            kwargs["database_url"] = _check_database_url(url)
        if folder := env.get("QMS_QUESTIONNAIRES", "").strip():
            path = Path(folder)
            if not path.is_dir():
                raise SettingsError(f"QMS_QUESTIONNAIRES is not a folder: {folder}")
            kwargs["questionnaires"] = path
        if key := env.get("QMS_SECRET_KEY", ""):
            kwargs["secret_key"] = key
        if previous := env.get("QMS_SECRET_KEY_PREVIOUS", ""):
            keys = (key.strip() for key in previous.split(","))
            kwargs["previous_secret_keys"] = tuple(key for key in keys if key)
        if "QMS_DEBUG" in env:
            kwargs["debug"] = _bool("QMS_DEBUG", env["QMS_DEBUG"])
        if methodology := env.get("QMS_DEFAULT_METHODOLOGY", "").strip():
            kwargs["default_methodology"] = methodology
        return cls(**kwargs)  # type: ignore[arg-type]
