"""Answer rows out of a CSV or XLSX download, whatever their layout: the long import
format (`respondent,group,item,value`, one line per answer) or one row per respondent
(a label column, then one column per item). Each group's rows become an ExportRows;
their tallies become ItemFigures too, so a download is set against the pages like any
other output (a file made from live answers differs from the release it should show).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from qms.methodology.model import Methodology
from tests.privacy.parse import csv_rows, digest, xlsx_sheets
from tests.privacy.records import (
    FULL,
    SUPPRESSED,
    Comments,
    Document,
    ExportRows,
    ItemFigure,
    Observation,
    ScoreFigure,
)

LABEL_COLUMNS = ("respondent", "label", "respondent label")
MARKERS = ("suppressed", "(suppressed)", "[suppressed]", "*", "<suppressed>")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    if text.lower() in MARKERS or text.lower().startswith("suppressed"):
        return SUPPRESSED
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return text


def _long(table: Sequence[Sequence[Any]]) -> dict[str, list[tuple[str, dict[str, str]]]]:
    groups: dict[str, dict[str, dict[str, str]]] = {}
    for raw in table[1:]:
        if len(raw) < 4:
            continue
        label, group, item, value = (_cell(v) for v in raw[:4])
        groups.setdefault(group, {}).setdefault(label, {})[item] = value
    return {g: list(rows.items()) for g, rows in groups.items()}


def _wide(
    table: Sequence[Sequence[Any]], m: Methodology, group_hint: str | None
) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """Rows of a respondent-per-row table; the group comes from a `group` column, from
    the labels (`staff-7f3k`) or from the sheet's name."""
    header = [str(h or "").strip() for h in table[0]]
    lowered = [h.lower() for h in header]
    label_at = next((i for i, h in enumerate(lowered) if h in LABEL_COLUMNS), 0)
    group_at = lowered.index("group") if "group" in lowered else None
    groups: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for raw in table[1:]:
        if not any(v not in (None, "") for v in raw):
            continue
        label = _cell(raw[label_at])
        group = (_cell(raw[group_at]) if group_at is not None else None) or group_hint
        if group is None and "-" in label:
            group = label.rsplit("-", 1)[0]
        row = {
            h: _cell(v)
            for h, v in zip(header, raw, strict=False)
            if h and lowered[header.index(h)] not in (*LABEL_COLUMNS, "group")
        }
        groups.setdefault(group or "", []).append((label, row))
    return groups


def is_long(header: Sequence[Any]) -> bool:
    return [str(h or "").strip().lower() for h in header[:4]] == [
        "respondent",
        "group",
        "item",
        "value",
    ]


def _add(
    groups: Mapping[str, list[tuple[str, dict[str, str]]]],
    source: str,
    cycle_id: int,
    m: Methodology,
    obs: Observation,
) -> list[object]:
    shown: list[object] = []
    known = {g.id for g in m.groups}
    for group, rows in groups.items():
        if group not in known:
            continue
        obs.exports.append(
            ExportRows(
                source, cycle_id, group, tuple(lb for lb, _ in rows), tuple(r for _, r in rows)
            )
        )
        shown.append((group, sorted(sorted(r.items()) for _, r in rows)))
        if m.group(group).is_consensus:
            continue
        for item in m.questionnaires[group].items:
            if not item.is_scored or not any(item.id in r for _, r in rows):
                continue
            if any(r.get(item.id) == SUPPRESSED for _, r in rows):
                continue  # answers withheld: the file's count of this item is not its own
            counts: dict[str, int] = {}
            for _, r in rows:
                value = r.get(item.id)
                if value is None or value == SUPPRESSED:
                    continue
                key = value if value else "blank"
                counts[key] = counts.get(key, 0) + 1
            counts.setdefault("blank", 0)
            counts["n"] = sum(v for k, v in counts.items() if k not in ("dk", "na", "blank"))
            obs.items.append(ItemFigure(f"{source}-rows", cycle_id, group, item.id, counts))
    return shown


