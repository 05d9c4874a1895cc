"""Rule 2 and the first half of rule 3: unknown keys (with the nearest valid one) and
missing required keys."""

from __future__ import annotations

import pytest

from .mini import Mini, only

# Rule 2: unknown keys.


def test_unknown_key_with_a_hint(mini: Mini) -> None:
    mini.replace("staff.yaml", 'criterion: "1.2"', 'critrion: "1.2"')
    findings = mini.check()
    assert [str(f) for f in findings] == [
        f"{mini.path('staff.yaml')}:{mini.pos('staff.yaml', '- id: staff.goals')[0]}:9: "
        "error: missing required key 'criterion' in scale item 'staff.goals'",
        f"{mini.path('staff.yaml')}:{mini.pos('staff.yaml', 'critrion')[0]}:9: "
        "error: unknown key 'critrion' (did you mean 'criterion'?)",
    ]


def test_unknown_key_without_a_close_match(mini: Mini) -> None:
    mini.replace("methodology.yaml", 'version: "1.0"', 'version: "1.0"\nauthor: me')
    finding = mini.one("methodology.yaml", "author", "unknown key 'author'")
    assert "did you mean" not in finding.message


@pytest.mark.parametrize(
    ("file", "old", "new", "fragment"),
    [
        (
            "methodology.yaml",
            "    min_n: 3",
            "    min_n: 3\n    wieght: 2",
            "'wieght' (did you mean 'weight'?)",
        ),
        (
            "methodology.yaml",
            "      step: 25",
            "      step: 25\n      stp: 5",
            "'stp' (did you mean 'step'?)",
        ),
        (
            "methodology.yaml",
            "        to: 25",
            "        to: 25\n        too: 25",
            "'too' (did you mean 'to'?)",
        ),
        (
            "methodology.yaml",
            "      - code: dk",
            "      - code: dk\n        cod: na",
            "'cod' (did you mean 'code'?)",
        ),
        (
            "methodology.yaml",
            "    weight: 3",
            "    weight: 3\n    subcriterion: []",
            "'subcriterion' (did you mean 'subcriteria'?)",
        ),
        ("staff.yaml", "intro:", "intra: 1\nintro:", "'intra' (did you mean 'intro'?)"),
        (
            "staff.yaml",
            "  - id: work",
            "  - id: work\n    titel: x",
            "'titel' (did you mean 'title'?)",
        ),
        (
            "staff.yaml",
            "        required: true",
            "        required: true\n        reqired: true",
            "'reqired' (did you mean 'required'?)",
        ),
        (
            "staff.yaml",
            "          in: [carer, 2]",
            "          in: [carer, 2]\n          items: x",
            "'items' (did you mean 'item'?)",
        ),
        (
            "staff.yaml",
            "          - value: rights",
            "          - value: rights\n            lable: x",
            "'lable' (did you mean 'label'?)",
        ),
    ],
)
def test_unknown_keys_everywhere(mini: Mini, file: str, old: str, new: str, fragment: str) -> None:
    mini.replace(file, old, new)
    bad = fragment.split("'")[1]
    added = next(line.strip() for line in new.splitlines() if line.strip().startswith(bad))
    mini.one(file, added, f"unknown key {fragment}")


def test_sub_criteria_not_empty(mini: Mini) -> None:
    mini.replace("methodology.yaml", "    weight: 3", "    weight: 3\n    subcriteria: []")
    mini.one("methodology.yaml", "[]", "'subcriteria' must not be empty")


def test_sub_criteria_do_not_nest(mini: Mini) -> None:
    mini.replace(
        "methodology.yaml",
        '        title: {en: "Workload", lv: "Slodze"}',
        '        title: {en: "Workload", lv: "Slodze"}\n        subcriteria: []',
    )
    mini.one("methodology.yaml", "subcriteria: []", "sub-criteria cannot be nested")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        # A key of another item type is an unknown key, with where it belongs.
        (
            "        max_length: 200",
            "        max_length: 200\n        scale: agree5",
            "unknown key 'scale' for text item 'staff.comment' ('scale' belongs to scale items, "
            "not text items)",
        ),
        (
            '        criterion: "2"',
            '        criterion: "2"\n        options: []',
            "unknown key 'options' for scale item 'staff.results' ('options' belongs to choice "
            "and multi items, not scale items)",
        ),
        (
            "        max_length: 200",
            "        max_length: 200\n        min: 1",
            "'min' belongs to number items, not text items",
        ),
        (
            "        type: multi",
            "        type: multi\n        weight: 7",
            "'weight' belongs to scale items, not multi items",
        ),
        (
            "        type: multi",
            '        type: multi\n        criterion: "9"',
            "'criterion' belongs to scale items, not multi items",
        ),
    ],
)
def test_keys_of_another_item_type(mini: Mini, old: str, new: str, fragment: str) -> None:
    mini.replace("staff.yaml", old, new)
    mini.one("staff.yaml", new.splitlines()[-1].strip(), fragment)


