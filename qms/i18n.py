"""UI translations: gettext catalogs (.po) read with Babel, one language per request.

English is the source language. The .po files are read at start-up, so no compile
step (and no binary .mo file) stands between an edit and the running app.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from pathlib import Path
from types import MappingProxyType

from babel.messages.pofile import read_po

LANGUAGES: tuple[str, ...] = ("lv", "lt", "en")
DEFAULT_LANGUAGE = "lv"
LANGUAGE_NAMES: Mapping[str, str] = MappingProxyType(
    {"lv": "Latviešu", "lt": "Lietuvių", "en": "English"}
)
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def catalog_paths(locale_dir: Path, lang: str) -> list[Path]:
    """Every catalog of `lang`: `messages.po` and one file per area of the interface
    (`results.po`, ...), so that areas are translated side by side without one file
    that everybody edits."""
    return sorted((locale_dir / lang / "LC_MESSAGES").glob("*.po"))


def _load(locale_dir: Path) -> dict[str, dict[str, str]]:
    catalogs: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        messages: dict[str, str] = {}
        for path in catalog_paths(locale_dir, lang):
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=lang)
            for message in catalog:
                if not message.id or message.fuzzy:
                    continue
                if (
                    isinstance(message.id, str)
                    and isinstance(message.string, str)
                    and message.string
                ):
                    messages[message.id] = message.string
        if messages:
            catalogs[lang] = messages
    return catalogs


_CATALOGS = _load(LOCALE_DIR)


def N_(message: str) -> str:
    """Marks a string for extraction where it is translated later, at render time."""
    return message


def gettext(message: str) -> str:
    return translate(current_language.get(), message)


def translate(lang: str, message: str) -> str:
    """`message` in `lang`, for code that is handed its language rather than reading the
    request's."""
    return _CATALOGS.get(lang, {}).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    # Latvian and Lithuanian have more plural forms than two; UI strings avoid plurals by
    # putting the number in a label ("Answers: 5"), so a two-form fallback is enough here.
    return gettext(singular if n == 1 else plural)


def pick_language(
    requested: str | None, cookie: str | None, accept: str | None, allowed: Iterable[str]
) -> str:
    """The explicit choice first, then the remembered one, then the browser's preference."""
    allowed = tuple(allowed)
    for candidate in (requested, cookie):
        if candidate in allowed:
            return candidate
    for lang in parse_accept_language(accept or ""):
        if lang in allowed:
            return lang
    return allowed[0] if allowed else DEFAULT_LANGUAGE


def parse_accept_language(header: str) -> list[str]:
    """Primary language subtags in order of preference (`lv-LV,en;q=0.5` -> [lv, en])."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        piece = part.strip()
        if not piece:
            continue
        lang, _, params = piece.partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, position, lang.strip().split("-")[0].lower()))
    return [lang for _, _, lang in sorted(weighted) if lang and lang != "*"]
