"""Rules 4 and 5: ids of the right form and unique; references that resolve."""

from __future__ import annotations

import pytest

from qms.methodology import MethodologyError, load_methodology

from .mini import Mini, only, write_methodology

# Rule 4: id forms.


@pytest.mark.parametrize(
    ("file", "old", "new", "fragment"),
    [
        (
            "methodology.yaml",
            "  - id: staff",
            "  - id: Staff",
            "group id 'Staff' must match [a-z][a-z0-9_-]*",
        ),
        ("methodology.yaml", "  - id: agree", "  - id: 5agree", "scale id '5agree' must match"),
        ("staff.yaml", "  - id: work", "  - id: my work", "section id 'my work' must match"),
        (
            "staff.yaml",
            "      - id: staff.goals",
            "      - id: staff/goals",
            "item id 'staff/goals' must match [a-z][a-z0-9_.-]*",
        ),
        (
            "methodology.yaml",
            'id: "1.2"',
            'id: "1..2"',
            "sub-criterion id '1..2' must be digits and letters",
        ),
        ("methodology.yaml", 'id: "2"', 'id: "2 "', "criterion id '2 ' must be digits and letters"),
    ],
)
def test_id_form(mini: Mini, file: str, old: str, new: str, fragment: str) -> None:
    mini.replace(file, old, new)
    findings = mini.check()
    bad = [f for f in findings if fragment in f.message]
    assert len(bad) == 1, "\n".join(map(str, findings))
    value = new.split("id: ")[1]
    assert (bad[0].path, bad[0].line, bad[0].col) == (mini.path(file), *mini.pos(file, value))


def test_a_group_with_a_bad_id_and_its_file(mini: Mini) -> None:
    # The file of a group whose id is refused is not read (its name is not trusted).
    mini.replace("methodology.yaml", "  - id: staff", "  - id: ../staff")
    assert [f.message for f in mini.check()] == ["group id '../staff' must match [a-z][a-z0-9_-]*"]


def test_methodology_id_form(mini: Mini) -> None:
    mini.replace("methodology.yaml", "methodology: mini", "methodology: Mini")
    mini.one("methodology.yaml", "Mini", "methodology id 'Mini' must match")


def test_methodology_id_equals_its_folder_name(mini: Mini) -> None:
    mini.replace("methodology.yaml", "methodology: mini", "methodology: maxi")
    mini.one("methodology.yaml", "maxi", "methodology id 'maxi' must equal its folder name 'mini'")


