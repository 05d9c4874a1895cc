"""`<group>.yaml`: one questionnaire, its sections and items, and their references."""

from __future__ import annotations

from qms.methodology.item_fields import (
    Extras,
    Seen,
    read_number,
    read_options,
    read_replaces,
    read_scored,
    read_when,
)
from qms.methodology.methodology_file import Catalogue
from qms.methodology.model import (
    Item,
    ItemType,
    Questionnaire,
    Section,
    Text,
)
from qms.methodology.schema import (
    ID,
    ITEM_ID,
    Ctx,
    as_map,
    check_keys,
    get_bool,
    get_id,
    get_int,
    get_list,
    get_str,
    get_text,
    nearest,
    want_str,
)
from qms.methodology.yamlsafe import MapNode, Node, Scalar

ITEM_TYPES: dict[str, ItemType] = {
    "scale": "scale",
    "choice": "choice",
    "multi": "multi",
    "text": "text",
    "number": "number",
}
TYPES = tuple(ITEM_TYPES)
COMMON = ["id", "type", "text", "easy_read", "help", "required", "when", "replaces"]
BY_TYPE: dict[str, list[str]] = {
    "scale": ["scale", "criterion", "reverse", "weight"],
    "choice": ["options"],
    "multi": ["options"],
    "text": ["max_length"],
    "number": ["min", "max", "unit"],
}
REQUIRED_BY_TYPE: dict[str, list[str]] = {
    "scale": ["scale", "criterion"],
    "choice": ["options"],
    "multi": ["options"],
}
ALL_KEYS = COMMON + sorted({k for keys in BY_TYPE.values() for k in keys})


class ItemIds:
    """Item ids across the whole methodology, case-insensitively."""

    def __init__(self) -> None:
        self.first: dict[str, Seen] = {}


def read_questionnaire(
    ctx: Ctx, root: Node, group: str, cat: Catalogue, ids: ItemIds
) -> Questionnaire | None:
    m = as_map(ctx, root, f"{group}.yaml")
    if m is None:
        return None
    check_keys(
        ctx,
        m,
        ["questionnaire", "intro", "sections"],
        ["questionnaire", "sections"],
        f"{group}.yaml",
    )
    ok = _questionnaire_key(ctx, m, group, cat)
    intro: Text | None = None
    if "intro" in m:
        intro = get_text(ctx, m, "intro")
        ok = ok and intro is not None
    nodes = get_list(ctx, m, "sections", nonempty=True)
    if nodes is None:
        return None
    # Items earlier in this file, in document order across sections, for `when`.
    earlier: dict[str, Seen] = {}
    sections: list[Section] = []
    section_ids: dict[str, Scalar] = {}
    for node in nodes:
        section = _section(ctx, node, cat, ids, earlier, section_ids)
        if section is None:
            ok = False
        else:
            sections.append(section)
    return Questionnaire(group, tuple(sections), intro) if ok else None


def _questionnaire_key(ctx: Ctx, m: MapNode, group: str, cat: Catalogue) -> bool:
    entry = m.entry("questionnaire")
    if entry is None:
        return False
    name = want_str(ctx, entry[1], "'questionnaire'", entry[0])
    if name is None:
        return False
    if name.casefold() not in cat.groups:
        known = ", ".join(str(n.value) for n in cat.groups.values())
        ctx.error(
            entry[1],
            f"questionnaire '{name}' is not a group of the methodology"
            f"{nearest(name, [str(n.value) for n in cat.groups.values()])}; "
            f"the groups are {known}",
        )
        return False
    if name != group:
        ctx.error(entry[1], f"questionnaire '{name}' does not match the file name {group}.yaml")
        return False
    return True


def _section(
    ctx: Ctx,
    node: Node,
    cat: Catalogue,
    ids: ItemIds,
    earlier: dict[str, Seen],
    section_ids: dict[str, Scalar],
) -> Section | None:
    sm = as_map(ctx, node, "a section")
    if sm is None:
        return None
    got = get_id(ctx, sm, ID, "section")
    what = f"section '{got[0]}'" if got else "a section"
    check_keys(ctx, sm, ["id", "title", "items"], ["id", "title", "items"], what)
    if got is not None:
        first = section_ids.get(got[0].casefold())
        if first is not None:
            ctx.error(got[1], f"duplicate section id '{got[0]}' (first at line {first.line})")
            got = None
        else:
            section_ids[got[0].casefold()] = got[1]
    title = get_text(ctx, sm, "title")
    nodes = get_list(ctx, sm, "items", nonempty=True)
    items: list[Item] = []
    ok = got is not None and title is not None and nodes is not None
    for item_node in nodes or ():
        item = _item(ctx, item_node, cat, ids, earlier)
        if item is None:
            ok = False
        else:
            items.append(item)
    if not ok or got is None or title is None:
        return None
    return Section(got[0], title, tuple(items))


