"""The README's path on a fresh SQLite file: migrate, serve, answer /healthz and a page."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

QMS = [sys.executable, "-m", "qms.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_upgrade_then_serve_a_fresh_database(tmp_path: Path) -> None:
    env = {**os.environ, "QMS_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    upgraded = subprocess.run(
        [*QMS, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=120
    )
    assert upgraded.returncode == 0, upgraded.stderr
    port = _free_port()
    server = subprocess.Popen(
        [*QMS, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        status = 0
        while time.monotonic() < deadline:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.2)
        assert status == 200, "server did not answer /healthz"
        assert '"database":"ok"' in body.replace(" ", "")
        status, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200
        assert "<form" in page
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_bad_settings_are_one_line_without_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "QMS_DATABASE_URL": "mysql://nope"}
    result = subprocess.run(
        [*QMS, "db", "upgrade"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "QMS_DATABASE_URL" in result.stderr
