"""Scales in methodology.yaml: integer options, or a stepped range with bands."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from qms.methodology.model import (
    MISSING_CODES,
    Band,
    MissingOption,
    Range,
    Scale,
    ScaleOption,
    Text,
)
from qms.methodology.schema import (
    ID,
    Ctx,
    as_map,
    check_keys,
    get_id,
    get_int,
    get_list,
    get_str,
    get_text,
    nearest,
)
from qms.methodology.yamlsafe import MapNode, Node, Scalar

# Scoring keeps a histogram bar per allowed value of a range and screens draw them:
# a range of a million values is a mistake, or an attack, and never a panel score.
MAX_RANGE_VALUES = 1001


@dataclass(frozen=True)
class ScaleRead:
    """A scale's id and the values a `when.in` may name, even when the scale is broken."""

    id: str
    node: Scalar
    values: tuple[str, ...] | None  # None: unknown because the scale has errors
    scale: Scale | None


def read_scale(ctx: Ctx, node: Node) -> ScaleRead | None:
    m = as_map(ctx, node, "a scale")
    if m is None:
        return None
    got = get_id(ctx, m, ID, "scale")
    sid = got[0] if got else None
    what = f"scale '{sid}'" if sid else "a scale"
    is_range = "range" in m
    allowed = ["id", "options", "missing", "range", "bands"]
    # With both options and range, that is the finding; a missing 'bands' would be noise.
    needs_bands = is_range and "options" not in m
    check_keys(ctx, m, allowed, ["id", "bands"] if needs_bands else ["id"], what)
    ok = got is not None
    options: tuple[ScaleOption, ...] = ()
    rng: Range | None = None
    bands: tuple[Band, ...] = ()
    if "options" in m and is_range:
        ctx.error(_key(m, "range"), f"{what} has both 'options' and 'range'; keep one")
        ok = False
    elif not is_range and "options" not in m:
        ctx.error(m, f"{what} needs 'options' or 'range'")
        ok = False
    if not is_range and "bands" in m:
        ctx.error(_key(m, "bands"), "'bands' belong to range scales only")
        ok = False
    if "options" in m:
        read_opts = _options(ctx, m)
        ok = ok and read_opts is not None
        options = read_opts or ()
    elif is_range:
        rng = _range(ctx, m)
        ok = ok and rng is not None
        read_bands = _bands(ctx, m, rng)
        ok = ok and read_bands is not None
        bands = read_bands or ()
    missing = _missing(ctx, m, options)
    ok = ok and missing is not None
    values: tuple[str, ...] | None = None
    if rng is not None:
        values = tuple(str(v) for v in rng.values())
    elif options:
        values = tuple(str(o.value) for o in options)
    if got is None:
        return None
    scale = Scale(sid or "", options, missing or (), rng, bands) if ok else None
    return ScaleRead(got[0], got[1], values, scale)


def _key(m: MapNode, key: str) -> Scalar:
    entry = m.entry(key)
    assert entry is not None
    return entry[0]


def _options(ctx: Ctx, m: MapNode) -> tuple[ScaleOption, ...] | None:
    nodes = get_list(ctx, m, "options", nonempty=True)
    if nodes is None:
        return None
    if len(nodes) < 2:
        ctx.error(_key(m, "options"), "a scale needs at least two options")
        return None
    ok = True
    options: list[ScaleOption] = []
    seen: dict[int, Node] = {}
    previous: int | None = None
    for node in nodes:
        om = as_map(ctx, node, "an option")
        if om is None:
            ok = False
            continue
        check_keys(ctx, om, ["value", "label"], ["value", "label"], "an option")
        value = get_int(ctx, om, "value")
        label = get_text(ctx, om, "label")
        if value is not None:
            vnode = om.get("value")
            assert vnode is not None
            if value in seen:
                ctx.error(
                    vnode, f"duplicate option value {value} (first at line {seen[value].line})"
                )
                ok = False
            elif previous is not None and value < previous:
                ctx.error(vnode, f"option values must increase: {value} comes after {previous}")
                ok = False
            seen.setdefault(value, vnode)
            previous = value if previous is None else max(previous, value)
        if value is None or label is None:
            ok = False
            continue
        options.append(ScaleOption(value, label))
    return tuple(options) if ok else None


def _missing(
    ctx: Ctx, m: MapNode, options: tuple[ScaleOption, ...]
) -> tuple[MissingOption, ...] | None:
    if "missing" not in m:
        return ()
    nodes = get_list(ctx, m, "missing")
    if nodes is None:
        return None
    ok = True
    found: list[MissingOption] = []
    seen: dict[str, Node] = {}
    values = {str(o.value) for o in options}
    for node in nodes:
        mm = as_map(ctx, node, "a missing answer")
        if mm is None:
            ok = False
            continue
        check_keys(ctx, mm, ["code", "label"], ["code", "label"], "a missing answer")
        code = get_str(ctx, mm, "code")
        label = get_text(ctx, mm, "label")
        cnode = mm.get("code")
        if code is not None and cnode is not None:
            if code not in MISSING_CODES:
                ctx.error(
                    cnode,
                    f"missing-answer code '{code}' is not allowed; use dk (don't know) "
                    f"or na (not applicable){nearest(code, MISSING_CODES)}",
                )
                code = None
            elif code in seen:
                ctx.error(
                    cnode,
                    f"duplicate missing-answer code '{code}' (first at line {seen[code].line})",
                )
                code = None
            elif code in values:  # unreachable while values are integers; kept for the rule
                ctx.error(cnode, f"missing-answer code '{code}' is also an option value")
                code = None
            else:
                seen[code] = cnode
        if code is None or label is None:
            ok = False
            continue
        found.append(MissingOption("dk" if code == "dk" else "na", label))
    return tuple(found) if ok else None


