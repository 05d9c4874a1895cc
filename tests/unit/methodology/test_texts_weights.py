"""Rules 7 and 8: languages and text maps; weights, min_n, consensus, scored items."""

from __future__ import annotations

import pytest

from qms.methodology import load_methodology

from .mini import Mini, only

# Rule 7: text maps and languages.


def test_text_lacking_the_default_language_is_an_error(mini: Mini) -> None:
    mini.replace("staff.yaml", '{en: "Your role", lv: "Jūsu loma"}', '{lv: "Jūsu loma"}')
    mini.one("staff.yaml", '{lv: "Jūsu loma"}', "'text' lacks the default language 'en'")


def test_text_lacking_another_language_is_a_warning(mini: Mini) -> None:
    mini.replace("staff.yaml", '{en: "Your role", lv: "Jūsu loma"}', '{en: "Your role"}')
    mini.one("staff.yaml", '{en: "Your role"}', "'text' lacks the language lv", severity="warning")
    # Warnings do not stop loading, and the missing language falls back to the default.
    assert load_methodology(mini.folder).item("staff.role").text.get("lv") == "Your role"


def test_strict_turns_warnings_into_errors(mini: Mini) -> None:
    mini.replace("methodology.yaml", '{en: "Staff", lv: "Darbinieki"}', '{en: "Staff"}')
    (warning,) = mini.check()
    (error,) = mini.check(strict=True)
    assert warning.severity == "warning" and error.severity == "error"
    assert (warning.path, warning.line, warning.col, warning.message) == (
        error.path,
        error.line,
        error.col,
        error.message,
    )


def test_every_text_map_is_checked(mini: Mini) -> None:
    for file, old, new in [
        ("methodology.yaml", '  lv: "Mini"\n', ""),
        ("methodology.yaml", '{en: "Partly", lv: "Daļēji"}', '{en: "Partly"}'),
        ("methodology.yaml", '{en: "Not applicable", lv: "Neattiecas"}', '{en: "N/A"}'),
        ("methodology.yaml", '{en: "Starting", lv: "Sākums"}', '{en: "Starting"}'),
        ("methodology.yaml", '{en: "Workload", lv: "Slodze"}', '{en: "Workload"}'),
        ("team.yaml", '{en: "days", lv: "dienas"}', '{en: "days"}'),
        ("staff.yaml", '{en: "Thank you", lv: "Paldies"}', '{en: "Thanks"}'),
        ("staff.yaml", '{en: "About you", lv: "Par jums"}', '{en: "About you"}'),
        ("staff.yaml", '{en: "I know what we want", lv: "Es zinu, ko mēs gribam"}', "{en: x}"),
        ("staff.yaml", '{en: "The goals of this year", lv: "Šī gada mērķi"}', "{en: y}"),
        ("staff.yaml", '{en: "Nurse", lv: "Māsa"}', '{en: "Nurse"}'),
    ]:
        mini.replace(file, old, new)
    findings = mini.check()
    assert len(findings) == 11, "\n".join(map(str, findings))
    assert all(f.severity == "warning" and "lacks the language lv" in f.message for f in findings)


def test_blank_other_language_is_a_warning(mini: Mini) -> None:
    mini.replace("staff.yaml", '{en: "Your role", lv: "Jūsu loma"}', '{en: "Your role", lv: " "}')
    mini.one("staff.yaml", '{en: "Your role"', "'text' lacks the language lv", severity="warning")


def test_an_unusable_text_is_one_error_not_also_a_warning(mini: Mini) -> None:
    mini.replace("staff.yaml", '{en: "Your role", lv: "Jūsu loma"}', '{en: "Your role", lv: No}')
    mini.one("staff.yaml", "No}", "the lv text must be a text, but No reads as a boolean")


def test_unknown_language_in_a_text_map(mini: Mini) -> None:
    mini.replace(
        "staff.yaml",
        '{en: "Your role", lv: "Jūsu loma"}',
        '{en: "Your role", lv: "Jūsu loma", lt: "Jūsų vaidmuo"}',
    )
    mini.one("staff.yaml", "lt:", "unknown language 'lt'; the languages are en, lv")


def test_unknown_language_with_a_hint(mini: Mini) -> None:
    mini.replace("team.yaml", '{en: "days", lv: "dienas"}', '{en: "days", lvv: "dienas"}')
    findings = mini.check()
    # Sorted by column: the map (where the warning points) comes before its key.
    assert [(f.severity, f.message) for f in findings] == [
        ("warning", "'unit' lacks the language lv"),
        ("error", "unknown language 'lvv' (did you mean 'lv'?); the languages are en, lv"),
    ]


