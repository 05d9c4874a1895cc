"""Snapshots: the texts a cycle stores, their hash, and loading them back; discovery."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qms.methodology import (
    MethodologyError,
    discover,
    load_from_files,
    load_methodology,
    read_files,
    snapshot_hash,
)

from .mini import FILES, Mini, write_methodology


def test_read_files_holds_methodology_and_group_files_only(mini: Mini) -> None:
    mini.write("notes.txt", "anything: [")
    mini.write("staff.yml", "questionnaire: staff\n")
    assert read_files(mini.folder) == FILES


def test_read_files_keeps_the_exact_text(mini: Mini) -> None:
    text = "\ufeff" + mini.text("team.yaml").replace("\n", "\r\n")
    mini.write("team.yaml", text)
    assert read_files(mini.folder)["team.yaml"] == text
    assert load_methodology(mini.folder).item("team.waiting").max == 365


def test_load_from_files_equals_load_methodology(mini: Mini) -> None:
    from_folder = load_methodology(mini.folder)
    from_files = load_from_files("mini", read_files(mini.folder))
    assert from_files == from_folder
    assert from_files.item("staff.goals") == from_folder.item("staff.goals")


def test_load_from_files_reports_under_the_given_name() -> None:
    files = dict(FILES, **{"team.yaml": FILES["team.yaml"].replace("max: 365", "max: x")})
    with pytest.raises(MethodologyError) as caught:
        load_from_files("mini", files)
    (finding,) = caught.value.findings
    assert finding.path == "mini/team.yaml"
    assert str(caught.value) == str(finding)


def test_load_from_files_name_plays_the_folder_name() -> None:
    with pytest.raises(MethodologyError) as caught:
        load_from_files("other", FILES)
    assert "must equal its folder name 'other'" in str(caught.value)


def test_load_from_files_without_methodology_yaml() -> None:
    with pytest.raises(MethodologyError) as caught:
        load_from_files("mini", {"team.yaml": FILES["team.yaml"]})
    assert str(caught.value) == "mini/methodology.yaml:1:1: error: missing methodology.yaml"


def test_read_files_refuses_unreadable_texts(mini: Mini) -> None:
    mini.write("staff.yaml", b"\xff\xfe")
    with pytest.raises(MethodologyError) as caught:
        read_files(mini.folder)
    assert "not UTF-8" in str(caught.value)


def test_read_files_of_a_broken_methodology_yaml(mini: Mini) -> None:
    # The texts are still read (the check reports the syntax error, not read_files).
    mini.write("methodology.yaml", "methodology: [")
    assert read_files(mini.folder) == {"methodology.yaml": "methodology: ["}


def test_errors_raise_but_warnings_do_not(mini: Mini) -> None:
    mini.replace("staff.yaml", '{en: "Your role", lv: "Jūsu loma"}', '{en: "Your role"}')
    load_methodology(mini.folder)
    mini.replace("staff.yaml", "type: choice", "type: chioce")
    with pytest.raises(MethodologyError) as caught:
        load_methodology(mini.folder)
    assert [f.severity for f in caught.value.findings] == ["error", "warning"]


def test_a_file_that_cannot_be_opened(mini: Mini, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = Path.open

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "staff.yaml":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", refuse)
    assert [str(f) for f in mini.check()] == [
        f"{mini.path('staff.yaml')}:1:1: error: cannot read the file: Permission denied"
    ]


def test_snapshot_hash_is_sha256_hex_and_changes_with_any_byte() -> None:
    digest = snapshot_hash(FILES)
    assert len(digest) == 64 and int(digest, 16) >= 0
    changed = dict(FILES, **{"team.yaml": FILES["team.yaml"] + " "})
    assert snapshot_hash(changed) != digest
    renamed = {("x" + k if k == "team.yaml" else k): v for k, v in FILES.items()}
    assert snapshot_hash(renamed) != digest


def test_snapshot_hash_separates_names_from_texts() -> None:
    # A naive concatenation would make these two equal.
    assert snapshot_hash({"a": "bc"}) != snapshot_hash({"ab": "c"})
    assert snapshot_hash({"a": "", "b": ""}) != snapshot_hash({"a": "b"})


@given(st.permutations(sorted(FILES)))
def test_snapshot_hash_ignores_dict_order(order: list[str]) -> None:
    assert snapshot_hash({name: FILES[name] for name in order}) == snapshot_hash(FILES)


def test_snapshot_hash_is_stable_across_versions() -> None:
    # Stored with every cycle: changing the encoding would orphan every stored hash.
    encoded = b"qms-methodology-snapshot-v1\n" + b"6:m.yaml5:x: 1\n" + b"7:\xc4\x81.yaml2:\xc4\x81"
    expected = hashlib.sha256(encoded).hexdigest()
    assert snapshot_hash({"\u0101.yaml": "\u0101", "m.yaml": "x: 1\n"}) == expected


def test_discover(tmp_path: Path) -> None:
    write_methodology(tmp_path / "zeta")
    write_methodology(tmp_path / "alpha")
    (tmp_path / "empty").mkdir()
    (tmp_path / "methodology.yaml.bak").write_text("x", encoding="utf-8")
    assert discover(tmp_path) == [tmp_path / "alpha", tmp_path / "zeta"]
    assert discover(tmp_path / "alpha") == [tmp_path / "alpha"]
    assert discover(tmp_path / "empty") == []
    assert discover(tmp_path / "nowhere") == []
