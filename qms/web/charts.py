"""Serving charts: one process-wide cache, and responses that carry their own policy.

A chart is an `<img>` in the page (with a data table beside it as its text alternative),
never inline markup: matplotlib's SVG styles itself with inline `style`, which the
pages' Content-Security-Policy forbids, while an image document cannot run script
anyway. So chart responses get a policy of their own that allows inline style only.
"""

from __future__ import annotations

from collections.abc import Callable

from litestar import Response

from qms.charts import MEDIA_TYPES, ChartCache, Figure, Format

CACHE = ChartCache(capacity=512)
CHART_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def chart_response(
    key: str, fmt: Format, build: Callable[[], Figure], *, filename: str | None = None
) -> Response[bytes]:
    """The chart as bytes; call from a sync handler (rendering stays off the event loop).
    `key` must change whenever what the chart shows changes (see qms.charts.cache_key)."""
    data = CACHE.get_or_render(key, fmt, build)
    headers = {"content-security-policy": CHART_CSP}
    if filename is not None:
        headers["content-disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return Response(content=data, media_type=MEDIA_TYPES[fmt], headers=headers)
