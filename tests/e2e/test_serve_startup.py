"""`qms serve` starts only on the schema it needs, /healthz notices a schema changed under
it, and several workers share one secret key when none is set."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from qms.store.migrate import downgrade, head_revision, upgrade
from tests.e2e.serving import free_port, qms, qms_env, serving

PASSWORD = "lapsa-ezers-kalns-2025"
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def test_serve_refuses_a_database_behind_its_migrations(sqlite_url: str) -> None:
    downgrade(sqlite_url, "0009")
    started = qms(qms_env(sqlite_url), "serve", "--port", str(free_port()))
    assert started.returncode == 1
    assert started.stderr.strip() == (
        f"qms: error: database is at 0009, this version needs {head_revision()}: run qms db upgrade"
    )


def test_serve_refuses_a_database_never_migrated(tmp_path: Path) -> None:
    env = qms_env(f"sqlite:///{tmp_path / 'empty.db'}")
    started = qms(env, "serve", "--port", str(free_port()))
    assert started.returncode == 1
    assert "Traceback" not in started.stderr
    assert started.stderr.strip().endswith("run qms db upgrade")
    assert started.stderr.count("\n") == 1


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_healthz_is_503_when_the_schema_changes_under_the_server(
    engine: str, request: pytest.FixtureRequest
) -> None:
    if engine == "sqlite":
        url = request.getfixturevalue("sqlite_url")
        name = None
    else:
        templates = request.getfixturevalue("postgres_templates")
        name = templates.new()
        url = templates.url(name)
    try:
        with serving(qms_env(url)) as base:
            healthy = httpx.get(f"{base}/healthz")
            assert healthy.status_code == 200
            assert healthy.json() == {"status": "ok", "database": "ok"}
            downgrade(url, "0009")
            deadline = time.monotonic() + 20  # the check is cached for a few seconds
            while (answer := httpx.get(f"{base}/healthz")).status_code == 200:
                assert time.monotonic() < deadline, "healthz never noticed the downgrade"
                time.sleep(0.5)
            assert answer.status_code == 503
            assert answer.json() == {
                "status": "error",
                "database": "ok",
                "schema": f"database is at 0009, this version needs {head_revision()}:"
                " run qms db upgrade",
            }
            upgrade(url)
            deadline = time.monotonic() + 20
            while httpx.get(f"{base}/healthz").status_code != 200:
                assert time.monotonic() < deadline, "healthz never noticed the upgrade"
                time.sleep(0.5)
    finally:
        if name is not None:
            templates.drop(name)


def _sign_in(base: str, email: str) -> bool:
    """A sign-in whose every request comes on a new connection, so each may reach any
    worker; True when the session it made is honoured afterwards."""
    fresh = httpx.Limits(max_keepalive_connections=0)
    with httpx.Client(base_url=base, limits=fresh, timeout=30) as client:
        token = TOKEN.search(client.get("/login").text)
        assert token is not None
        done = client.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)}
        )
        if done.status_code != 303:
            return False
        return client.get("/staff").status_code == 200


def test_workers_without_a_key_share_one(sqlite_url: str) -> None:
    env = qms_env(sqlite_url)
    made = qms(
        env,
        "user",
        "create",
        "admin@example.org",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.returncode == 0, made.stderr
    with serving(env, workers=2) as base:
        signed_in = [_sign_in(base, "admin@example.org") for _ in range(8)]
    assert all(signed_in), f"{signed_in.count(False)} of 8 sign-ins failed"
