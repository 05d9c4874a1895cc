"""`qms methodology check` and `list`, through click's CliRunner on the group itself."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qms.commands.methodology import methodology

from .mini import Mini, write_methodology


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(methodology, list(args), env=env, catch_exceptions=False)


def test_check_valid_exits_0(mini: Mini) -> None:
    result = run("check", str(mini.folder))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "checked 1 methodology: 0 errors, 0 warnings\n"


def test_check_prints_findings_and_exits_1_on_an_error(mini: Mini) -> None:
    mini.replace("methodology.yaml", "    min_n: 3", "    min_n: 0")
    result = run("check", str(mini.folder))
    assert result.exit_code == 1
    line, col = mini.pos("methodology.yaml", "0\n    weight")
    assert result.stdout == (
        f"{mini.path('methodology.yaml')}:{line}:{col}: error: 'min_n' must be at least 1, not 0\n"
    )
    assert result.stderr == "checked 1 methodology: 1 error, 0 warnings\n"


def test_warnings_exit_0_and_1_with_strict(mini: Mini) -> None:
    mini.replace("staff.yaml", '{en: "Your role", lv: "Jūsu loma"}', '{en: "Your role"}')
    line, col = mini.pos("staff.yaml", '{en: "Your role"}')
    finding = f"{mini.path('staff.yaml')}:{line}:{col}: %s: 'text' lacks the language lv\n"

    lenient = run("check", str(mini.folder))
    assert (lenient.exit_code, lenient.stdout) == (0, finding % "warning")
    assert lenient.stderr == "checked 1 methodology: 0 errors, 1 warning\n"

    strict = run("check", "--strict", str(mini.folder))
    assert (strict.exit_code, strict.stdout) == (1, finding % "error")


def test_check_defaults_to_the_questionnaires_folder(tmp_path: Path) -> None:
    write_methodology(tmp_path / "mini")
    assert run("check", env={"QMS_QUESTIONNAIRES": str(tmp_path)}).exit_code == 0
    (tmp_path / "mini" / "team.yaml").write_text("questionnaire: [\n", encoding="utf-8")
    result = run("check", env={"QMS_QUESTIONNAIRES": str(tmp_path)})
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{tmp_path / 'mini' / 'team.yaml'}:2:1: error: YAML syntax")


def test_check_several_paths_and_bad_ones(tmp_path: Path) -> None:
    write_methodology(tmp_path / "a" / "mini")
    (tmp_path / "empty").mkdir()
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    result = run(
        "check",
        str(tmp_path / "a"),
        str(tmp_path / "empty"),
        str(tmp_path / "file.txt"),
        str(tmp_path / "missing"),
    )
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{tmp_path / 'empty'}:1:1: error: no methodology here: neither methodology.yaml "
        "nor folders holding one",
        f"{tmp_path / 'file.txt'}:1:1: error: not a methodology folder; name the folder that "
        "holds methodology.yaml",
        f"{tmp_path / 'missing'}:1:1: error: no such file or folder",
    ]
    assert result.stderr == "checked 1 methodology: 3 errors, 0 warnings\n"


def test_findings_are_sorted_by_path_line_col(tmp_path: Path) -> None:
    mini = write_methodology(tmp_path / "mini")
    mini.replace("team.yaml", "        max: 365", "        max: x")
    mini.replace("methodology.yaml", "    min_n: 3", "    min_n: 0")
    mini.replace("methodology.yaml", '{en: "Staff", lv: "Darbinieki"}', '{en: "Staff"}')
    lines = run("check", str(tmp_path)).stdout.splitlines()
    keys = [(p, int(line), int(col)) for p, line, col, *_ in (s.split(":") for s in lines)]
    assert len(keys) == 3
    assert keys == sorted(keys)


def test_non_utf8_and_unreadable_files_are_findings_not_tracebacks(mini: Mini) -> None:
    mini.write("team.yaml", b"questionnaire: t\xffam\n")
    result = run("check", str(mini.folder))
    assert result.exit_code == 1
    assert result.stdout == (
        f"{mini.path('team.yaml')}:1:17: error: "
        "not UTF-8 text (byte 0xff); save the file as UTF-8\n"
    )


def test_list(tmp_path: Path) -> None:
    write_methodology(tmp_path / "mini")
    broken = write_methodology(tmp_path / "broken")
    (tmp_path / "notes").mkdir()
    result = run("list", env={"QMS_QUESTIONNAIRES": str(tmp_path)})
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"broken\t-\t-\tinvalid (1 error): run `qms methodology check {broken.folder}`",
        "mini\t1.0\tMini\tteam, staff",
    ]


def test_list_shows_the_default_language_title(tmp_path: Path) -> None:
    mini = write_methodology(tmp_path / "mini")
    mini.replace("methodology.yaml", "languages: [en, lv]", "languages: [lv, en]")
    mini.replace("methodology.yaml", '  lv: "Mini"', '  lv: "Mazā\tmetodika"')
    result = run("list", env={"QMS_QUESTIONNAIRES": str(tmp_path)})
    assert result.stdout == "mini\t1.0\tMazā metodika\tteam, staff\n"


def test_list_without_a_folder(tmp_path: Path) -> None:
    result = run("list", env={"QMS_QUESTIONNAIRES": str(tmp_path / "nope")})
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


def test_exit_status_through_the_qms_entry_point(
    mini: Mini, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real `qms` runs click with standalone_mode=False; a failed check must still exit 1."""
    import sys

    from qms.cli import main

    mini.replace("methodology.yaml", "    min_n: 3", "    min_n: 0")
    monkeypatch.setattr(sys, "argv", ["qms", "methodology", "check", str(mini.folder)])
    with pytest.raises(SystemExit) as done:
        main()
    assert done.value.code == 1
