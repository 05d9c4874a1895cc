"""A valid methodology loads into the model with exactly the values of its files."""

from __future__ import annotations

from pathlib import Path

from qms.methodology import (
    Band,
    ChoiceOption,
    Range,
    ScaleOption,
    Text,
    When,
    check_paths,
    load_methodology,
)

from .mini import Mini

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "methodologies"


def test_the_minimal_methodology_has_no_findings(mini: Mini) -> None:
    assert mini.check(strict=True) == []


def test_the_shared_test_fixture_has_no_findings() -> None:
    assert check_paths([FIXTURES], strict=True) == []


def test_top_level_values(mini: Mini) -> None:
    m = load_methodology(mini.folder)
    assert m.id == "mini"
    assert m.version == "1.0"
    assert m.languages == ("en", "lv")
    assert m.default_language == "en"
    assert m.title == Text.of({"en": "Mini", "lv": "Mini"}, "en")


def test_groups(mini: Mini) -> None:
    m = load_methodology(mini.folder)
    team, staff = m.groups
    assert (team.id, team.mode, team.min_n, team.weight) == ("team", "consensus", 1, 1.0)
    assert team.is_consensus
    assert (staff.id, staff.mode, staff.min_n, staff.weight) == ("staff", "individual", 3, 2.0)
    assert staff.title.get("lv") == "Darbinieki"


def test_scales(mini: Mini) -> None:
    m = load_methodology(mini.folder)
    agree = m.scale("agree")
    assert agree.options == (
        ScaleOption(1, Text.of({"en": "No", "lv": "Nē"}, "en")),
        ScaleOption(2, Text.of({"en": "Partly", "lv": "Daļēji"}, "en")),
        ScaleOption(3, Text.of({"en": "Yes", "lv": "Jā"}, "en")),
    )
    assert agree.missing_codes() == ("dk", "na")
    assert agree.range is None and agree.bands == ()
    panel = m.scale("panel")
    assert panel.range == Range(0, 100, 25)
    assert panel.options == ()
    assert panel.bands == (
        Band(0, 25, Text.of({"en": "Starting", "lv": "Sākums"}, "en")),
        Band(50, 100, Text.of({"en": "Developed", "lv": "Attīstīts"}, "en")),
    )
    assert panel.values() == (0, 25, 50, 75, 100)


def test_criteria(mini: Mini) -> None:
    m = load_methodology(mini.folder)
    one, two = m.criteria
    assert one.id == "1" and one.weight == 1.0 and not one.is_leaf
    assert [(s.id, s.weight) for s in one.subcriteria] == [("1.1", 2.0), ("1.2", 1.0)]
    assert two.id == "2" and two.weight == 3.0 and two.is_leaf
    assert [leaf.id for leaf in m.leaves()] == ["1.1", "1.2", "2"]
    assert m.criterion_of("1.2").id == "1"


def test_questionnaires_and_items(mini: Mini) -> None:
    m = load_methodology(mini.folder)
    assert list(m.questionnaires) == ["team", "staff"]
    staff = m.questionnaires["staff"]
    assert staff.intro == Text.of({"en": "Thank you", "lv": "Paldies"}, "en")
    assert [s.id for s in staff.sections] == ["about", "work"]
    assert [i.id for i in staff.items] == [
        "staff.role",
        "staff.goals",
        "staff.results",
        "staff.training",
        "staff.comment",
    ]
    role = m.item("staff.role")
    assert role.type == "choice" and not role.is_scored
    # Choice values are compared as text, whether written as strings or integers.
    assert [o.value for o in role.options] == ["carer", "2"]
    assert role.options[0] == ChoiceOption(
        "carer", Text.of({"en": "Carer", "lv": "Aprūpētājs"}, "en")
    )
    goals = m.item("staff.goals")
    assert goals.is_scored
    assert (goals.scale, goals.criterion, goals.weight) == ("agree", "1.2", 2.0)
    assert (goals.reverse, goals.required) == (False, True)
    assert goals.when == When("staff.role", ("carer", "2"))
    assert goals.replaces == ("staff.aims",)
    assert goals.easy_read is not None and goals.easy_read.get("en") == "I know what we want"
    assert goals.help is not None and goals.help.get("lv") == "Šī gada mērķi"
    results = m.item("staff.results")
    assert (results.weight, results.reverse, results.required, results.when) == (
        1.0,
        False,
        False,
        None,
    )
    assert [o.value for o in m.item("staff.training").options] == ["first_aid", "rights"]
    assert m.item("staff.comment").max_length == 200
    waiting = m.item("team.waiting")
    assert (waiting.type, waiting.min, waiting.max) == ("number", 0, 365)
    assert waiting.unit == Text.of({"en": "days", "lv": "dienas"}, "en")
    assert m.item_group("team.direction") == "team"
    assert m.item_scale(m.item("team.direction")).is_range


def test_files_beside_the_methodology_are_ignored(mini: Mini) -> None:
    mini.write("notes.txt", "this: [is, not, a questionnaire\n")
    mini.write("README.md", "notes")
    (mini.folder / "old").mkdir()
    assert mini.check(strict=True) == []
    assert "notes" not in load_methodology(mini.folder).questionnaires