def _item_type(ctx: Ctx, im: MapNode) -> str | None:
    kind = get_str(ctx, im, "type")
    if kind is not None and kind not in TYPES:
        node = im.get("type")
        assert node is not None
        ctx.error(node, f"type '{kind}' must be one of {', '.join(TYPES)}{nearest(kind, TYPES)}")
        return None
    return kind


def _foreign(kind: str) -> dict[str, str]:
    """Keys of other item types, with the types they belong to."""
    owners: dict[str, list[str]] = {}
    for other, keys in BY_TYPE.items():
        for key in keys:
            owners.setdefault(key, []).append(other)
    return {
        key: f"'{key}' belongs to {' and '.join(types)} items, not {kind} items"
        for key, types in owners.items()
        if kind not in types
    }


def _item(
    ctx: Ctx, node: Node, cat: Catalogue, ids: ItemIds, earlier: dict[str, Seen]
) -> Item | None:
    im = as_map(ctx, node, "an item")
    if im is None:
        return None
    got = get_id(ctx, im, ITEM_ID, "item")
    kind = _item_type(ctx, im)
    what = f"item '{got[0]}'" if got else "an item"
    if kind is None:
        # Without a type only the union of all keys is known; typos are still caught.
        check_keys(ctx, im, ALL_KEYS, ["id", "type", "text"], what)
    else:
        check_keys(
            ctx,
            im,
            COMMON + BY_TYPE[kind],
            ["id", "type", "text", *REQUIRED_BY_TYPE.get(kind, [])],
            f"{kind} {what}",
            _foreign(kind),
        )
    if got is not None:
        first = ids.first.get(got[0].casefold())
        if first is not None:
            ctx.error(got[1], f"duplicate item id '{got[0]}' (first at {first.path}:{first.line})")
            got = None
    text = get_text(ctx, im, "text")
    easy_read = get_text(ctx, im, "easy_read")
    help_text = get_text(ctx, im, "help")
    required = get_bool(ctx, im, "required")
    when = read_when(ctx, im, cat, earlier)
    replaces = read_replaces(ctx, im)
    ok = all(v is not None for v in (got, kind, text, required, replaces))
    ok = ok and ("easy_read" not in im or easy_read is not None)
    ok = ok and ("help" not in im or help_text is not None)
    ok = ok and ("when" not in im or when is not None)
    values: tuple[str, ...] | None = None
    extras: Extras | None = Extras()
    if kind == "scale":
        extras = read_scored(ctx, im, cat)
        if extras is not None and extras.scale is not None:
            values = cat.scale_values.get(extras.scale)
    elif kind in ("choice", "multi"):
        options = read_options(ctx, im)
        extras = None if options is None else Extras(options=options)
        values = tuple(o.value for o in options) if options is not None else None
    elif kind == "number":
        extras = read_number(ctx, im)
    elif kind == "text":
        max_length = get_int(ctx, im, "max_length", minimum=1)
        bad = "max_length" in im and max_length is None
        extras = None if bad else Extras(max_length=max_length)
    if got is None:
        return None
    seen = Seen(got[0], kind, values, ctx.report.path, got[1].line)
    ids.first[got[0].casefold()] = seen
    earlier[got[0]] = seen
    if not ok or extras is None or kind is None or text is None or required is None:
        return None
    return Item(
        id=got[0],
        type=ITEM_TYPES[kind],
        text=text,
        easy_read=easy_read,
        help=help_text,
        required=required,
        when=when,
        replaces=replaces or (),
        criterion=extras.criterion,
        scale=extras.scale,
        reverse=extras.reverse,
        weight=extras.weight,
        options=extras.options,
        min=extras.min,
        max=extras.max,
        unit=extras.unit,
        max_length=extras.max_length,
    )
