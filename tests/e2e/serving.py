"""`qms serve` as a real process on a free port, for the e2e tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

QMS = [sys.executable, "-m", "qms.cli"]
METHODOLOGIES = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def qms_env(url: str, **extra: str) -> dict[str, str]:
    """The environment less any QMS_* setting of the caller's, plus these."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QMS_")}
    return {
        **env,
        "QMS_DATABASE_URL": url,
        "QMS_QUESTIONNAIRES": str(METHODOLOGIES),
        "QMS_DEFAULT_METHODOLOGY": "testq",
        **extra,
    }


def qms(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*QMS, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )


STARTED = "Application startup complete"


@contextmanager
def serving(env: dict[str, str], *args: str, workers: int = 1) -> Iterator[str]:
    """The base URL of `qms serve ARGS` once each of its workers has started; stopped
    afterwards. Its log is read all along (a full pipe would stall the server)."""
    port = free_port()
    server = subprocess.Popen(
        [*QMS, "serve", "--port", str(port), "--workers", str(workers), *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    log: list[str] = []
    assert server.stderr is not None
    reader = threading.Thread(target=lambda: log.extend(server.stderr), daemon=True)  # type: ignore[arg-type]
    reader.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while sum(STARTED in line for line in log) < workers:
            if server.poll() is not None:
                reader.join(timeout=5)
                raise AssertionError("qms serve stopped: " + "".join(log))
            if time.monotonic() > deadline:
                raise AssertionError("qms serve did not start: " + "".join(log))
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
