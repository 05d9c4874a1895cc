"""Peak memory and time of `qms responses import` for a large file.

Generates a CSV of N answer rows for the staff and clients questionnaires of the
default methodology (every scale item of each respondent, a text item now and then),
then runs the real command in a child process on a fresh database and prints the
child's peak resident set size and wall time.

    python benchmarks/import_memory.py --rows 1000000 [--url postgresql://.../db]

Without --url it uses a fresh SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from qms.store.snapshots import read_snapshot  # noqa: E402


def generate(path: Path, rows: int, seed: int = 1) -> int:
    """Write `rows` answer rows; returns how many respondents they make."""
    rng = random.Random(seed)
    methodology = read_snapshot(ROOT / "questionnaires", "socquality").methodology
    plans = []
    for group in ("staff", "clients"):
        items = [
            i for i in methodology.questionnaires[group].items if i.type == "scale" and not i.when
        ]
        values = {i.id: methodology.item_scale(i).values() for i in items}
        texts = [i.id for i in methodology.questionnaires[group].items if i.type == "text"]
        plans.append((group, items, values, texts))
    written = respondents = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["respondent", "group", "item", "value"])
        while written < rows:
            group, items, values, texts = plans[respondents % 2]
            name = f"{group[0]}{respondents:07d}"
            respondents += 1
            for item in items:
                out.writerow([name, group, item.id, rng.choice(values[item.id])])
                written += 1
                if written >= rows:
                    break
            if texts and written < rows and rng.random() < 0.2:
                out.writerow([name, group, texts[0], "Viss kārtībā, paldies"])
                written += 1
    return respondents


def qms(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "qms.cli", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"qms {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--url", help="a migrated or empty database; default a new SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'qms.db'}"
        env = {**os.environ, "QMS_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        csv_path = Path(folder) / "answers.csv"
        respondents = generate(csv_path, args.rows)
        size = csv_path.stat().st_size / 1024 / 1024
        qms(env, "db", "upgrade")
        qms(env, "org", "create", "Benchmark org")
        cycle = qms(env, "cycle", "create", "--org", "Benchmark org", "--year", "2026")
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "qms.cli",
                "responses",
                "import",
                "--cycle",
                cycle,
                str(csv_path),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        if done.returncode != 0:
            raise SystemExit(f"import failed: {done.stderr.strip()[-500:]}")
        print(done.stderr.strip().splitlines()[-1])
        engine = url.split(":", 1)[0]
        print(
            f"{engine}: {args.rows:,} rows ({respondents:,} respondents, {size:.0f} MB): "
            f"peak RSS {max(peak, before) / 1024:.0f} MB, {seconds:.1f} s"
        )


if __name__ == "__main__":
    main()