def read_export(fmt: str, content: bytes, cycle_id: int, m: Methodology, obs: Observation) -> None:
    shown: list[object] = []
    if fmt == "csv":
        table = csv_rows(content)
        tables = _split(table)
        for part in tables:
            if not part:
                continue
            if is_long(part[0]):
                shown.extend(_add(_long(part), "csv", cycle_id, m, obs))
            elif _is_comments(part[0]):
                shown.extend(_comments(part, "csv", cycle_id, obs))
            elif [str(h).strip().lower() for h in part[0]] == ["note"]:
                shown.append(("note", [tuple(r) for r in part[1:]]))
            else:
                shown.extend(_add(_wide(part, m, None), "csv", cycle_id, m, obs))
    else:
        sheets = xlsx_sheets(content)
        shown.extend(xlsx_items(sheets, cycle_id, obs))
        for name, sheet in sheets.items():
            if not sheet or name in ("items", "scores"):
                continue
            if is_long(sheet[0]):
                shown.extend(_add(_long(sheet), "xlsx", cycle_id, m, obs))
            elif _is_comments(sheet[0]):
                shown.extend(_comments(sheet, "xlsx", cycle_id, obs))
            elif name in {g.id for g in m.groups} or name.startswith("answers"):
                hint = name if name in {g.id for g in m.groups} else None
                shown.extend(_add(_wide(sheet, m, hint), "xlsx", cycle_id, m, obs))
    obs.documents.append(
        Document(f"export-{fmt}", f"cycle {cycle_id}", digest(sorted(map(repr, shown))))
    )


def _split(table: list[list[str]]) -> list[list[list[str]]]:
    """A CSV may hold several tables one after another, apart by an empty line."""
    parts: list[list[list[str]]] = [[]]
    for row in table:
        if not row or not any(c.strip() for c in row):
            parts.append([])
        else:
            parts[-1].append(row)
    return [p for p in parts if p]


def _is_comments(header: Sequence[Any]) -> bool:
    lowered = [str(h or "").strip().lower() for h in header]
    return "comment" in lowered or ("text" in lowered and "item" in lowered)


def _comments(
    table: Sequence[Sequence[Any]], source: str, cycle_id: int, obs: Observation
) -> list[object]:
    header = [str(h or "").strip().lower() for h in table[0]]
    item_at = header.index("item") if "item" in header else 0
    text_at = header.index("comment") if "comment" in header else header.index("text")
    by_item: dict[str, list[str]] = {}
    for raw in table[1:]:
        by_item.setdefault(str(raw[item_at]), []).append(str(raw[text_at] or ""))
    for item, texts in by_item.items():
        obs.comments.append(Comments(source, cycle_id, item, tuple(texts)))
    return [(item, sorted(texts)) for item, texts in by_item.items()]


MISSING = ("n", "dk", "na", "blank")


def xlsx_items(
    sheets: Mapping[str, list[list[Any]]], cycle_id: int, obs: Observation
) -> list[object]:
    """The workbook's items and scores sheets (full precision)."""
    shown: list[object] = []
    rows = sheets.get("items", [])
    if rows:
        header = [str(h) for h in rows[0]]
        for raw in rows[1:]:
            rec: Mapping[str, Any] = dict(zip(header, raw, strict=False))
            counts = {k: int(rec.get(k) or 0) for k in MISSING}
            hist = rec.get("histogram")
            if hist:
                for part in str(hist).split("|"):
                    v, n = part.split(":")
                    counts[v] = int(n)
            obs.items.append(
                ItemFigure(
                    "xlsx", cycle_id, str(rec["group"]), str(rec["item"]), counts, rec.get("mean")
                )
            )
            shown.append(sorted(counts.items()))
    for raw in sheets.get("scores", [])[1:]:
        node, _title, group, _gt, score = raw[:5]
        obs.scores.append(
            ScoreFigure(
                "xlsx",
                cycle_id,
                str(node),
                str(group or "") or None,
                None if score is None else float(score),
                FULL,
            )
        )
        shown.append((node, group, score))
    return shown
