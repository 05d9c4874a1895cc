"""Online backups and restores of the whole database, with each engine's own tools.

SQLite: the sqlite3 module's backup API (no library is needed: it is in the standard
library). It copies the pages in one read transaction, so the copy is the database as
of one moment while the app goes on writing; a plain `cp` of qms.db misses what still
sits in qms.db-wal and lost acknowledged answers in a trial. PostgreSQL: pg_dump's
custom format, a consistent snapshot by design, and pg_restore; both are PostgreSQL's
own client programs (found on PATH), which no Python library replaces.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url

from qms.store.db import sqlalchemy_url
from qms.store.migrate import head_revision, known_revisions

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
# What a person recognises in "the database is not empty" (their order is the message's).
SHOWN_TABLES = ("organisations", "users", "cycles", "responses")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(database)


def contents(url: str) -> dict[str, int]:
    """Rows a table, for the tables that have any (alembic_version aside)."""
    if is_sqlite(url) and not _sqlite_path(url).exists():
        return {}
    engine = create_engine(sqlalchemy_url(url))
    try:
        names = set(inspect(engine).get_table_names()) - {"alembic_version"}
        with engine.connect() as conn:
            counts = {
                name: conn.scalar(select(func.count()).select_from(table(name))) or 0
                for name in sorted(names)
            }
    finally:
        engine.dispose()
    return {name: n for name, n in counts.items() if n}


def _not_empty(found: dict[str, int]) -> str:
    shown = [f"{found[name]} {name}" for name in SHOWN_TABLES if name in found]
    if not shown:
        shown = [f"{n} rows in {name}" for name, n in sorted(found.items())[:3]]
    return (
        f"the database is not empty ({', '.join(shown)}): restoring would replace all"
        " of it; add --force to do so"
    )


@contextmanager
def _partial(target: Path) -> Iterator[Path]:
    """A file beside TARGET that becomes TARGET only once it is whole."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(fd)
    partial = Path(name)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _revision_of_sqlite(conn: sqlite3.Connection) -> str | None:
    try:
        rows = conn.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.DatabaseError:
        return None
    return ",".join(sorted(str(row[0]) for row in rows)) or None


def backup(url: str, target: Path) -> str:
    """Copy the database to TARGET (replaced only once the copy is whole); says what."""
    target = target.resolve()
    if is_sqlite(url):
        return _backup_sqlite(_sqlite_path(url), target)
    return _backup_postgres(url, target)


def restore(url: str, source: Path, force: bool = False) -> str:
    """Replace the database with the backup SOURCE; refused when the database has rows,
    unless `force`. Says what was restored, and whether `qms db upgrade` is needed."""
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    with source.open("rb") as file:
        magic = file.read(len(SQLITE_MAGIC))
    kind = (
        "sqlite"
        if magic == SQLITE_MAGIC
        else "postgresql"
        if magic.startswith(PGDUMP_MAGIC)
        else None
    )
    engine_kind = "sqlite" if is_sqlite(url) else "postgresql"
    if kind is None:
        raise BackupError(f"{source} is not a qms backup (neither SQLite nor pg_dump -Fc)")
    if kind != engine_kind:
        raise BackupError(
            f"{source} is a {kind} backup but QMS_DATABASE_URL is a {engine_kind} database:"
            " restore it into the same kind of database it came from"
        )
    if is_sqlite(url):
        revision = _restore_sqlite(source, _sqlite_path(url), force)
    else:
        revision = _restore_postgres(url, source, force)
    done = f"restored {source} (schema {revision})"
    if revision != head_revision():
        done += f"; this version needs {head_revision()}: run qms db upgrade"
    return done


