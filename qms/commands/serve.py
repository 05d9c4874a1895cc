"""`qms serve`: checks that the database can be served, then runs uvicorn."""

from __future__ import annotations

import os
import secrets
from collections.abc import MutableMapping
from typing import Any

import click

from qms.commands.common import CommandError
from qms.settings import Settings
from qms.store.migrate import check_schema


def server_options(settings: Settings, host: str, port: int, workers: int) -> dict[str, Any]:
    """uvicorn.run's arguments. Forwarded headers are believed only from the proxies the
    settings name: uvicorn on its own trusts X-Forwarded-* from 127.0.0.1, so anything
    on this machine (another site's process, a tunnel) could claim https or any address."""
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": "info",
        "proxy_headers": bool(settings.trusted_proxies),
    }
    if settings.trusted_proxies:
        options["forwarded_allow_ips"] = ",".join(settings.trusted_proxies)
    return options


def share_secret_key(env: MutableMapping[str, str]) -> bool:
    """Without QMS_SECRET_KEY each process would draw its own key, and with several
    workers a cookie signed by one is refused by the next (half the sign-ins ended in
    "form expired" with two). One key drawn here reaches every worker through the
    environment they inherit. Refusing more than one worker instead would break the
    image's default of two for anyone trying it without a key; sessions end at each
    restart either way, as with one worker. True when a key was drawn."""
    if env.get("QMS_SECRET_KEY", ""):
        return False
    env["QMS_SECRET_KEY"] = secrets.token_urlsafe(32)
    return True


def run_server(host: str, port: int, workers: int) -> None:
    import uvicorn

    settings = Settings.from_env()  # fail here, with one line, rather than in every worker
    problem = check_schema(settings.database_url)
    if problem is not None:
        raise CommandError(problem)
    if share_secret_key(os.environ):
        click.echo(
            "qms: warning: QMS_SECRET_KEY is not set: a random key signs the cookies, so"
            " everyone is signed out when qms restarts (see the README)",
            err=True,
        )
    click.echo(f"qms is serving http://{host}:{port}/", err=True)
    uvicorn.run("qms.app:app", **server_options(Settings.from_env(), host, port, workers))
