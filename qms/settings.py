"""Settings, read once from the environment and passed on explicitly."""

from __future__ import annotations

import ipaddress
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


def _trusted_proxies(raw: str) -> tuple[str, ...]:
    """Addresses or networks (10.0.0.0/8), comma-separated, as uvicorn's
    forwarded_allow_ips takes them; anything else is refused here rather than being
    silently never matched (which would leave every request looking like plain http)."""
    proxies: list[str] = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        try:
            proxies.append(
                str(ipaddress.ip_network(part, strict=False))
                if "/" in part
                else str(ipaddress.ip_address(part))
            )
        except ValueError:
            raise SettingsError(
                "QMS_TRUSTED_PROXIES must be IP addresses or networks separated by commas,"
                f" e.g. 127.0.0.1,10.0.0.0/8 (got {part!r})"
            ) from None
    return tuple(proxies)


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
    # Reverse proxies whose X-Forwarded-Proto/-For are believed (the scheme decides HSTS
    # and Secure cookies, the address the rate limits); nobody's by default.
    trusted_proxies: tuple[str, ...] = ()

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
        if proxies := env.get("QMS_TRUSTED_PROXIES", "").strip():
            kwargs["trusted_proxies"] = _trusted_proxies(proxies)
        return cls(**kwargs)  # type: ignore[arg-type]