def test_empty_default_text(mini: Mini) -> None:
    mini.replace("staff.yaml", '{en: "Your role", lv: "Jūsu loma"}', '{en: " ", lv: "Jūsu loma"}')
    mini.one("staff.yaml", '" "', "the en text is empty")


def test_languages_not_empty(mini: Mini) -> None:
    mini.replace("methodology.yaml", "languages: [en, lv]", "languages: []")
    mini.one("methodology.yaml", "[]", "'languages' must not be empty")


def test_languages_distinct(mini: Mini) -> None:
    mini.replace("methodology.yaml", "languages: [en, lv]", "languages: [en, lv, en]")
    mini.one("methodology.yaml", "en]", "language 'en' is listed twice")


def test_language_codes(mini: Mini) -> None:
    mini.replace("methodology.yaml", "languages: [en, lv]", "languages: [en, Latvian]")
    mini.one("methodology.yaml", "Latvian", "'Latvian' is not a language code like lv, lt or en")


def test_norwegian_needs_quotes(mini: Mini) -> None:
    mini.replace("methodology.yaml", "languages: [en, lv]", "languages: [en, lv, no]")
    mini.one(
        "methodology.yaml",
        "no]",
        'a language code must be a text, but no reads as a boolean in YAML; quote it: "no"',
    )


def test_the_first_language_is_the_default(mini: Mini) -> None:
    mini.replace("methodology.yaml", "languages: [en, lv]", "languages: [lv, en]")
    assert mini.check() == []
    m = load_methodology(mini.folder)
    assert m.default_language == "lv"
    assert m.title.default == "lv"


# Rule 8: weights, min_n, consensus groups, scored items.


@pytest.mark.parametrize(
    ("file", "old", "raw", "fragment"),
    [
        ("methodology.yaml", "    weight: 2", "0", "'weight' must be greater than 0, not 0"),
        ("methodology.yaml", "    weight: 2", "-1", "'weight' must be greater than 0, not -1"),
        (
            "methodology.yaml",
            "    weight: 2",
            "true",
            "'weight' must be a number, not the boolean true",
        ),
        ("methodology.yaml", "    weight: 2", ".inf", "'weight' must be a finite number, not .inf"),
        ("methodology.yaml", "    weight: 2", ".nan", "'weight' must be a finite number, not .nan"),
        ("methodology.yaml", "    weight: 2", '"2"', "'weight' must be a number, not the text '2'"),
        ("methodology.yaml", "        weight: 2", "0.0", "'weight' must be greater than 0"),
        (
            "methodology.yaml",
            "    weight: 3",
            "no",
            "'weight' must be a number, not the boolean no",
        ),
        ("staff.yaml", "        weight: 2", "-0.5", "'weight' must be greater than 0, not -0.5"),
    ],
)
def test_weights(mini: Mini, file: str, old: str, raw: str, fragment: str) -> None:
    mini.replace(file, old + "\n", old.split(":")[0] + f": {raw}\n")
    mini.one(file, f"weight: {raw}", fragment, at=raw)


def test_fractional_weights_are_fine(mini: Mini) -> None:
    mini.replace("methodology.yaml", "    weight: 3", "    weight: 0.5")
    assert mini.check() == []
    assert load_methodology(mini.folder).node("2").weight == 0.5


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("0", "'min_n' must be at least 1, not 0"),
        ("2.5", "'min_n' must be an integer, not the number 2.5"),
        ("yes", "'min_n' must be an integer, not the boolean yes"),
    ],
)
def test_min_n(mini: Mini, raw: str, fragment: str) -> None:
    mini.replace("methodology.yaml", "    min_n: 3", f"    min_n: {raw}")
    mini.one("methodology.yaml", f"min_n: {raw}", fragment, at=raw)


def test_consensus_group_has_min_n_one(mini: Mini) -> None:
    mini.replace("methodology.yaml", "    min_n: 1", "    min_n: 2")
    mini.one("methodology.yaml", "min_n: 2", "a consensus group has min_n: 1, not 2", at="2")


def test_scored_item_needs_a_criterion(mini: Mini) -> None:
    mini.replace("staff.yaml", '        criterion: "2"\n', "")
    mini.one(
        "staff.yaml",
        "id: staff.results",
        "missing required key 'criterion' in scale item 'staff.results'",
    )


def test_unscored_items_need_none(mini: Mini) -> None:
    m = load_methodology(mini.folder)
    assert [i.criterion for i in m.items() if not i.is_scored] == [None] * 4


def test_version_must_not_be_empty(mini: Mini) -> None:
    mini.replace("methodology.yaml", 'version: "1.0"', 'version: ""')
    assert only(mini.check()).message == "'version' must not be empty"