def test_the_folder_name_is_the_real_one_for_a_relative_path(
    mini: Mini, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    monkeypatch.chdir(mini.folder)
    assert load_methodology(Path(".")).id == "mini"


# Rule 4: uniqueness.


def test_duplicate_group(mini: Mini) -> None:
    mini.replace("methodology.yaml", "  - id: staff", "  - id: team")
    finding = mini.one(
        "methodology.yaml", "id: team", "duplicate group id 'team'", nth=2, at="team"
    )
    assert f"first at line {mini.pos('methodology.yaml', 'id: team')[0]}" in finding.message


def test_duplicate_scale(mini: Mini) -> None:
    mini.replace("methodology.yaml", "  - id: panel", "  - id: agree")
    mini.replace("team.yaml", "scale: panel", "scale: agree")
    mini.one("methodology.yaml", "id: agree", "duplicate scale id 'agree'", nth=2, at="agree")


def test_duplicate_section_in_a_file(mini: Mini) -> None:
    mini.replace("staff.yaml", "  - id: work", "  - id: about")
    mini.one("staff.yaml", "id: about", "duplicate section id 'about'", nth=2, at="about")


def test_same_section_id_in_two_files_is_fine(mini: Mini) -> None:
    mini.replace("staff.yaml", "  - id: work", "  - id: maturity")
    assert mini.check() == []


def test_duplicate_item_across_files(mini: Mini) -> None:
    mini.replace("staff.yaml", "      - id: staff.results", "      - id: team.direction")
    finding = mini.one("staff.yaml", "team.direction", "duplicate item id 'team.direction'")
    line = mini.pos("team.yaml", "team.direction")[0]
    assert f"(first at {mini.path('team.yaml')}:{line})" in finding.message


def test_duplicate_item_in_one_file(mini: Mini) -> None:
    mini.replace("staff.yaml", "      - id: staff.comment", "      - id: staff.training")
    finding = mini.one(
        "staff.yaml", "id: staff.training", "duplicate item id", nth=2, at="staff.training"
    )
    line = mini.pos("staff.yaml", "staff.training")[0]
    assert f"(first at {mini.path('staff.yaml')}:{line})" in finding.message


def test_duplicate_criterion_between_criterion_and_sub_criterion(mini: Mini) -> None:
    # Criteria and sub-criteria share one namespace.
    mini.replace("methodology.yaml", 'id: "1.2"', 'id: "2"')
    mini.replace("staff.yaml", 'criterion: "1.2"', 'criterion: "1.1"')
    finding = mini.one("methodology.yaml", '"2"', "duplicate criterion id '2'", nth=2)
    first = mini.pos("methodology.yaml", 'id: "2"')[0]
    assert f"first at line {first}" in finding.message


def test_criterion_ids_are_unique_case_insensitively(mini: Mini) -> None:
    mini.replace("methodology.yaml", 'id: "1.1"', 'id: "1a"')
    mini.replace("methodology.yaml", 'id: "1.2"', 'id: "1A"')
    mini.replace("staff.yaml", 'criterion: "1.2"', 'criterion: "1a"')
    mini.replace("team.yaml", 'criterion: "1.1"', 'criterion: "1a"')
    mini.one("methodology.yaml", '"1A"', "duplicate criterion id '1A'")


def test_duplicate_scale_option_value(mini: Mini) -> None:
    mini.replace("methodology.yaml", "      - value: 3", "      - value: 2")
    finding = mini.one("methodology.yaml", "value: 2", "duplicate option value 2", nth=2, at="2")
    assert f"first at line {mini.pos('methodology.yaml', 'value: 2')[0]}" in finding.message


def test_duplicate_choice_value_compared_as_text(mini: Mini) -> None:
    mini.replace("staff.yaml", "          - value: carer", '          - value: "2"')
    mini.replace("staff.yaml", "in: [carer, 2]", "in: [2]")
    mini.one("staff.yaml", "value: 2", "duplicate option value '2'", at="2")


def test_duplicate_multi_value(mini: Mini) -> None:
    mini.replace("staff.yaml", "          - value: rights", "          - value: first_aid")
    mini.one("staff.yaml", "first_aid", "duplicate option value 'first_aid'", nth=2)


def test_choice_value_must_be_text_or_integer(mini: Mini) -> None:
    mini.replace("staff.yaml", "          - value: carer", "          - value: yes")
    mini.replace("staff.yaml", "in: [carer, 2]", "in: [2]")
    mini.one(
        "staff.yaml",
        "yes",
        "an option value must be a text or an integer, but yes reads "
        'as a boolean in YAML; quote it: "yes"',
    )


# Rule 5: references.


def test_questionnaire_must_name_a_group(mini: Mini) -> None:
    mini.replace("team.yaml", "questionnaire: team", "questionnaire: tema")
    mini.one(
        "team.yaml",
        "tema",
        "questionnaire 'tema' is not a group of the methodology "
        "(did you mean 'team'?); the groups are team, staff",
    )


def test_questionnaire_must_equal_its_file_name(mini: Mini) -> None:
    mini.replace("team.yaml", "questionnaire: team", "questionnaire: staff")
    mini.one("team.yaml", "staff", "questionnaire 'staff' does not match the file name team.yaml")


def test_group_without_a_file(mini: Mini) -> None:
    (mini.folder / "staff.yaml").rename(mini.folder / "staff.yml")
    mini.one("methodology.yaml", "staff", "group 'staff' has no file staff.yaml")


def test_snapshot_without_a_group_file(mini: Mini) -> None:
    from qms.methodology import MethodologyError, load_from_files, read_files

    files = read_files(mini.folder)
    del files["team.yaml"]
    with pytest.raises(MethodologyError) as caught:
        load_from_files("mini", files)
    line, col = mini.pos("methodology.yaml", "team")
    assert str(caught.value) == (
        f"mini/methodology.yaml:{line}:{col}: error: group 'team' has no file team.yaml"
    )


def test_criterion_must_exist(mini: Mini) -> None:
    mini.replace("staff.yaml", 'criterion: "2"', 'criterion: "3"')
    mini.one("staff.yaml", '"3"', "unknown criterion '3'")


def test_criterion_must_be_a_leaf(mini: Mini) -> None:
    mini.replace("staff.yaml", 'criterion: "1.2"', 'criterion: "1"')
    mini.one(
        "staff.yaml",
        '"1"',
        "criterion '1' has sub-criteria; attach the item to one of them (1.1, 1.2)",
    )


def test_criterion_reference_with_a_hint(mini: Mini) -> None:
    mini.replace("staff.yaml", 'criterion: "1.2"', 'criterion: "1.21"')
    mini.one("staff.yaml", '"1.21"', "unknown criterion '1.21' (did you mean '1.2'?)")


def test_scale_must_exist(mini: Mini) -> None:
    mini.replace("staff.yaml", "scale: agree", "scale: agre")
    mini.one("staff.yaml", "agre\n", "unknown scale 'agre' (did you mean 'agree'?)")


def test_references_into_a_broken_list_are_not_reported_one_by_one(mini: Mini) -> None:
    text = mini.text("methodology.yaml")
    mini.write("methodology.yaml", text[: text.index("criteria:")] + "criteria: {}\n")
    assert [f.message for f in mini.check()] == ["'criteria' must be a list, not a mapping"]


def test_when_item_must_be_earlier(mini: Mini) -> None:
    mini.replace("staff.yaml", "item: staff.role", "item: staff.results")
    mini.one(
        "staff.yaml",
        "staff.results\n",
        "when.item 'staff.results' must name an earlier item of this questionnaire",
    )


def test_when_item_may_be_in_an_earlier_section(mini: Mini) -> None:
    # Document order runs across sections: staff.role is in "about", the item in "work".
    assert mini.check() == []
    assert load_methodology(mini.folder).item("staff.goals").when is not None


def test_when_item_must_not_be_itself(mini: Mini) -> None:
    mini.replace("staff.yaml", "item: staff.role", "item: staff.goals")
    mini.one("staff.yaml", "staff.goals\n", "must name an earlier item", nth=2)


def test_when_item_must_be_in_the_same_file(mini: Mini) -> None:
    mini.replace("staff.yaml", "item: staff.role", "item: team.direction")
    mini.one("staff.yaml", "team.direction", "must name an earlier item of this questionnaire")


def test_when_item_must_be_scale_or_choice(mini: Mini) -> None:
    mini.replace(
        "staff.yaml",
        "      - id: staff.comment",
        "      - id: staff.comment\n        when: {item: staff.training, in: [rights]}",
    )
    mini.one(
        "staff.yaml",
        "staff.training, in",
        "when.item 'staff.training' is a multi item; it must name a scale or choice item",
    )


def test_when_on_a_scale_item(mini: Mini) -> None:
    mini.replace(
        "staff.yaml",
        "      - id: staff.comment",
        "      - id: staff.comment\n        when: {item: staff.goals, in: [1, 2]}",
    )
    assert mini.check() == []
    assert load_methodology(mini.folder).item("staff.comment").when is not None


def test_when_in_must_name_values_of_the_item(mini: Mini) -> None:
    mini.replace("staff.yaml", "in: [carer, 2]", "in: [carer, nurse]")
    mini.one("staff.yaml", "nurse", "'nurse' is not a value of staff.role (carer, 2)")


def test_when_in_values_of_a_scale(mini: Mini) -> None:
    mini.replace(
        "staff.yaml",
        "      - id: staff.comment",
        "      - id: staff.comment\n        when: {item: staff.goals, in: [1, 4]}",
    )
    mini.one("staff.yaml", "4]", "'4' is not a value of staff.goals (1, 2, 3)")


def test_when_in_must_not_be_empty(mini: Mini) -> None:
    mini.replace("staff.yaml", "in: [carer, 2]", "in: []")
    mini.one("staff.yaml", "[]", "'in' must not be empty")


def test_two_methodologies_may_share_item_ids(tmp_path: object) -> None:
    from pathlib import Path

    from qms.methodology import check_paths

    from .mini import FILES

    root = Path(str(tmp_path))
    write_methodology(root / "mini")
    copy = dict(
        FILES, **{"methodology.yaml": FILES["methodology.yaml"].replace("mini", "other", 1)}
    )
    write_methodology(root / "other", copy)
    assert check_paths([root], strict=True) == []
    assert only(check_paths([root / "nothing"])).message == "no such file or folder"


# METHODOLOGY.md §2: every *.yaml of the folder is a group's questionnaire.


def test_a_questionnaire_of_an_undeclared_group_is_an_error_at_its_line_1(mini: Mini) -> None:
    mini.write("volunteers.yaml", mini.text("staff.yaml").replace("staff", "volunteers"))
    findings = mini.check()
    assert [(f.path, f.line, f.col, f.severity) for f in findings] == [
        (mini.path("volunteers.yaml"), 1, 1, "error")
    ]
    assert findings[0].message == (
        "questionnaire 'volunteers' is not a group of methodology.yaml (groups: team, staff); "
        "declare the group there or remove the file"
    )
    with pytest.raises(MethodologyError):
        load_methodology(mini.folder)


def test_files_of_other_extensions_are_ignored(mini: Mini) -> None:
    mini.write("notes.txt", "questionnaire: volunteers\n")
    mini.write("volunteers.yml.bak", "questionnaire: volunteers\n")
    assert mini.check() == []
