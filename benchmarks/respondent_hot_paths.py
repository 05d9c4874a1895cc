"""Throughput of the respondent's hot paths against the same server's bare route.

Starts `qms serve --workers 1` on a demo SQLite database and drives it with wrk (Debian's
`wrk` package) over loopback, one route after another in the same run:

  /ping                         the bare route: no database, no template
  GET  /a/{code}/2              a questionnaire section page
  POST /a/{code}/save/{item}    saving one answer (htmx), alternating two values

and, to show where a page's cost begins, two reference routes: the start page (the
same page layout, no database, no thread) and /healthz (a worker thread and one query,
no template).

Usage: .venv/bin/python benchmarks/respondent_hot_paths.py [--seconds 10] [--connections 16]
The target (issue "Respondents in the browser"): each hot path reaches at least a
quarter of the /ping throughput.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QMS = [sys.executable, "-m", "qms.cli"]
ITEM = "clients.respect"
SAVE_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  local body = "{item}=" .. tostring(4 + counter % 2)
  return wrk.format("POST", "{path}", nil, body)
end
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    return done.stdout + done.stderr


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer {url}")


def _wrk(url: str, seconds: int, connections: int, extra: list[str]) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} failed requests\n{out}")
    found = re.search(r"Requests/sec:\s+([0-9.]+)", out)
    if not found:
        raise SystemExit(f"no result from wrk:\n{out}")
    return float(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")

    workdir = Path(tempfile.mkdtemp(prefix="qms-bench-"))
    env = {
        **os.environ,
        "QMS_DATABASE_URL": f"sqlite:///{workdir / 'bench.db'}",
        "QMS_SECRET_KEY": "benchmark-secret-key-0123456789",
    }
    _run([*QMS, "db", "upgrade"], env)
    demo = _run([*QMS, "demo"], env)
    code = re.search(r"access codes for clients \(enter at /\): ([A-Z0-9-]+)", demo)
    if not code:
        raise SystemExit("the demo printed no access code")
    port = _free_port()
    log = (workdir / "server.log").open("w")
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*QMS, "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    try:
        _wait(f"{base}/ping")
        # A real respondent's session: the first visit starts the response and sets the
        # session cookie whose CSRF token the save requests carry.
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        section = f"{base}/a/{code.group(1)}/2"
        html = opener.open(f"{base}/a/{code.group(1)}").read().decode()
        html = opener.open(section).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        if not token:
            raise SystemExit("no CSRF token on the section page")
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        headers = ["-H", f"Cookie: {cookie}"]
        script = workdir / "save.lua"
        save_path = f"/a/{code.group(1)}/save/{ITEM}"
        script.write_text(SAVE_SCRIPT.replace("{item}", ITEM).replace("{path}", save_path))
        save_headers = [
            *headers,
            "-H",
            f"X-CSRF-Token: {token.group(1)}",
            "-H",
            "HX-Request: true",
            "-H",
            "Content-Type: application/x-www-form-urlencoded",
            "-s",
            str(script),
        ]

        _wrk(f"{base}/ping", 2, args.connections, [])  # warm-up
        ping = _wrk(f"{base}/ping", args.seconds, args.connections, [])
        home = _wrk(f"{base}/", args.seconds, args.connections, [])
        health = _wrk(f"{base}/healthz", args.seconds, args.connections, [])
        page = _wrk(section, args.seconds, args.connections, headers)
        save = _wrk(f"{base}{save_path}", args.seconds, args.connections, save_headers)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        if os.environ.get("QMS_BENCH_KEEP"):
            print(f"kept {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"{'route':<34}{'req/s':>10}{'of /ping':>10}")
    for name, value in (
        ("GET /ping (bare)", ping),
        ("GET /a/{code}/2 (section page)", page),
        ("POST /a/{code}/save/{item}", save),
    ):
        print(f"{name:<34}{value:>10.0f}{value / ping:>10.0%}")
    print("for reference:")
    for name, value in (("GET / (layout only)", home), ("GET /healthz (thread + query)", health)):
        print(f"{name:<34}{value:>10.0f}{value / ping:>10.0%}")
    target = min(page, save) / ping
    print(f"target: each hot path >= 25% of /ping: {'met' if target >= 0.25 else 'missed'}")


if __name__ == "__main__":
    main()