def test_max_length_on_a_number_item(mini: Mini) -> None:
    mini.replace("team.yaml", "        max: 365", "        max: 365\n        max_length: 3")
    mini.one("team.yaml", "max_length", "'max_length' belongs to text items, not number items")


def test_item_without_a_type_still_catches_typos(mini: Mini) -> None:
    mini.replace("team.yaml", "        type: number\n", "        unti: 3\n")
    findings = mini.check()
    assert [(f.line, f.message) for f in findings] == [
        (
            mini.pos("team.yaml", "- id: team.waiting")[0],
            "missing required key 'type' in item 'team.waiting'",
        ),
        (mini.pos("team.yaml", "unti")[0], "unknown key 'unti' (did you mean 'unit'?)"),
    ]


# Rule 3: missing required keys, at the mapping that lacks them.


@pytest.mark.parametrize(
    ("file", "old", "new", "anchor", "fragment"),
    [
        (
            "methodology.yaml",
            'version: "1.0"\n',
            "",
            "methodology:",
            "'version' in methodology.yaml",
        ),
        ("methodology.yaml", "    mode: individual\n", "", "id: staff", "'mode' in group 'staff'"),
        ("methodology.yaml", "    min_n: 3\n", "", "id: staff", "'min_n' in group 'staff'"),
        (
            "methodology.yaml",
            '        label: {en: "Partly", lv: "Daļēji"}\n',
            "",
            "value: 2",
            "'label' in an option",
        ),
        (
            "methodology.yaml",
            "      - code: na\n        label",
            "      - label",
            'label: {en: "Not applicable"',
            "'code' in a missing answer",
        ),
        ("methodology.yaml", "      step: 25\n", "", "min: 0", "'step' in a range"),
        ("methodology.yaml", "        to: 25\n", "", "from: 0", "'to' in a band"),
        (
            "methodology.yaml",
            '    title: {en: "Results", lv: "Rezultāti"}\n',
            "",
            'id: "2"',
            "'title' in criterion '2'",
        ),
        ("team.yaml", "questionnaire: team\n", "", "sections:", "'questionnaire' in team.yaml"),
        (
            "team.yaml",
            '    title: {en: "Maturity", lv: "Briedums"}\n',
            "",
            "id: maturity",
            "'title' in section 'maturity'",
        ),
        (
            "team.yaml",
            '        text: {en: "Direction is clear", lv: "Virziens ir skaidrs"}\n',
            "",
            "id: team.direction",
            "'text' in scale item 'team.direction'",
        ),
        (
            "team.yaml",
            "        scale: panel\n",
            "",
            "id: team.direction",
            "'scale' in scale item 'team.direction'",
        ),
        (
            "team.yaml",
            '        criterion: "1.1"\n',
            "",
            "id: team.direction",
            "'criterion' in scale item 'team.direction'",
        ),
        ("staff.yaml", "          item: staff.role\n", "", "in: [carer", "'item' in 'when'"),
        ("staff.yaml", "          in: [carer, 2]\n", "", "item: staff.role", "'in' in 'when'"),
    ],
)
def test_missing_required_key(
    mini: Mini, file: str, old: str, new: str, anchor: str, fragment: str
) -> None:
    mini.replace(file, old, new)
    finding = only(mini.check())
    line, col = mini.pos(file, anchor)
    assert (finding.path, finding.line, finding.col) == (mini.path(file), line, col)
    assert finding.message == f"missing required key {fragment}"


def test_missing_options_of_a_choice(mini: Mini) -> None:
    text = mini.text("staff.yaml")
    start = text.index("        options:\n          - value: carer")
    end = text.index("  - id: work")
    mini.write("staff.yaml", text[:start] + text[end:])
    mini.one("staff.yaml", "id: staff.role", "missing required key 'options' in choice item")


def test_range_scale_needs_bands(mini: Mini) -> None:
    text = mini.text("methodology.yaml")
    mini.write(
        "methodology.yaml", text[: text.index("    bands:")] + text[text.index("criteria:") :]
    )
    mini.one("methodology.yaml", "id: panel", "missing required key 'bands' in scale 'panel'")


def test_empty_sections(mini: Mini) -> None:
    mini.write("team.yaml", "questionnaire: team\nsections: []\n")
    mini.one("team.yaml", "[]", "'sections' must not be empty")


def test_empty_items(mini: Mini) -> None:
    text = mini.text("team.yaml")
    mini.write("team.yaml", text[: text.index("    items:")] + "    items: []\n")
    mini.one("team.yaml", "[]", "'items' must not be empty")
