"""The fields of an item that depend on its type, and its `when` condition."""

from __future__ import annotations

from dataclasses import dataclass

from qms.methodology.methodology_file import Catalogue
from qms.methodology.model import ChoiceOption, Text, When
from qms.methodology.schema import (
    ITEM_ID,
    Ctx,
    as_map,
    check_keys,
    get_bool,
    get_list,
    get_number,
    get_str,
    get_text,
    get_weight,
    nearest,
    value_text,
    want_criterion_id,
    want_str,
)
from qms.methodology.yamlsafe import MapNode, Node


@dataclass(frozen=True)
class Seen:
    """An item already read, as `when` and the id uniqueness rule need it."""

    id: str
    type: str | None
    values: tuple[str, ...] | None  # option values as text; None when unknown
    path: str
    line: int


@dataclass(frozen=True)
class Extras:
    """The fields that only some item types have."""

    criterion: str | None = None
    scale: str | None = None
    reverse: bool = False
    weight: float = 1.0
    options: tuple[ChoiceOption, ...] = ()
    min: float | None = None
    max: float | None = None
    unit: Text | None = None
    max_length: int | None = None


def read_scored(ctx: Ctx, im: MapNode, cat: Catalogue) -> Extras | None:
    scale = get_str(ctx, im, "scale")
    snode = im.get("scale")
    unknown = scale is not None and cat.scales_known and scale not in cat.scale_values
    if unknown and scale is not None and snode is not None:
        ctx.error(snode, f"unknown scale '{scale}'{nearest(scale, cat.scale_values)}")
        scale = None
    criterion = _criterion_ref(ctx, im, cat)
    reverse = get_bool(ctx, im, "reverse")
    weight = get_weight(ctx, im)
    if scale is None or criterion is None or reverse is None or weight is None:
        return None
    return Extras(criterion=criterion, scale=scale, reverse=reverse, weight=weight)


def _criterion_ref(ctx: Ctx, im: MapNode, cat: Catalogue) -> str | None:
    entry = im.entry("criterion")
    if entry is None:
        return None
    cid = want_criterion_id(ctx, entry[1], "'criterion'", entry[0])
    if cid is None or not cat.criteria_known:
        return cid
    if cid in cat.parents:
        subs = ", ".join(cat.parents[cid])
        ctx.error(
            entry[1], f"criterion '{cid}' has sub-criteria; attach the item to one of them ({subs})"
        )
        return None
    if cid not in cat.leaves:
        known = sorted(cat.leaves | set(cat.parents))
        ctx.error(entry[1], f"unknown criterion '{cid}'{nearest(cid, known)}")
        return None
    return cid


def read_options(ctx: Ctx, im: MapNode) -> tuple[ChoiceOption, ...] | None:
    nodes = get_list(ctx, im, "options", nonempty=True)
    if nodes is None:
        return None
    ok = True
    options: list[ChoiceOption] = []
    seen: dict[str, Node] = {}
    for node in nodes:
        om = as_map(ctx, node, "an option")
        if om is None:
            ok = False
            continue
        check_keys(ctx, om, ["value", "label"], ["value", "label"], "an option")
        entry = om.entry("value")
        value = value_text(entry[1], "an option value", ctx, entry[0]) if entry else None
        label = get_text(ctx, om, "label")
        if value is not None and entry is not None:
            if value in seen:
                ctx.error(
                    entry[1], f"duplicate option value '{value}' (first at line {seen[value].line})"
                )
                value = None
            else:
                seen[value] = entry[1]
        if value is None or label is None:
            ok = False
            continue
        options.append(ChoiceOption(value, label))
    return tuple(options) if ok else None


def read_number(ctx: Ctx, im: MapNode) -> Extras | None:
    low = get_number(ctx, im, "min")
    high = get_number(ctx, im, "max")
    unit = get_text(ctx, im, "unit")
    ok = ("min" not in im or low is not None) and ("max" not in im or high is not None)
    ok = ok and ("unit" not in im or unit is not None)
    if low is not None and high is not None and low >= high:
        node = im.get("max")
        assert node is not None
        ctx.error(node, f"'max' ({high:g}) must be greater than 'min' ({low:g})")
        ok = False
    return Extras(min=low, max=high, unit=unit) if ok else None


def read_when(ctx: Ctx, im: MapNode, cat: Catalogue, earlier: dict[str, Seen]) -> When | None:
    entry = im.entry("when")
    if entry is None:
        return None
    wm = as_map(ctx, entry[1], "'when'", entry[0])
    if wm is None:
        return None
    check_keys(ctx, wm, ["item", "in"], ["item", "in"], "'when'")
    ref = get_str(ctx, wm, "item")
    ref_node = wm.get("item")
    target: Seen | None = None
    if ref is not None and ref_node is not None:
        target = earlier.get(ref)
        if target is None:
            ctx.error(
                ref_node,
                f"when.item '{ref}' must name an earlier item of this "
                f"questionnaire{nearest(ref, earlier)}",
            )
        elif target.type is None:
            target = None  # its own type is broken and reported; nothing more to say
        elif target.type not in ("scale", "choice"):
            ctx.error(
                ref_node,
                f"when.item '{ref}' is a {target.type} item; it must name a scale or choice item",
            )
            target = None
    nodes = get_list(ctx, wm, "in", nonempty=True)
    values: list[str] = []
    ok = target is not None and nodes is not None
    for node in nodes or ():
        value = value_text(node, "a when.in value", ctx)
        if value is None:
            ok = False
            continue
        if target is not None and target.values is not None and value not in target.values:
            ctx.error(node, f"'{value}' is not a value of {target.id} ({', '.join(target.values)})")
            ok = False
            continue
        values.append(value)
    if not ok or ref is None:
        return None
    return When(ref, tuple(values))


def read_replaces(ctx: Ctx, im: MapNode) -> tuple[str, ...] | None:
    if "replaces" not in im:
        return ()
    nodes = get_list(ctx, im, "replaces")
    if nodes is None:
        return None
    found: list[str] = []
    for node in nodes:
        value = want_str(ctx, node, "a replaced item id")
        if value is None:
            return None
        if not ITEM_ID.match(value):
            ctx.error(node, f"replaced item id '{value}' must match [a-z][a-z0-9_.-]*")
            return None
        found.append(value)
    return tuple(found)
