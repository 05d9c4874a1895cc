"""Rules 1 and 9: YAML syntax, tabs, duplicate keys, and hostile input."""

from __future__ import annotations

import time

import pytest
import yaml

from qms.methodology import MAX_BYTES, MethodologyError, load_from_files, load_methodology, yamlsafe

from .mini import FILES, Mini, only

PARSERS = [yaml.SafeLoader, *([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])]


@pytest.fixture(params=PARSERS, ids=lambda loader: loader.__name__)
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Findings must not depend on whether PyYAML was built with libyaml."""
    monkeypatch.setattr(yamlsafe, "LOADER", request.param)


pytestmark = pytest.mark.usefixtures("parser")


def test_syntax_error_has_its_position(mini: Mini) -> None:
    mini.replace(
        "staff.yaml",
        '    title: {en: "About you", lv: "Par jums"}',
        '    title: {en: "About you", lv: "Par jums"',
    )
    finding = only(mini.check())
    assert finding.path == mini.path("staff.yaml")
    assert finding.message.startswith("YAML syntax error")
    # The parser notices the unclosed flow mapping where the next key begins.
    assert finding.line == mini.pos("staff.yaml", "    items:")[0]


def test_mapping_value_where_none_is_allowed(mini: Mini) -> None:
    mini.replace("methodology.yaml", "mode: individual", "mode: individual: yes")
    mini.one("methodology.yaml", ": yes", "YAML syntax error: mapping values are not allowed")


def test_tab_in_indentation(mini: Mini) -> None:
    mini.replace("team.yaml", "        type: number", "\ttype: number")
    mini.one("team.yaml", "\ttype", "tab character", col=True)


def test_tab_after_a_colon(mini: Mini) -> None:
    mini.replace("team.yaml", "max: 365", "max:\t365")
    finding = mini.one("team.yaml", "\t365", "tab character")
    assert finding.col == mini.pos("team.yaml", "\t365")[1]


def test_tab_inside_quoted_text_is_text(mini: Mini) -> None:
    mini.replace("team.yaml", '"days"', '"da\tys"')
    assert mini.check() == []
    unit = load_methodology(mini.folder).item("team.waiting").unit
    assert unit is not None and unit.get("en") == "da\tys"


def test_tab_inside_a_plain_text(mini: Mini) -> None:
    # libyaml would accept it, PyYAML not: refused under both, so both agree.
    mini.replace("methodology.yaml", "    mode: individual", "    mode: indi\tvidual")
    mini.one("methodology.yaml", "\tvidual", "tab character")


def test_duplicate_key(mini: Mini) -> None:
    mini.replace("staff.yaml", "        weight: 2\n", "        weight: 2\n        weight: 3\n")
    finding = mini.one("staff.yaml", "weight: 3", "duplicate key 'weight'")
    assert f"first at line {mini.pos('staff.yaml', 'weight: 2')[0]}" in finding.message


def test_duplicate_key_in_a_flow_mapping(mini: Mini) -> None:
    mini.replace(
        "methodology.yaml",
        '{en: "Staff", lv: "Darbinieki"}',
        '{en: "Staff", lv: "Darbinieki", en: "Staff 2"}',
    )
    mini.one("methodology.yaml", 'en: "Staff 2"', "duplicate key 'en'")


def test_a_list_as_a_key(mini: Mini) -> None:
    mini.replace("methodology.yaml", "languages: [en, lv]", "languages: [en, lv]\n? [a, b]\n: 1")
    mini.one("methodology.yaml", "[a, b]", "a key must be a plain name")


def test_empty_file(mini: Mini) -> None:
    mini.write("team.yaml", "")
    mini.one("team.yaml", "", "file is empty")


def test_file_of_comments_only(mini: Mini) -> None:
    mini.write("team.yaml", "# nothing yet\n")
    mini.one("team.yaml", "#", "file is empty")


def test_two_documents(mini: Mini) -> None:
    mini.write("team.yaml", mini.text("team.yaml") + "---\nquestionnaire: team\n")
    mini.one("team.yaml", "---", "one YAML document")


def test_not_utf8(mini: Mini) -> None:
    text = mini.text("team.yaml").encode().replace(b"days", b"d\xe9ys")
    mini.write("team.yaml", text)
    finding = only(mini.check())
    line = text[: text.index(b"\xe9")].count(b"\n") + 1
    # The column counts bytes: no characters can be told apart in a file that is not UTF-8.
    column = text.split(b"\n")[line - 1].index(b"\xe9") + 1
    assert (finding.path, finding.line, finding.col) == (mini.path("team.yaml"), line, column)
    assert "not UTF-8 text (byte 0xe9)" in finding.message


def test_control_character(mini: Mini) -> None:
    mini.replace("team.yaml", '"days"', '"da\x07ys"')
    mini.one("team.yaml", "\x07", "is not allowed in YAML")


def test_top_level_must_be_a_mapping(mini: Mini) -> None:
    mini.write("team.yaml", "- questionnaire: team\n")
    mini.one("team.yaml", "- ", "team.yaml must be a mapping, not a list")


def test_a_missing_methodology_yaml_is_not_a_methodology(mini: Mini) -> None:
    (mini.folder / "methodology.yaml").unlink()
    finding = only(mini.check())
    assert (finding.path, finding.line, finding.col) == (str(mini.folder), 1, 1)
    assert "no methodology here" in finding.message


def test_an_unreadable_group_file_is_reported_once(mini: Mini) -> None:
    (mini.folder / "team.yaml").unlink()
    (mini.folder / "team.yaml").mkdir()  # exists, but is not a file to read
    finding = only(mini.check())
    assert finding.path == mini.path("methodology.yaml")
    assert "group 'team' has no file team.yaml" in finding.message


# Rule 9: hostile input fails fast and cleanly.


def _fast(mini: Mini) -> list[str]:
    started = time.perf_counter()
    lines = mini.lines()
    with pytest.raises(MethodologyError):
        load_methodology(mini.folder)
    # A guard for the safety property (nothing expands, nothing runs), not a benchmark.
    assert time.perf_counter() - started < 1.0
    return lines


BILLION_LAUGHS = """\
questionnaire: team
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
sections: *i
"""


def test_alias_bomb_is_refused_at_its_first_anchor(mini: Mini) -> None:
    mini.write("team.yaml", BILLION_LAUGHS)
    lines = _fast(mini)
    assert lines[0] == f"{mini.path('team.yaml')}:2:4: error: YAML anchor &a is not allowed"
    assert all(": error: YAML " in line for line in lines)
    assert len(lines) <= 20


def test_alias_without_anchor_is_refused(mini: Mini) -> None:
    mini.replace("methodology.yaml", "    min_n: 3", "    min_n: *three")
    # PyYAML itself rejects an undefined alias, but only after we have refused it.
    mini.one("methodology.yaml", "*three", "YAML alias *three is not allowed")


def test_anchor_alone_is_refused(mini: Mini) -> None:
    mini.replace("methodology.yaml", "    min_n: 3", "    min_n: &n 3")
    mini.one("methodology.yaml", "&n 3", "YAML anchor &n is not allowed")


def test_python_tag_is_refused_and_never_run(mini: Mini) -> None:
    mini.replace(
        "team.yaml",
        "questionnaire: team",
        "questionnaire: !!python/object/apply:os.system ['touch pwned']",
    )
    lines = _fast(mini)
    line, col = mini.pos("team.yaml", "!!python")
    assert lines == [
        f"{mini.path('team.yaml')}:{line}:{col}: error: YAML tag "
        "!!python/object/apply:os.system is not allowed: tags that construct objects are refused"
    ]
    assert not (mini.folder / "pwned").exists()


def test_local_tag_is_refused(mini: Mini) -> None:
    mini.replace("team.yaml", "max: 365", "max: !days 365")
    mini.one("team.yaml", "!days", "YAML tag !days is not allowed")


def test_standard_tag_is_refused_too(mini: Mini) -> None:
    # Consistent rather than clever: no tag at all is accepted; quotes say "text".
    mini.replace("methodology.yaml", 'version: "1.0"', "version: !!str 1.0")
    mini.one("methodology.yaml", "!!str", "YAML tag !!str is not allowed; quote the value")


def test_file_over_the_limit_is_refused_before_parsing(mini: Mini) -> None:
    mini.write("staff.yaml", "# " + "x" * (2 * 1024 * 1024 - 3) + "\n")
    lines = _fast(mini)
    assert lines == [
        f"{mini.path('staff.yaml')}:1:1: error: file is 2,097,152 bytes; "
        "the limit is 1,048,576 bytes"
    ]


def test_limit_is_exactly_one_mebibyte(mini: Mini) -> None:
    padding = MAX_BYTES - len(mini.text("team.yaml").encode()) - 2
    mini.write("team.yaml", mini.text("team.yaml") + "#" + "x" * padding + "\n")
    assert len((mini.folder / "team.yaml").read_bytes()) == MAX_BYTES
    assert mini.check() == []
    mini.write("team.yaml", mini.text("team.yaml") + "\n")
    assert "the limit is 1,048,576 bytes" in only(mini.check()).message


def test_snapshot_texts_over_the_limit_are_refused() -> None:
    files = dict(FILES, **{"team.yaml": FILES["team.yaml"] + "#" + "é" * MAX_BYTES})
    with pytest.raises(MethodologyError) as caught:
        load_from_files("mini", files)
    assert str(caught.value) == (
        "mini/team.yaml:1:1: error: file is larger than the limit of 1,048,576 bytes"
    )


@pytest.mark.parametrize(
    ("raw", "meaning"),
    [
        ("010", "reads it in another base"),
        ("0x10", "reads it in another base"),
        ("1_000", "drops the underscores"),
        ("1:30", "reads it in base 60"),
        ("1" * 5000, "too long"),
    ],
)
def test_numbers_yaml_11_reads_surprisingly_are_refused(mini: Mini, raw: str, meaning: str) -> None:
    mini.replace("team.yaml", "max: 365", f"max: {raw}")
    finding = mini.one("team.yaml", raw, "is ambiguous: YAML 1.1 ")
    assert meaning in finding.message


def test_deep_nesting_is_refused_fast(mini: Mini) -> None:
    depth = 500_000  # PyYAML alone would scan this for hours (quadratic in the depth)
    mini.replace("team.yaml", "max: 365", "max: " + "[" * depth + "]" * depth)
    lines = _fast(mini)
    line, col = mini.pos("team.yaml", "[")
    assert lines == [
        f"{mini.path('team.yaml')}:{line}:{col + 64}: error: nested deeper than 64 levels"
    ]


def test_deep_nesting_with_spaces_is_refused_too(mini: Mini) -> None:
    mini.replace("team.yaml", "max: 365", "max: " + "[ \n" * 65 + "1" + "]" * 65)
    line, _ = mini.pos("team.yaml", "max: [")
    assert mini.lines() == [
        f"{mini.path('team.yaml')}:{line + 64}:1: error: nested deeper than 64 levels"
    ]


def test_sixty_four_levels_are_parsed(mini: Mini) -> None:
    # The file's own mapping and sequences come on top of 60 brackets: 64 levels at most.
    mini.replace("team.yaml", "max: 365", "max: " + "[" * 59 + "1" + "]" * 59)
    assert "'max' must be a number, not a list" in only(mini.check()).message


def test_moderate_nesting_is_only_a_type_error(mini: Mini) -> None:
    mini.replace("team.yaml", "max: 365", "max: [[[[[1]]]]]")
    mini.one("team.yaml", "[[[[[1", "'max' must be a number, not a list")