def _range(ctx: Ctx, m: MapNode) -> Range | None:
    node = m.get("range")
    assert node is not None
    rm = as_map(ctx, node, "'range'", _key(m, "range"))
    if rm is None:
        return None
    check_keys(ctx, rm, ["min", "max", "step"], ["min", "max", "step"], "a range")
    lo, hi, step = get_int(ctx, rm, "min"), get_int(ctx, rm, "max"), get_int(ctx, rm, "step")
    if lo is None or hi is None or step is None:
        return None
    if lo >= hi:
        ctx.error(_at(rm, "max"), f"'max' ({hi}) must be greater than 'min' ({lo})")
        return None
    if step <= 0:
        ctx.error(_at(rm, "step"), f"'step' must be greater than 0, not {step}")
        return None
    if (hi - lo) % step:
        ctx.error(_at(rm, "step"), f"'step' {step} does not divide max - min = {hi - lo}")
        return None
    if (hi - lo) // step + 1 > MAX_RANGE_VALUES:
        ctx.error(
            rm,
            f"a range may have at most {MAX_RANGE_VALUES} values, "
            f"this one has {(hi - lo) // step + 1}",
        )
        return None
    return Range(lo, hi, step)


def _at(m: MapNode, key: str) -> Node:
    node = m.get(key)
    assert node is not None
    return node


def _bands(ctx: Ctx, m: MapNode, rng: Range | None) -> tuple[Band, ...] | None:
    """Closed intervals, increasing, disjoint, inside the range, covering each value once."""
    if "bands" not in m:
        return None
    nodes = get_list(ctx, m, "bands", nonempty=True)
    if nodes is None:
        return None
    ok = True
    complete = True  # coverage is judged only when every band has its bounds
    spans: list[tuple[int, int, MapNode]] = []
    labels: list[Text | None] = []
    for node in nodes:
        bm = as_map(ctx, node, "a band")
        if bm is None:
            ok = complete = False
            continue
        check_keys(ctx, bm, ["from", "to", "label"], ["from", "to", "label"], "a band")
        low, high = get_int(ctx, bm, "from"), get_int(ctx, bm, "to")
        label = get_text(ctx, bm, "label")
        if low is None or high is None:
            ok = complete = False
            continue
        if low > high:
            ctx.error(_at(bm, "to"), f"band [{low}, {high}]: 'to' must not be less than 'from'")
            ok = complete = False
            continue
        if rng is not None and (low < rng.min or high > rng.max):
            ctx.error(bm, f"band [{low}, {high}] reaches outside the range [{rng.min}, {rng.max}]")
            ok = False
        spans.append((low, high, bm))
        labels.append(label)
    ordered = True
    for (plow, phigh, _), (low, high, bm) in itertools.pairwise(spans):
        if low > phigh:
            continue
        ordered = False
        if low >= plow:
            ctx.error(bm, f"band [{low}, {high}] overlaps the band before it [{plow}, {phigh}]")
        else:
            ctx.error(
                bm,
                f"bands must be in increasing order: [{low}, {high}] comes after [{plow}, {phigh}]",
            )
    ok = ok and ordered
    if rng is not None and ordered and complete and spans:
        ok = _covers(ctx, rng, spans) and ok
    if not ok or rng is None:
        return None
    bands: list[Band] = []
    for (low, high, _), label in zip(spans, labels, strict=True):
        if label is None:
            return None
        bands.append(Band(low, high, label))
    return tuple(bands)


def _covers(ctx: Ctx, rng: Range, spans: list[tuple[int, int, MapNode]]) -> bool:
    """Every allowed value in some band; with ordered disjoint bands, only gaps can miss."""
    ok = True
    gaps: list[tuple[int, int, Node]] = []
    previous_high = rng.min - 1
    for low, high, bm in spans:
        gaps.append((previous_high + 1, low - 1, bm))
        previous_high = high
    gaps.append((previous_high + 1, rng.max, spans[-1][2]))
    for low, high, at in gaps:
        first = _first_allowed(rng, low)
        if first <= min(high, rng.max):
            ctx.error(at, f"value {first} of the range is in no band")
            ok = False
    return ok


def _first_allowed(rng: Range, at_least: int) -> int:
    if at_least <= rng.min:
        return rng.min
    steps = -(-(at_least - rng.min) // rng.step)
    return rng.min + steps * rng.step
