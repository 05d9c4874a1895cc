"""methodology.yaml: identity, languages, groups, scales and criteria."""

from __future__ import annotations

from dataclasses import dataclass, field

from qms.methodology.model import Criterion, Group, Scale, Text
from qms.methodology.scales import read_scale
from qms.methodology.schema import (
    ID,
    LANGUAGE,
    Ctx,
    as_map,
    check_keys,
    get_id,
    get_int,
    get_list,
    get_str,
    get_text,
    get_weight,
    nearest,
    want_criterion_id,
    want_str,
)
from qms.methodology.yamlsafe import MapNode, Node, Scalar

TOP_KEYS = ["methodology", "version", "title", "languages", "groups", "scales", "criteria"]
GROUP_KEYS = ["id", "title", "mode", "min_n", "weight"]
MODES = ("consensus", "individual")


@dataclass
class Catalogue:
    """What the questionnaire files need to know of methodology.yaml, even a broken one.

    The `*_known` flags are False when a whole list is unusable: references into it are
    then not checked, rather than reported as unknown one by one.
    """

    languages: tuple[str, ...] = ()
    groups: dict[str, Scalar] = field(default_factory=dict)  # id -> its node
    scale_values: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    scales_known: bool = False
    leaves: set[str] = field(default_factory=set)
    parents: dict[str, list[str]] = field(default_factory=dict)  # id -> its sub-criteria
    criteria_known: bool = False


@dataclass
class Top:
    """methodology.yaml as read: parts are None where the file has errors."""

    catalogue: Catalogue
    id: str | None = None
    version: str | None = None
    title: Text | None = None
    groups: tuple[Group, ...] | None = None
    scales: tuple[Scale, ...] | None = None
    criteria: tuple[Criterion, ...] | None = None


def read_methodology(ctx: Ctx, root: Node, folder_name: str) -> Top:
    cat = Catalogue()
    top = Top(cat)
    m = as_map(ctx, root, "methodology.yaml")
    if m is None:
        return top
    check_keys(ctx, m, TOP_KEYS, TOP_KEYS, "methodology.yaml")
    # Languages first: every text map below is checked against them.
    cat.languages = _languages(ctx, m)
    ctx.languages = cat.languages
    got = get_id(ctx, m, ID, "methodology", key="methodology")
    if got is not None:
        if got[0] != folder_name:
            ctx.error(
                got[1], f"methodology id '{got[0]}' must equal its folder name '{folder_name}'"
            )
        else:
            top.id = got[0]
    top.version = get_str(ctx, m, "version")
    if top.version is not None and not top.version.strip():
        ctx.error(_value(m, "version"), "'version' must not be empty")
        top.version = None
    top.title = get_text(ctx, m, "title")
    top.groups = _groups(ctx, m, cat)
    top.scales = _scales(ctx, m, cat)
    top.criteria = _criteria(ctx, m, cat)
    return top


def _value(m: MapNode, key: str) -> Node:
    node = m.get(key)
    assert node is not None
    return node


def _languages(ctx: Ctx, m: MapNode) -> tuple[str, ...]:
    """The languages, default first; () when one is unreadable, because then any text
    map could be judged wrongly and the findings would bury the one that matters."""
    nodes = get_list(ctx, m, "languages", nonempty=True)
    if nodes is None:
        return ()
    found: list[str] = []
    readable = True
    for node in nodes:
        lang = want_str(ctx, node, "a language code")
        if lang is None:
            readable = False
        elif not LANGUAGE.match(lang):
            ctx.error(node, f"'{lang}' is not a language code like lv, lt or en")
            readable = False
        elif lang in found:
            ctx.error(node, f"language '{lang}' is listed twice")
        else:
            found.append(lang)
    return tuple(found) if readable else ()


def _groups(ctx: Ctx, m: MapNode, cat: Catalogue) -> tuple[Group, ...] | None:
    nodes = get_list(ctx, m, "groups", nonempty=True)
    if nodes is None:
        return None
    groups: list[Group] = []
    ok = True
    for node in nodes:
        gm = as_map(ctx, node, "a group")
        if gm is None:
            ok = False
            continue
        got = get_id(ctx, gm, ID, "group")
        what = f"group '{got[0]}'" if got else "a group"
        check_keys(ctx, gm, GROUP_KEYS, GROUP_KEYS[:4], what)
        if got is not None:
            first = cat.groups.get(got[0].casefold())
            if first is not None:
                ctx.error(got[1], f"duplicate group id '{got[0]}' (first at line {first.line})")
                got = None
            else:
                cat.groups[got[0].casefold()] = got[1]
        title = get_text(ctx, gm, "title")
        mode = _mode(ctx, gm)
        min_n = get_int(ctx, gm, "min_n", minimum=1)
        if mode == "consensus" and min_n is not None and min_n != 1:
            ctx.error(
                _value(gm, "min_n"),
                f"a consensus group has min_n: 1, not {min_n} "
                "(only its one consensus record is scored)",
            )
            min_n = None
        weight = get_weight(ctx, gm)
        if got is None or title is None or mode is None or min_n is None or weight is None:
            ok = False
            continue
        groups.append(
            Group(
                got[0], title, "consensus" if mode == "consensus" else "individual", min_n, weight
            )
        )
    return tuple(groups) if ok else None