def _backup_sqlite(path: Path, target: Path) -> str:
    if not path.is_file():
        raise BackupError(f"the database file {path} does not exist")
    source = sqlite3.connect(path, timeout=30)
    try:
        with _partial(target) as partial:
            copy = sqlite3.connect(partial)
            try:
                # One step (pages=-1): one read transaction for the whole copy, which in
                # WAL mode holds up no writer, and a copy that is one moment of the data.
                source.backup(copy)
                # The copy is one self-contained file, with no -wal beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
                revision = _revision_of_sqlite(copy)
            finally:
                copy.close()
    finally:
        source.close()
    return f"backed up {path} to {target} (schema {revision})"


def _restore_sqlite(source: Path, path: Path, force: bool) -> str:
    backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        try:
            checked = backup_db.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is damaged: {exc}") from None
        if checked is None or checked[0] != "ok":
            raise BackupError(f"{source} is damaged: {checked[0] if checked else 'unreadable'}")
        revision = _revision_of_sqlite(backup_db)
        _check_revision(source, revision)
        found = contents(f"sqlite:///{path}")
        if found and not force:
            raise BackupError(_not_empty(found))
        target = sqlite3.connect(path, timeout=30)
        try:
            # The backup API writes the whole destination in one transaction: a server
            # still connected sees either the old data or the restored data.
            backup_db.backup(target)
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    finally:
        backup_db.close()
    return revision or "none"


def _check_revision(source: Path, revision: str | None) -> None:
    if revision is None:
        raise BackupError(f"{source} is not a qms backup: it has no schema version")
    if revision not in known_revisions():
        raise BackupError(
            f"{source} is at schema {revision}, which this version does not know (it needs"
            f" {head_revision()}): restore it with the version of qms that made it, or a newer one"
        )


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH: install PostgreSQL's client programs"
            " (Debian: apt-get install postgresql-client), of the server's major version or newer"
        )
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A URL for libpq without the password, which goes in the environment instead, so
    that it is not on the command line for every user of the machine to read."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if "error" in line.lower() or "fatal" in line.lower()]
    return (errors or lines or ["no message"])[0]


def _run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # No shell, a program found by shutil.which, and files given as absolute paths (a
    # name starting with "-" cannot pass for an option): nothing here is interpreted.
    return subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603


def _backup_postgres(url: str, target: Path) -> str:
    pg_dump = _tool("pg_dump")
    dsn, env = _libpq(url)
    with _partial(target) as partial:
        done = _run([pg_dump, "--format=custom", f"--file={partial}", f"--dbname={dsn}"], env)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {_first_error(done.stderr)}")
    return f"backed up {make_url(url).database} to {target} (pg_dump custom format)"


def _restore_postgres(url: str, source: Path, force: bool) -> str:
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    dsn, env = _libpq(url)
    source = source.resolve()
    listed = _run([pg_restore, "--list", str(source)])
    if listed.returncode != 0:
        raise BackupError(f"{source} cannot be read: {_first_error(listed.stderr)}")
    found = contents(url)
    if found and not force:
        raise BackupError(_not_empty(found))
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            existing = conn.scalars(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            ).all()
    finally:
        engine.dispose()
    # The tables there now (empty ones of a migrated database too) are dropped in the
    # same transaction that loads the backup: should the load fail, nothing is lost.
    command = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    if existing:
        names = ", ".join('public."' + name.replace('"', '""') + '"' for name in existing)
        command += ["-c", f"DROP TABLE IF EXISTS {names} CASCADE"]
    with tempfile.TemporaryDirectory(prefix="qms-restore-") as folder:
        # The whole script first: psql fed a stream cut short would commit what it got.
        script = Path(folder) / "restore.sql"
        made = _run([pg_restore, "--no-owner", "--no-privileges", f"--file={script}", str(source)])
        if made.returncode != 0:
            raise BackupError(f"{source} cannot be read: {_first_error(made.stderr)}")
        command += ["-f", str(script), f"--dbname={dsn}"]
        loaded = _run(command, env)
    if loaded.returncode != 0:
        raise BackupError(f"restore failed, nothing was changed: {_first_error(loaded.stderr)}")
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception:
        rows = []
    finally:
        engine.dispose()
    return ",".join(sorted(rows)) or "none"
