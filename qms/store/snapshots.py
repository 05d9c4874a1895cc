"""Methodology snapshots: the files a cycle was created with, and their parsed model.

Parsing YAML on every request would cost more than the request itself, so the parsed
model is cached in process, keyed by the snapshot's hash: a hash names exactly one set
of files, so the cache can never serve a stale methodology, only miss.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from qms.methodology import MethodologyError, load_from_files, read_files, snapshot_hash
from qms.methodology.model import Methodology
from qms.store.errors import NotFound, StoreError
from qms.store.models import Cycle

_ID = re.compile(r"[a-z][a-z0-9_-]*\Z")
_CACHE_SIZE = 32
_cache: dict[str, Methodology] = {}
_lock = threading.Lock()
# Keys of item_counts that could clash with a choice option value (dk and na only
# occur on scale items, whose options are integers; see qms.store.models.cycles).
RESERVED_KEYS = ("shown", "answered")


@dataclass(frozen=True)
class Snapshot:
    methodology: Methodology
    files: dict[str, str]
    hash: str


def _remember(digest: str, methodology: Methodology) -> None:
    with _lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.pop(next(iter(_cache)))
        _cache[digest] = methodology


def _first_finding(exc: MethodologyError) -> str:
    """The first error (warnings come along in `findings` too), so the line says why."""
    errors = [f for f in exc.findings if f.severity == "error"] or exc.findings
    return str(errors[0]) if errors else "unknown error"


def _check_reserved(methodology: Methodology) -> None:
    for item in methodology.items():
        clash = [o.value for o in item.options if o.value in RESERVED_KEYS]
        if clash:
            raise StoreError(
                f"methodology {methodology.id}: item {item.id} has the option value "
                f"{clash[0]!r}, which qms reserves for its counts; rename the option"
            )


def available(questionnaires: Path) -> list[str]:
    if not questionnaires.is_dir():
        return []
    return sorted(p.name for p in questionnaires.iterdir() if (p / "methodology.yaml").is_file())


def read_snapshot(questionnaires: Path, methodology_id: str) -> Snapshot:
    """The methodology `methodology_id` as its folder holds it now, ready to store."""
    folder = questionnaires / methodology_id
    if not _ID.match(methodology_id) or not (folder / "methodology.yaml").is_file():
        known = ", ".join(available(questionnaires)) or "none"
        raise NotFound(
            f"no methodology {methodology_id!r} in {questionnaires} (available: {known})"
        )
    try:
        files = read_files(folder)
        methodology = load_from_files(methodology_id, files)
    except MethodologyError as exc:
        raise StoreError(
            f"methodology {methodology_id} has errors (run `qms methodology check {folder}`): "
            + _first_finding(exc)
        ) from exc
    _check_reserved(methodology)
    digest = snapshot_hash(files)
    _remember(digest, methodology)
    return Snapshot(methodology, dict(files), digest)


def cycle_methodology(cycle: Cycle) -> Methodology:
    """The methodology a cycle was created with (cached; loads the snapshot on a miss)."""
    cached = _cache.get(cycle.snapshot_hash)
    if cached is not None:
        return cached
    try:
        methodology = load_from_files(cycle.methodology_id, dict(cycle.snapshot))
    except MethodologyError as exc:
        raise StoreError(
            f"cycle {cycle.id}: its stored methodology no longer loads: {_first_finding(exc)}"
        ) from exc
    _remember(cycle.snapshot_hash, methodology)
    return methodology


def methodology_by_hash(session: Session, cycle_id: int, snapshot_hash: str) -> Methodology:
    """Like cycle_methodology when the caller already knows the hash: a cache hit costs
    no query at all."""
    cached = _cache.get(snapshot_hash)
    if cached is not None:
        return cached
    return cycle_methodology(session.get_one(Cycle, cycle_id))