def _mode(ctx: Ctx, gm: MapNode) -> str | None:
    mode = get_str(ctx, gm, "mode")
    if mode is not None and mode not in MODES:
        ctx.error(
            _value(gm, "mode"),
            f"mode must be consensus or individual, not '{mode}'{nearest(mode, MODES)}",
        )
        return None
    return mode


def _scales(ctx: Ctx, m: MapNode, cat: Catalogue) -> tuple[Scale, ...] | None:
    nodes = get_list(ctx, m, "scales")
    if nodes is None:
        return None
    cat.scales_known = True
    scales: list[Scale] = []
    ok = True
    first: dict[str, Scalar] = {}
    for node in nodes:
        read = read_scale(ctx, node)
        if read is None:
            ok = False
            continue
        key = read.id.casefold()
        if key in first:
            ctx.error(
                read.node, f"duplicate scale id '{read.id}' (first at line {first[key].line})"
            )
            ok = False
            continue
        first[key] = read.node
        cat.scale_values[read.id] = read.values
        if read.scale is None:
            ok = False
        else:
            scales.append(read.scale)
    return tuple(scales) if ok else None


def _criteria(ctx: Ctx, m: MapNode, cat: Catalogue) -> tuple[Criterion, ...] | None:
    nodes = get_list(ctx, m, "criteria")
    if nodes is None:
        return None
    cat.criteria_known = True
    seen: dict[str, Scalar] = {}  # criteria and sub-criteria share one namespace
    criteria: list[Criterion] = []
    ok = True
    for node in nodes:
        read = _criterion(ctx, node, seen, cat, top_level=True)
        if read is None:
            ok = False
        else:
            criteria.append(read)
    return tuple(criteria) if ok else None


def _criterion(
    ctx: Ctx, node: Node, seen: dict[str, Scalar], cat: Catalogue, top_level: bool
) -> Criterion | None:
    kind = "criterion" if top_level else "sub-criterion"
    cm = as_map(ctx, node, f"a {kind}")
    if cm is None:
        return None
    cid = _criterion_id(ctx, cm, kind, seen)
    what = f"{kind} '{cid}'" if cid else f"a {kind}"
    allowed = ["id", "title", "weight", "subcriteria"] if top_level else ["id", "title", "weight"]
    foreign = None if top_level else {"subcriteria": "sub-criteria cannot be nested"}
    check_keys(ctx, cm, allowed, ["id", "title"], what, foreign)
    title = get_text(ctx, cm, "title")
    weight = get_weight(ctx, cm)
    subs: list[Criterion] = []
    ok = cid is not None and title is not None and weight is not None
    if top_level and "subcriteria" in cm:
        nodes = get_list(ctx, cm, "subcriteria", nonempty=True)
        ok = ok and nodes is not None
        for sub_node in nodes or ():
            sub = _criterion(ctx, sub_node, seen, cat, top_level=False)
            if sub is None:
                ok = False
            else:
                subs.append(sub)
        if cid is not None and nodes is not None:
            cat.parents[cid] = [s.id for s in subs]
        elif cid is not None:
            cat.leaves.add(cid)  # its list is reported; items attached to it are not
    elif cid is not None:
        cat.leaves.add(cid)
    if not ok or cid is None or title is None or weight is None:
        return None
    return Criterion(cid, title, weight, tuple(subs))


def _criterion_id(ctx: Ctx, cm: MapNode, kind: str, seen: dict[str, Scalar]) -> str | None:
    entry = cm.entry("id")
    if entry is None:
        return None
    cid = want_criterion_id(ctx, entry[1], f"{kind} id", entry[0])
    if cid is None:
        return None
    node = entry[1]
    assert isinstance(node, Scalar)  # want_criterion_id accepted it
    first = seen.get(cid.casefold())
    if first is not None:
        ctx.error(node, f"duplicate criterion id '{cid}' (first at line {first.line})")
        return None
    seen[cid.casefold()] = node
    return cid
