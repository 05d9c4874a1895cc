"""A YAML reader for untrusted files that constructs nothing it was not asked for.

PyYAML's loaders build Python objects while they compose, so an alias bomb expands
and a tag runs before anyone can look at the document. Here the parser's event stream
(libyaml's when PyYAML has it) is turned into plain nodes by our own composer, which
refuses anchors, aliases and tags as soon as it meets them, keeps the line and column
of every key and value, and refuses duplicate keys (which PyYAML silently accepts).
Scalars are resolved with YAML 1.1's implicit rules (what PyYAML's SafeLoader would
produce) but only ever into str, int, float, bool or None.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Literal, Protocol

import yaml
from yaml import events as ev

from qms.methodology.findings import Report

MAX_BYTES = 1_048_576
# An alias bomb is one anchor and many aliases: a few findings say all there is to say.
_MAX_REFUSALS = 20
_STANDARD_TAG = "tag:yaml.org,2002:"
# The YAML 1.1 types; PyYAML also spells its python/... tags with the same prefix.
_STANDARD_TYPES = {
    "str", "int", "float", "bool", "null", "timestamp", "binary",
    "seq", "map", "set", "omap", "pairs", "merge", "value",
}  # fmt: skip
# The format nests about eight levels; PyYAML's scanner slows quadratically with the
# depth of flow collections, so a file of a million '[' would otherwise take hours.
MAX_DEPTH = 64
# Even stopped at that depth, PyYAML's own scanner looks 1024 characters ahead over
# every open bracket; a run of brackets is refused before it gets to do so.
_BRACKET_RUN = re.compile(rf"(?:[\[{{]\s*){{{MAX_DEPTH}}}[\[{{]")

ScalarKind = Literal["str", "int", "float", "bool", "null", "timestamp"]

_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
# YAML 1.1 also reads 010 as 8, 0x1F, 1_000 and 1:30 (as 90): legal, and a trap.
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_PLAIN_FLOAT = re.compile(
    r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\Z"
    r"|[-+]?\.(inf|Inf|INF)\Z"
    r"|\.(nan|NaN|NAN)\Z"
)


@dataclass(frozen=True, eq=False)
class Scalar:
    value: str | int | float | bool | None
    kind: ScalarKind
    raw: str  # the text as written, for messages and for keys
    line: int
    col: int
    quoted: bool

    @property
    def empty(self) -> bool:
        """`key:` with nothing after it."""
        return self.kind == "null" and self.raw == "" and not self.quoted


@dataclass(frozen=True, eq=False)
class MapNode:
    entries: tuple[tuple[Scalar, Node], ...]
    line: int
    col: int
    _index: dict[str, tuple[Scalar, Node]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # Duplicates were refused while composing, so the first entry is the only one.
        index: dict[str, tuple[Scalar, Node]] = {}
        for key, value in self.entries:
            index.setdefault(key.raw, (key, value))
        object.__setattr__(self, "_index", index)

    def get(self, key: str) -> Node | None:
        entry = self._index.get(key)
        return entry[1] if entry else None

    def entry(self, key: str) -> tuple[Scalar, Node] | None:
        return self._index.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self._index


@dataclass(frozen=True, eq=False)
class SeqNode:
    items: tuple[Node, ...]
    line: int
    col: int


Node = Scalar | MapNode | SeqNode


@dataclass
class _Frame:
    kind: Literal["map", "seq"]
    line: int
    col: int
    items: list[Node] = field(default_factory=list)
    entries: list[tuple[Scalar, Node]] = field(default_factory=list)
    seen: dict[str, Scalar] = field(default_factory=dict)
    key: Scalar | None = None
    awaiting_value: bool = False
    bad_key: bool = False


class _Mark(Protocol):
    line: int
    column: int


def _pos(mark: _Mark | None) -> tuple[int, int]:
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def decode(data: bytes, report: Report) -> str | None:
    """The text of a file's bytes, or None after reporting why it is not usable."""
    if len(data) > MAX_BYTES:
        report.error_at(1, 1, f"file is {len(data):,} bytes; the limit is {MAX_BYTES:,} bytes")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        bad = data[exc.start : exc.start + 1].hex()
        report.error_at(line, col, f"not UTF-8 text (byte 0x{bad}); save the file as UTF-8")
        return None


