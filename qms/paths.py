"""Where the files that ship beside the package live, from a checkout or a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """`templates`, `questionnaires` or `migrations`: inside an installed wheel they sit
    under qms/_data/, in a checkout (editable install included) beside the package."""
    bundled = _PACKAGE / "_data" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / name


def default_questionnaires() -> Path:
    return data_dir("questionnaires")


def static_dir() -> Path:
    return _PACKAGE / "static"
