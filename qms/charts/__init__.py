"""Charts: matplotlib Figures turned into bytes (SVG for pages, PNG and PDF for downloads).

Pure: no Litestar, no SQLAlchemy. Every chart is a function that takes plain data and
returns a `Figure` built with matplotlib's object API (never pyplot's global state,
which is not safe across threads). `render` turns it into bytes; `ChartCache` keeps
recent renderings keyed by what they show, so a page asks again for free.

Rendering costs tens of milliseconds: the web layer calls `render` off the event loop
(a sync handler run in a thread, or `anyio.to_thread`), never inside an async handler.
Each kind of chart lives in its own module (radar, trend, distribution, ...).
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Literal

import matplotlib
from matplotlib.figure import Figure

matplotlib.use("Agg")  # no display on servers
# Set once at import, read-only afterwards: text properties are fixed when an artist is
# made, so the house style must be in place before any chart is built.
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",  # text stays text in SVG (searchable, selectable, small)
        "font.family": ["DejaVu Sans", "sans-serif"],  # every Latvian and Lithuanian letter
        "font.size": 10,
        "svg.hashsalt": "qms",  # stable ids: the same data gives the same bytes
        "pdf.fonttype": 42,
    }
)

Format = Literal["svg", "png", "pdf"]
MEDIA_TYPES: dict[str, str] = {
    "svg": "image/svg+xml",
    "png": "image/png",
    "pdf": "application/pdf",
}
# Colours that stay apart for the common colour-vision deficiencies (Okabe–Ito), one
# per respondent group in a fixed order so a group keeps its colour on every chart.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")


def new_figure(width_in: float = 6.4, height_in: float = 4.0) -> Figure:
    """A Figure with the house style."""
    fig = Figure(figsize=(width_in, height_in), layout="constrained")
    fig.set_facecolor("white")
    return fig


def render(fig: Figure, fmt: Format) -> bytes:
    """The figure as SVG (without the XML prolog, ready to inline), PNG or PDF bytes."""
    buffer = io.BytesIO()
    # No dates in the files: the same chart gives the same bytes.
    metadata: dict[str, Any] = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {})
    fig.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else 100, metadata=metadata)
    data = buffer.getvalue()
    if fmt == "svg":
        start = data.find(b"<svg")
        data = data[start:] if start >= 0 else data
    return data


def cache_key(kind: str, *parts: Any) -> str:
    """A key from the chart kind and everything it shows (JSON-able parts)."""
    raw = json.dumps([kind, *parts], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ChartCache:
    """Recent renderings by key, bounded (least recently used goes first).

    Keys carry the data version (a cycle's counts change its key), so nothing is ever
    stale; a process that restarts simply renders again.
    """

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_render(self, key: str, fmt: Format, build: Callable[[], Figure]) -> bytes:
        full = f"{key}.{fmt}"
        with self._lock:
            hit = self._items.get(full)
            if hit is not None:
                self._items.move_to_end(full)
                return hit
        data = render(build(), fmt)
        with self._lock:
            self._items[full] = data
            while len(self._items) > self._capacity:
                self._items.popitem(last=False)
        return data

    def __len__(self) -> int:
        return len(self._items)


__all__ = [
    "MEDIA_TYPES",
    "PALETTE",
    "ChartCache",
    "Figure",
    "Format",
    "cache_key",
    "new_figure",
    "render",
]
