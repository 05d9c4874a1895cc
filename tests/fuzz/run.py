"""The full fuzz, outside the suite: fresh migrated databases, N requests per engine and
sign-in (anonymous and a head), the figures printed.

    QMS_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/test \\
    python -m tests.fuzz.run --requests 5000 [--engine sqlite|postgresql|both]
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from qms.app import create_app
from qms.settings import Settings
from qms.store import passwords
from qms.store.db import Database, sqlalchemy_url
from qms.store.migrate import upgrade
from tests.conftest import CHEAP_HASHER, POSTGRES_URL
from tests.fuzz.fuzzer import fuzz


def _one(url: str, engine: str, count: int, who: str | None) -> int:
    upgrade(url)
    app = create_app(Settings(database_url=url, secret_key="fuzz-secret-key-0123456789"))
    database = Database(url)
    started = time.perf_counter()
    try:
        tally = fuzz(app, database, count, signed_in=who)
    finally:
        database.dispose()
        app.state.db.dispose()
    print(
        f"{engine} {who or 'anonymous'}: {tally.requests} requests in "
        f"{time.perf_counter() - started:.0f} s, {tally.server_errors} 5xx, "
        f"statuses {dict(sorted(tally.statuses.items()))}",
        flush=True,
    )
    for failure in tally.failures[:20]:
        print("  ", failure[:300], flush=True)
    return tally.server_errors


def _postgres(count: int, who: str | None) -> int:
    name = f"qms_fuzz_{uuid.uuid4().hex[:10]}"
    admin = create_engine(sqlalchemy_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        return _one(POSTGRES_URL.rpartition("/")[0] + "/" + name, "postgresql", count, who)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000, help="per engine and sign-in")
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)  # 404s and refusals are expected by the thousand
    # As in the suite: argon2id at its lowest cost, sign-ins are not the subject here.
    passwords._hasher = CHEAP_HASHER
    total = 0
    for who in (None, "head"):
        if args.engine in ("sqlite", "both"):
            with tempfile.TemporaryDirectory() as folder:
                url = f"sqlite:///{Path(folder) / 'fuzz.db'}"
                total += _one(url, "sqlite", args.requests, who)
        if args.engine in ("postgresql", "both"):
            total += _postgres(args.requests, who)
    print(f"total 5xx: {total}")
    raise SystemExit(1 if total else 0)


if __name__ == "__main__":
    main()