# libyaml is some fifty times faster than PyYAML's own parser on large files; both give
# the same events and marks, and the tests run under each.
LOADER: type[yaml.SafeLoader] | type[yaml.CSafeLoader] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)
_TOO_DEEP = f"nested deeper than {MAX_DEPTH} levels"
_TAB_MESSAGE = "tab character: YAML indents and separates with spaces only"


def parse(text: str, report: Report) -> Node | None:
    """The document's root node, or None after reporting why there is none."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        report.error_at(1, 1, f"file is larger than the limit of {MAX_BYTES:,} bytes")
        return None
    run = _BRACKET_RUN.search(text)
    if run is not None:
        deepest = run.end() - 1
        line = text.count("\n", 0, deepest) + 1
        report.error_at(line, deepest - (text.rfind("\n", 0, deepest) + 1) + 1, _TOO_DEEP)
        return None
    composer = _Composer(report)
    try:
        for event in yaml.parse(text, Loader=LOADER):
            if not composer.feed(event):
                break
    except yaml.MarkedYAMLError as exc:
        _syntax_error(exc, text, report)
        return None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        report.error_at(line, col, f"character {char:#06x} is not allowed in YAML")
        return None
    except yaml.YAMLError as exc:  # any other parser complaint, still one clean line
        report.error_at(1, 1, f"YAML error: {exc}")
        return None
    if composer.refused:
        return None
    if "\t" in text and _tabs(text, composer.strings, report):
        return None
    root = composer.root
    if root is None or (isinstance(root, Scalar) and root.kind == "null"):
        report.error_at(1, 1, "file is empty")
        return None
    return root


def _tabs(text: str, strings: list[tuple[int, int]], report: Report) -> bool:
    """Tabs outside quoted and block texts: PyYAML refuses them, libyaml accepts some;
    refusing them all makes the result the same under both (and YAML 1.1 forbids most)."""
    starts = [start for start, _ in strings]  # in document order, so sorted
    found = 0
    line, line_start, counted_to, last_line = 1, 0, 0, 0
    for match in re.finditer("\t", text):
        at = match.start()
        inside = bisect.bisect_right(starts, at) - 1
        if inside >= 0 and at < strings[inside][1]:
            continue
        newlines = text.count("\n", counted_to, at)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", counted_to, at) + 1
        counted_to = at
        if line == last_line:
            continue
        last_line = line
        report.error_at(line, at - line_start + 1, _TAB_MESSAGE)
        found += 1
        if found >= _MAX_REFUSALS:
            break
    return found > 0


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, report: Report) -> None:
    mark = exc.problem_mark or exc.context_mark
    line, col = _pos(mark)
    problem = exc.problem or "syntax error"
    lines = text.split("\n")
    if (
        mark is not None
        and mark.line < len(lines)
        and lines[mark.line][mark.column : mark.column + 1] == "\t"
    ):
        report.error_at(line, col, _TAB_MESSAGE)
        return
    message = f"YAML syntax error: {problem}"
    if exc.context and exc.context_mark is not None and exc.context_mark is not mark:
        message += f" ({exc.context} at line {exc.context_mark.line + 1})"
    report.error_at(line, col, message)


class _Composer:
    """Builds nodes from parser events without recursion (nesting depth is the file's)."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self.stack: list[_Frame] = []
        self.root: Node | None = None
        self.documents = 0
        self.refusals = 0
        # Character spans of quoted and block scalars, where a tab is only text.
        self.strings: list[tuple[int, int]] = []

    @property
    def refused(self) -> bool:
        return self.refusals > 0

    def _refuse(self, mark: _Mark | None, message: str) -> bool:
        self.refusals += 1
        line, col = _pos(mark)
        self.report.error_at(line, col, message)
        return self.refusals < _MAX_REFUSALS

    def feed(self, event: ev.Event) -> bool:
        """Take one event; False to stop reading the stream."""
        if isinstance(event, ev.AliasEvent):
            return self._refuse(event.start_mark, f"YAML alias *{event.anchor} is not allowed")
        if isinstance(event, ev.NodeEvent):
            if event.anchor is not None:
                return self._refuse(event.start_mark, f"YAML anchor &{event.anchor} is not allowed")
            tag = getattr(event, "tag", None)
            if tag is not None:
                return self._refuse(event.start_mark, _tag_message(tag))
        if isinstance(event, ev.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                return self._refuse(
                    event.start_mark, "a file holds one YAML document; found a second"
                )
            return True
        if self.refused:
            return True  # keep scanning for more refusals and syntax errors, build nothing
        if isinstance(event, ev.ScalarEvent):
            if event.style and event.start_mark is not None and event.end_mark is not None:
                self.strings.append((event.start_mark.index, event.end_mark.index))
            scalar = self._scalar(event)
            if scalar is None:
                return self._refuse(event.start_mark, _number_trap(event.value))
            self._attach(scalar)
        elif isinstance(event, ev.CollectionStartEvent):
            if len(self.stack) >= MAX_DEPTH:
                self._refuse(event.start_mark, _TOO_DEEP)
                return False
            line, col = _pos(event.start_mark)
            kind: Literal["map", "seq"] = (
                "map" if isinstance(event, ev.MappingStartEvent) else "seq"
            )
            self.stack.append(_Frame(kind, line, col))
        elif isinstance(event, ev.CollectionEndEvent):
            frame = self.stack.pop()
            node: Node
            if frame.kind == "map":
                node = MapNode(tuple(frame.entries), frame.line, frame.col)
            else:
                node = SeqNode(tuple(frame.items), frame.line, frame.col)
            self._attach(node)
        return True

    def _attach(self, node: Node) -> None:
        if not self.stack:
            self.root = node
            return
        top = self.stack[-1]
        if top.kind == "seq":
            top.items.append(node)
            return
        if not top.awaiting_value:
            top.awaiting_value = True
            top.bad_key = False
            top.key = None
            if not isinstance(node, Scalar):
                self.report.error(node, "a key must be a plain name, not a list or mapping")
                top.bad_key = True
                return
            first = top.seen.get(node.raw)
            if first is not None:
                self.report.error(node, f"duplicate key '{node.raw}' (first at line {first.line})")
                top.bad_key = True
                return
            top.seen[node.raw] = node
            top.key = node
            return
        top.awaiting_value = False
        if top.key is not None and not top.bad_key:
            top.entries.append((top.key, node))

    @staticmethod
    def _scalar(event: ev.ScalarEvent) -> Scalar | None:
        line, col = _pos(event.start_mark)
        raw = event.value
        if event.style:  # quoted or block: always a string
            return Scalar(raw, "str", raw, line, col, True)
        tag: str = _RESOLVER.resolve(yaml.ScalarNode, raw, (True, False))  # type: ignore[no-untyped-call]
        kind = tag.removeprefix(_STANDARD_TAG)
        value: str | int | float | bool | None
        if kind == "null":
            return Scalar(None, "null", raw, line, col, False)
        if kind == "bool":
            value = bool(_CONSTRUCTOR.construct_yaml_bool(yaml.ScalarNode(tag, raw)))
            return Scalar(value, "bool", raw, line, col, False)
        if kind == "int":
            if not _PLAIN_INT.match(raw):
                return None
            try:
                return Scalar(int(raw), "int", raw, line, col, False)
            except ValueError:  # more digits than Python converts
                return None
        if kind == "float":
            if not _PLAIN_FLOAT.match(raw):
                return None
            value = float(_CONSTRUCTOR.construct_yaml_float(yaml.ScalarNode(tag, raw)))
            return Scalar(value, "float", raw, line, col, False)
        if kind == "timestamp":
            return Scalar(raw, "timestamp", raw, line, col, False)
        return Scalar(raw, "str", raw, line, col, False)


def _tag_message(tag: str) -> str:
    name = tag.removeprefix(_STANDARD_TAG)
    shown = "!!" + name if tag.startswith(_STANDARD_TAG) else tag
    if name in _STANDARD_TYPES:
        return f"YAML tag {shown} is not allowed; quote the value if it is a text"
    return f"YAML tag {shown} is not allowed: tags that construct objects are refused"


def _number_trap(raw: str) -> str:
    shown = raw if len(raw) <= 40 else raw[:37] + "..."
    digits = raw.lstrip("+-")
    if digits[:2].lower() in ("0x", "0b", "0o") or (len(digits) > 1 and digits[0] == "0"):
        reading = "reads it in another base (010 is 8)"
    elif "_" in raw:
        reading = "drops the underscores"
    elif ":" in raw:
        reading = "reads it in base 60 (1:30 is 90)"
    else:
        reading = "reads it as a number too long to use"
    return (
        f"the number {shown} is ambiguous: YAML 1.1 {reading}; "
        "write plain decimal digits, or quote it if it is a text"
    )
