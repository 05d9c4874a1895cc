"""A view model as the variables of its template."""

from __future__ import annotations

from dataclasses import fields
from typing import Any


def as_context(view: Any) -> dict[str, Any]:
    """A view's fields as template variables, one level deep (the values stay objects),
    so that a template reads `rows`, not `view.rows`."""
    return {f.name: getattr(view, f.name) for f in fields(view)}
