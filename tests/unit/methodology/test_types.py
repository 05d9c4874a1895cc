"""Rule 3 and the precise type rules: wrong types, with hints for YAML's surprises."""

from __future__ import annotations

import pytest

from .mini import Mini, only


def test_version_read_as_a_number(mini: Mini) -> None:
    mini.replace("methodology.yaml", 'version: "1.0"', "version: 2025.10")
    mini.one(
        "methodology.yaml",
        "2025.10",
        "'version' must be a text, but 2025.10 reads as the number 2025.1; quote it: \"2025.10\"",
    )


def test_version_read_as_a_date(mini: Mini) -> None:
    mini.replace("methodology.yaml", 'version: "1.0"', "version: 2025-10-01")
    mini.one("methodology.yaml", "2025-10-01", "reads as a date; quote it")


def test_unquoted_criterion_id(mini: Mini) -> None:
    mini.replace("methodology.yaml", 'id: "1.2"', "id: 1.10")
    findings = mini.check()
    first = findings[0]
    assert (first.path, first.line) == (
        mini.path("methodology.yaml"),
        mini.pos("methodology.yaml", "id: 1.10")[0],
    )
    assert first.col == mini.pos("methodology.yaml", "1.10")[1]
    assert first.message == (
        'sub-criterion id must be a quoted string: 1.10 reads as the number 1.1; write "1.10"'
    )


def test_unquoted_criterion_reference(mini: Mini) -> None:
    mini.replace("staff.yaml", 'criterion: "2"', "criterion: 2")
    mini.one(
        "staff.yaml",
        "criterion: 2",
        "'criterion' must be a quoted string: 2 reads as the number 2; write \"2\"",
        col=False,
    )


@pytest.mark.parametrize("word", ["No", "Yes", "on", "off"])
def test_text_read_as_a_boolean(mini: Mini, word: str) -> None:
    mini.replace("methodology.yaml", '{en: "Yes", lv: "Jā"}', f'{{en: {word}, lv: "Jā"}}')
    mini.one(
        "methodology.yaml",
        f"en: {word}",
        f'the en text must be a text, but {word} reads as a boolean in YAML; quote it: "{word}"',
        col=False,
    )


def test_text_read_as_a_number(mini: Mini) -> None:
    mini.replace("team.yaml", 'unit: {en: "days"', "unit: {en: 7")
    mini.one("team.yaml", "7", "the en text must be a text, but 7 reads as the number 7")


def test_text_map_given_as_a_plain_string(mini: Mini) -> None:
    mini.replace(
        "staff.yaml", 'text: {en: "Anything else?", lv: "Vēl kaut kas?"}', 'text: "Anything else?"'
    )
    mini.one(
        "staff.yaml",
        '"Anything else?"',
        "'text' must be a text map like {en: ..., lv: ...}, not the text 'Anything else?'",
    )


def test_integer_expected_but_boolean(mini: Mini) -> None:
    mini.replace("methodology.yaml", "    min_n: 3", "    min_n: true")
    mini.one("methodology.yaml", "true", "'min_n' must be an integer, not the boolean true")


def test_integer_expected_but_quoted(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      - value: 2\n", '      - value: "2"\n')
    mini.one(
        "methodology.yaml", '"2"', "'value' must be an integer, not the text '2'; remove the quotes"
    )


def test_integer_expected_but_float(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      step: 25", "      step: 2.5")
    mini.one("methodology.yaml", "2.5", "'step' must be an integer, not the number 2.5")


def test_list_expected(mini: Mini) -> None:
    mini.replace("methodology.yaml", "languages: [en, lv]", "languages: en")
    findings = mini.check()
    assert str(findings[0]).endswith("error: 'languages' must be a list, not the text 'en'")
    assert findings[0].line == mini.pos("methodology.yaml", "languages: en")[0]


def test_empty_value_points_at_its_key(mini: Mini) -> None:
    mini.replace("methodology.yaml", "    mode: individual", "    mode:")
    mini.one("methodology.yaml", "mode:", "'mode' has no value", nth=2)


def test_boolean_expected(mini: Mini) -> None:
    mini.replace("staff.yaml", "        reverse: false", "        reverse: 0")
    mini.one(
        "staff.yaml", "reverse: 0", "'reverse' must be true or false, not the number 0", at="0"
    )


def test_item_type_has_no_default_and_a_closed_set(mini: Mini) -> None:
    mini.replace("team.yaml", "        type: number", "        type: numbr")
    mini.one(
        "team.yaml",
        "numbr",
        "type 'numbr' must be one of scale, choice, multi, text, number (did you mean 'number'?)",
    )


def test_mode_is_consensus_or_individual(mini: Mini) -> None:
    mini.replace("methodology.yaml", "    mode: individual", "    mode: individuals")
    mini.one(
        "methodology.yaml",
        "individuals",
        "mode must be consensus or individual, not 'individuals' (did you mean 'individual'?)",
    )


def test_number_item_bounds(mini: Mini) -> None:
    mini.replace("team.yaml", "        max: 365", "        max: -1")
    mini.one("team.yaml", "-1", "'max' (-1) must be greater than 'min' (0)")


def test_number_item_bound_is_a_number(mini: Mini) -> None:
    mini.replace("team.yaml", "        min: 0", "        min: zero")
    mini.one("team.yaml", "zero", "'min' must be a number, not the text 'zero'")


def test_max_length_at_least_one(mini: Mini) -> None:
    mini.replace("staff.yaml", "max_length: 200", "max_length: 0")
    mini.one("staff.yaml", "max_length: 0", "'max_length' must be at least 1, not 0", col=False)


def test_replaces_holds_item_ids(mini: Mini) -> None:
    mini.replace("staff.yaml", "replaces: [staff.aims]", "replaces: [Staff Aims]")
    mini.one("staff.yaml", "Staff Aims", "replaced item id 'Staff Aims' must match")


def test_one_broken_part_does_not_hide_another(mini: Mini) -> None:
    mini.replace("methodology.yaml", "    min_n: 3", "    min_n: 0")
    mini.replace("team.yaml", "        max: 365", "        max: x")
    findings = mini.check()
    assert [(f.path, f.message) for f in findings] == [
        (mini.path("methodology.yaml"), "'min_n' must be at least 1, not 0"),
        (mini.path("team.yaml"), "'max' must be a number, not the text 'x'"),
    ]
    assert (
        only([f for f in findings if f.path.endswith("team.yaml")]).line
        == mini.pos("team.yaml", "max: x")[0]
    )


def test_messages_stay_on_one_line(mini: Mini) -> None:
    long_id = "x" * 5000
    mini.replace("methodology.yaml", "  - id: agree\n", '  - id: "agree\\nX' + long_id + '"\n')
    finding = only([f for f in mini.check() if "scale id" in f.message])
    assert "\n" not in str(finding)
    assert "agree\\nX" in finding.message
    assert len(finding.message) < 400
