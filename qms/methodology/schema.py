"""Typed reading of YAML nodes: every getter either returns a well-typed value or reports
why not, at the node that is wrong (or at the mapping that lacks a key)."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from qms.methodology.findings import Report
from qms.methodology.model import Text
from qms.methodology.yamlsafe import MapNode, Node, Scalar, SeqNode

ID = re.compile(r"[a-z][a-z0-9_-]*\Z")
ITEM_ID = re.compile(r"[a-z][a-z0-9_.-]*\Z")
CRITERION_ID = re.compile(r"[0-9A-Za-z]+(\.[0-9A-Za-z]+)*\Z")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*\Z")
_INT_TEXT = re.compile(r"\s*[-+]?[0-9]+\s*\Z")


@dataclass
class Ctx:
    """Where findings go, and the languages text maps are checked against."""

    report: Report
    # Empty when methodology.yaml's `languages` is unusable: text maps then get only
    # shape checks, so one broken list does not drown the file in findings.
    languages: tuple[str, ...] = ()

    def error(self, at: Node, message: str) -> None:
        self.report.error(at, message)

    def warning(self, at: Node, message: str) -> None:
        self.report.warning(at, message)


def nearest(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def describe(node: Node) -> str:
    if isinstance(node, MapNode):
        return "a mapping"
    if isinstance(node, SeqNode):
        return "a list"
    if node.kind == "str":
        return f"the text '{node.raw}'"
    if node.kind == "null":
        return "nothing"
    if node.kind == "bool":
        return f"the boolean {node.raw}"
    if node.kind == "timestamp":
        return f"the date {node.raw}"
    return f"the number {node.raw}"


def where(node: Node, key: Scalar | None) -> Node:
    """An empty value has no text of its own: point at its key instead."""
    if key is not None and isinstance(node, Scalar) and node.empty:
        return key
    return node


def check_keys(
    ctx: Ctx,
    m: MapNode,
    allowed: Sequence[str],
    required: Sequence[str],
    what: str,
    foreign: Mapping[str, str] | None = None,
) -> None:
    """Unknown keys (with the nearest valid one) and missing required keys.

    `foreign` names keys that are valid elsewhere but not here, with where they belong,
    because "unknown key 'scale'" on a text item would puzzle its author.
    """
    for key, _ in m.entries:
        if key.raw in allowed:
            continue
        if foreign and key.raw in foreign:
            ctx.error(key, f"unknown key '{key.raw}' for {what} ({foreign[key.raw]})")
        else:
            ctx.error(key, f"unknown key '{key.raw}'{nearest(key.raw, allowed)}")
    for name in required:
        if name not in m:
            ctx.error(m, f"missing required key '{name}' in {what}")


def as_map(ctx: Ctx, node: Node, what: str, key: Scalar | None = None) -> MapNode | None:
    if isinstance(node, MapNode):
        return node
    ctx.error(where(node, key), f"{what} must be a mapping, not {describe(node)}")
    return None


def _quote_hint(node: Scalar) -> str:
    if node.kind == "bool":
        return f'{node.raw} reads as a boolean in YAML; quote it: "{node.raw}"'
    if node.kind in ("int", "float"):
        return f'{node.raw} reads as the number {node.value!r}; quote it: "{node.raw}"'
    if node.kind == "timestamp":
        return f'{node.raw} reads as a date; quote it: "{node.raw}"'
    return ""


def want_str(ctx: Ctx, node: Node, what: str, key: Scalar | None = None) -> str | None:
    if isinstance(node, Scalar) and node.kind == "str":
        return str(node.value)
    if isinstance(node, Scalar) and node.kind == "null":
        ctx.error(where(node, key), f"{what} has no value")
        return None
    if isinstance(node, Scalar):
        ctx.error(node, f"{what} must be a text, but {_quote_hint(node)}")
        return None
    ctx.error(node, f"{what} must be a text, not {describe(node)}")
    return None


def get_str(ctx: Ctx, m: MapNode, key: str, what: str | None = None) -> str | None:
    entry = m.entry(key)
    if entry is None:
        return None
    return want_str(ctx, entry[1], what or f"'{key}'", entry[0])


def want_int(
    ctx: Ctx, node: Node, what: str, key: Scalar | None = None, minimum: int | None = None
) -> int | None:
    if isinstance(node, Scalar) and node.kind == "int" and isinstance(node.value, int):
        if minimum is not None and node.value < minimum:
            ctx.error(node, f"{what} must be at least {minimum}, not {node.raw}")
            return None
        return node.value
    hint = ""
    if isinstance(node, Scalar) and node.kind == "str" and _INT_TEXT.match(node.raw):
        hint = "; remove the quotes"
    ctx.error(where(node, key), f"{what} must be an integer, not {describe(node)}{hint}")
    return None


def get_int(ctx: Ctx, m: MapNode, key: str, minimum: int | None = None) -> int | None:
    entry = m.entry(key)
    if entry is None:
        return None
    return want_int(ctx, entry[1], f"'{key}'", entry[0], minimum)


def want_number(ctx: Ctx, node: Node, what: str, key: Scalar | None = None) -> float | None:
    if isinstance(node, Scalar) and node.kind in ("int", "float"):
        assert isinstance(node.value, int | float)
        if not math.isfinite(node.value):
            ctx.error(node, f"{what} must be a finite number, not {node.raw}")
            return None
        return node.value
    ctx.error(where(node, key), f"{what} must be a number, not {describe(node)}")
    return None


def get_number(ctx: Ctx, m: MapNode, key: str) -> float | None:
    entry = m.entry(key)
    if entry is None:
        return None
    return want_number(ctx, entry[1], f"'{key}'", entry[0])


def get_weight(ctx: Ctx, m: MapNode) -> float | None:
    """The optional `weight`: a finite number > 0, 1 when absent; None when invalid."""
    entry = m.entry("weight")
    if entry is None:
        return 1.0
    value = want_number(ctx, entry[1], "'weight'", entry[0])
    if value is None:
        return None
    if value <= 0:
        ctx.error(entry[1], f"'weight' must be greater than 0, not {value:g}")
        return None
    return float(value)


def get_bool(ctx: Ctx, m: MapNode, key: str, default: bool = False) -> bool | None:
    entry = m.entry(key)
    if entry is None:
        return default
    node = entry[1]
    if isinstance(node, Scalar) and node.kind == "bool":
        return bool(node.value)
    ctx.error(where(node, entry[0]), f"'{key}' must be true or false, not {describe(node)}")
    return None


def get_list(ctx: Ctx, m: MapNode, key: str, nonempty: bool = False) -> tuple[Node, ...] | None:
    entry = m.entry(key)
    if entry is None:
        return None
    node = entry[1]
    if not isinstance(node, SeqNode):
        ctx.error(where(node, entry[0]), f"'{key}' must be a list, not {describe(node)}")
        return None
    if nonempty and not node.items:
        ctx.error(node, f"'{key}' must not be empty")
        return None
    return node.items


def get_id(
    ctx: Ctx, m: MapNode, pattern: re.Pattern[str], what: str, key: str = "id"
) -> tuple[str, Scalar] | None:
    """An id of the given form, with its node for later uniqueness findings."""
    entry = m.entry(key)
    if entry is None:
        return None
    value = want_str(ctx, entry[1], f"{what} id", entry[0])
    if value is None:
        return None
    node = entry[1]
    assert isinstance(node, Scalar)
    if not pattern.match(value):
        form = pattern.pattern.removesuffix("\\Z")
        ctx.error(node, f"{what} id '{value}' must match {form}")
        return None
    return value, node


def want_criterion_id(ctx: Ctx, node: Node, what: str, key: Scalar | None = None) -> str | None:
    """Criterion ids are quoted: an unquoted 1.10 is the float 1.1, a different id."""
    if isinstance(node, Scalar) and node.kind in ("int", "float"):
        ctx.error(
            node,
            f"{what} must be a quoted string: {node.raw} reads as the number {node.value!r}; "
            f'write "{node.raw}"',
        )
        return None
    value = want_str(ctx, node, what, key)
    if value is None:
        return None
    if not CRITERION_ID.match(value):
        ctx.error(
            node, f"{what} '{value}' must be digits and letters separated by dots, like \"1.2\""
        )
        return None
    return value


def get_text(ctx: Ctx, m: MapNode, key: str) -> Text | None:
    entry = m.entry(key)
    if entry is None:
        return None
    return want_text(ctx, entry[1], f"'{key}'", entry[0])


def want_text(ctx: Ctx, node: Node, what: str, key: Scalar | None = None) -> Text | None:
    """A text map {language: text}: the default language is required, others expected."""
    if not isinstance(node, MapNode):
        example = ", ".join(f"{lang}: ..." for lang in ctx.languages) or "en: ..."
        ctx.error(
            where(node, key),
            f"{what} must be a text map like {{{example}}}, not {describe(node)}",
        )
        return None
    values: dict[str, str] = {}
    reported: set[str] = set()  # present but unusable: an error already, no warning too
    ok = True
    for lang_key, value_node in node.entries:
        lang = lang_key.raw
        if ctx.languages and lang not in ctx.languages:
            ctx.error(
                lang_key,
                f"unknown language '{lang}'{nearest(lang, ctx.languages)}; "
                f"the languages are {', '.join(ctx.languages)}",
            )
            ok = False
            continue
        text = want_str(ctx, value_node, f"the {lang} text", lang_key)
        if text is None:
            ok = False
            reported.add(lang)
        elif text.strip():
            values[lang] = text
        elif ctx.languages and lang == ctx.languages[0]:
            ctx.error(value_node, f"the {lang} text is empty")
            ok = False
    if not ctx.languages:
        return None
    default = ctx.languages[0]
    if default not in values and ok:
        ctx.error(node, f"{what} lacks the default language '{default}'")
        ok = False
    missing = [lang for lang in ctx.languages[1:] if lang not in values and lang not in reported]
    if missing:
        ctx.warning(
            node, f"{what} lacks the language{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        )
    return Text.of(values, default) if ok else None


def value_text(node: Node, what: str, ctx: Ctx, key: Scalar | None = None) -> str | None:
    """A choice value or a `when.in` entry: a string or an integer, compared as text."""
    if isinstance(node, Scalar) and node.kind == "str":
        text = str(node.value)
        if not text.strip() or text != text.strip():
            ctx.error(node, f"{what} '{text}' must not be empty or start or end with spaces")
            return None
        return text
    if isinstance(node, Scalar) and node.kind == "int":
        return str(node.value)
    if isinstance(node, Scalar) and node.kind in ("bool", "float", "timestamp"):
        ctx.error(node, f"{what} must be a text or an integer, but {_quote_hint(node)}")
        return None
    ctx.error(where(node, key), f"{what} must be a text or an integer, not {describe(node)}")
    return None
