"""Every UI string is translated into Latvian and Lithuanian."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from qms.i18n import catalog_paths

ROOT = Path(__file__).resolve().parents[2]
METHOD_MAP = [("qms/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true"}}


def _source_messages() -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHOD_MAP, options_map=OPTIONS
    ):
        found.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return found


def test_extraction_finds_the_ui_strings() -> None:
    # Guards the test below: an extractor that found nothing would make it pass vacuously.
    messages = _source_messages()
    assert "Access code" in messages
    assert len(messages) > 10


@pytest.mark.parametrize("lang", ["lv", "lt"])
def test_catalog_translates_every_ui_string(lang: str) -> None:
    translated: set[str] = set()
    paths = catalog_paths(ROOT / "qms" / "locale", lang)
    assert paths, f"{lang}: no catalog"
    for path in paths:
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang)
        translated |= {
            m.id for m in catalog if m.id and m.string and not m.fuzzy and isinstance(m.id, str)
        }
    missing = sorted(_source_messages() - translated)
    assert not missing, f"{lang}: untranslated UI strings: {missing}"
