"""The `qms` command (DESIGN.md: a stable contract that scripts and tests rely on)."""

from __future__ import annotations

import sys

import click

from qms.commands.common import CommandError
from qms.settings import Settings, SettingsError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Quality self-assessment of social services."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
def serve(host: str, port: int, workers: int) -> None:
    """Serve the web application with uvicorn (the database must be migrated)."""
    from qms.commands.serve import run_server

    run_server(host, port, workers)


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    from qms.store.migrate import upgrade

    settings = Settings.from_env()
    upgrade(settings.database_url)
    click.echo("database is up to date", err=True)


def _register_db() -> None:
    from qms.commands.db_repair import repair

    db.add_command(repair)


_register_db()


def _register() -> None:
    from qms.commands import COMMANDS

    for command in COMMANDS:
        cli.add_command(command)


_register()


def main() -> None:
    try:
        # Without standalone mode click returns ctx.exit()'s status instead of exiting.
        status = cli.main(standalone_mode=False)
        sys.exit(status if isinstance(status, int) else 0)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.exceptions.Abort:
        click.echo("qms: aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (CommandError, SettingsError) as exc:
        click.echo(f"qms: error: {exc}", err=True)
        sys.exit(getattr(exc, "exit_code", 1))
    except Exception as exc:  # the contract says one line, never a traceback
        click.echo(f"qms: error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
