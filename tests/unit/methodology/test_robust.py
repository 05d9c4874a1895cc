"""Never a traceback: any mangled methodology gives findings, or loads."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qms.methodology import MethodologyError, load_from_files

from .mini import FILES

TOKENS = [
    "", "[", "]", "{", "}", ":", ": ", "- ", "-", ",", "&a ", "*a", "!!str ", "!x ", "\t", "~",
    "yes", "No", "1.5", "-1", "0", "1.10", "null", "''", "'x'", '"', "'", "\n", "#", "? ",
    "|\n", ">", "%", "@", "\ufeff", "é", "\x00", "\x85", "2025-01-01", ".inf", "010", "1_0",
    "{}", "[]", "id: x\n", "  ", "    ", "value: 1\n", "label: {en: x}\n",
]  # fmt: skip


@st.composite
def mangled(draw: st.DrawFn) -> dict[str, str]:
    files = dict(FILES)
    for _ in range(draw(st.integers(1, 3))):
        name = draw(st.sampled_from(sorted(files)))
        text = files[name]
        lines = text.split("\n")
        op = draw(st.sampled_from(["insert", "delete_line", "copy_line", "cut", "swap_lines"]))
        if op == "insert":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + draw(st.sampled_from(TOKENS)) + text[at:]
        elif op == "cut":
            at = draw(st.integers(0, len(text)))
            text = text[:at] + text[at + draw(st.integers(1, 40)) :]
        else:
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "delete_line":
                del lines[i]
            elif op == "copy_line":
                lines.insert(j, lines[i])
            else:
                lines[i], lines[j] = lines[j], lines[i]
            text = "\n".join(lines)
        files[name] = text
    return files


@settings(max_examples=400, deadline=None)
@given(mangled())
def test_mangled_files_give_findings_or_load(files: dict[str, str]) -> None:
    findings = []
    try:
        load_from_files("mini", files)
    except MethodologyError as exc:
        findings = exc.findings
        # Raised only for an error; a load that succeeds must not have hidden one.
        assert any(f.severity == "error" for f in findings)
    assert all(f.line >= 1 and f.col >= 1 for f in findings)
    assert all(f.path.startswith("mini/") for f in findings)
