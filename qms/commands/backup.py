"""`qms backup FILE` and `qms restore FILE [--force]` (README: Backups)."""

from __future__ import annotations

from pathlib import Path

import click

from qms.commands.common import CommandError
from qms.settings import Settings
from qms.store.backups import BackupError
from qms.store.backups import backup as backup_database
from qms.store.backups import restore as restore_database


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Copy the whole database to FILE, consistently, while qms goes on serving.

    SQLite: a copy of the database file (SQLite's backup API). PostgreSQL: pg_dump's
    custom format (pg_dump must be on PATH). FILE is replaced once the copy is whole.
    """
    settings = Settings.from_env()
    try:
        click.echo(backup_database(settings.database_url, file), err=True)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already has data.")
def restore(file: Path, force: bool) -> None:
    """Replace the database with the backup FILE made by `qms backup`.

    Refused when the database has any data, unless --force. PostgreSQL needs pg_restore
    and psql on PATH; the old tables are dropped in the transaction that loads FILE.
    Stop qms serve while restoring, or restart it afterwards.
    """
    settings = Settings.from_env()
    try:
        click.echo(restore_database(settings.database_url, file, force=force), err=True)
    except BackupError as exc:
        raise CommandError(str(exc)) from exc
