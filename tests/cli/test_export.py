"""`qms export`: the CSV re-imports to the same scores, nothing below min_n leaves, the
workbook and the report open, and bad input is one line."""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

Qms = Callable[..., Any]

# staff (min_n 3): staff.night is shown to the three nurses (reportable, so staff.role must
# go out with it); staff.pressure has two answers (not reportable). clients (min_n 2): one
# respondent, so the whole group is below its minimum. anna is a working-group member.
ANSWERS = """respondent,group,item,value
s1,staff,staff.role,carer
s1,staff,staff.goals,7
s1,staff,staff.pressure,2
s1,staff,staff.training,first_aid|rights
s1,staff,staff.years,3
s1,staff,staff.comment,Anna room 3
s2,staff,staff.role,nurse
s2,staff,staff.goals,4
s2,staff,staff.pressure,1
s2,staff,staff.night,4
s3,staff,staff.role,nurse
s3,staff,staff.goals,dk
s3,staff,staff.night,7
s4,staff,staff.role,nurse
s4,staff,staff.goals,
s4,staff,staff.night,1
s5,staff,staff.role,other
s5,staff,staff.goals,7
c1,clients,clients.respect,3
c1,clients,clients.outcome,2
consensus,organisation,org.direction,75
consensus,organisation,org.workload,50
consensus,organisation,org.results,100
consensus,organisation,org.waiting,"12,5"
consensus,organisation,org.evidence,Minutes of the board
anna,organisation,org.direction,0
anna,organisation,org.workload,0
"""


def _scores(qms: Qms, cycle: int) -> dict[str, Any]:
    outcome = qms("scores", "--cycle", str(cycle), "--format", "json")
    assert outcome.code == 0, outcome.err
    doc: dict[str, Any] = json.loads(outcome.out)
    return doc


@pytest.fixture
def cycle(qms: Qms, new_cycle: Callable[..., int], tmp_path: Path) -> int:
    made: int = new_cycle(qms)
    path = tmp_path / "answers.csv"
    path.write_text(ANSWERS, encoding="utf-8")
    imported = qms("responses", "import", "--cycle", str(made), str(path))
    assert imported.code == 0, imported.err
    return made


def test_csv_export_reimports_to_the_same_scores_and_leaves_small_groups_out(
    qms: Qms, new_cycle: Callable[..., int], cycle: int, tmp_path: Path
) -> None:
    out = tmp_path / "export.csv"
    done = qms("export", "--cycle", str(cycle), "--format", "csv", "-o", str(out))
    assert done.code == 0, done.err
    text = out.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "respondent,group,item,value"
    # Nothing of the group below its minimum, of the item below it, of members' entries,
    # of free text; respondents are renamed; the condition of staff.night goes along.
    assert ",clients," not in text and "staff.pressure" not in text
    assert "anna" not in text and "assessor" not in text and "Anna room 3" not in text
    assert "staff.training" not in text and "staff.years" not in text
    assert "s1," not in text and "staff-0001,staff,staff.role,carer" in lines
    assert "staff-0004,staff,staff.goals," in lines  # a blank stays a blank
    assert "consensus,organisation,org.waiting,12.5" in lines
    assert "consensus,organisation,org.evidence,Minutes of the board" in lines

    fresh = new_cycle(qms, org="Cits centrs", year=2025)
    back = qms("responses", "import", "--cycle", str(fresh), str(out))
    assert back.code == 0, back.err
    before, after = _scores(qms, cycle), _scores(qms, fresh)
    assert after["scores"] == before["scores"]
    assert after["overall"] == before["overall"]
    reportable = [i for i in before["items"] if i["reportable"]]
    assert [i for i in after["items"] if i["reportable"]] == reportable
    assert {(i["group"], i["item"]) for i in reportable} == {
        ("organisation", "org.direction"), ("organisation", "org.workload"),
        ("organisation", "org.results"), ("staff", "staff.goals"), ("staff", "staff.night"),
    }
    assert any(s["score"] is not None for s in before["scores"] if s["group"] == "staff")


def test_csv_goes_to_standard_output_without_a_file(qms: Qms, cycle: int) -> None:
    done = qms("export", "--cycle", str(cycle), "--format", "csv")
    assert done.code == 0, done.err
    assert "respondent,group,item,value" in done.out and "clients" not in done.out


def test_xlsx_has_the_three_sheets_and_no_values_below_min_n(
    qms: Qms, cycle: int, tmp_path: Path
) -> None:
    out = tmp_path / "export.xlsx"
    done = qms("export", "--cycle", str(cycle), "--format", "xlsx", "-o", str(out))
    assert done.code == 0, done.err
    book = load_workbook(io.BytesIO(out.read_bytes()), read_only=True)
    assert book.sheetnames == ["scores", "items", "answers"]
    items = list(book["items"].iter_rows(values_only=True))
    header = items[0]
    assert header[:5] == ("group", "item", "text", "criterion", "n")
    rows = {(r[0], r[1]): dict(zip(header, r, strict=True)) for r in items[1:]}
    small = rows[("clients", "clients.respect")]
    assert small["n"] == 1 and small["reportable"] is False
    assert all(small[k] is None for k in ("mean", "sd", "ci_low", "top_box", "histogram"))
    assert rows[("staff", "staff.pressure")]["mean"] is None
    goals = rows[("staff", "staff.goals")]
    assert goals["n"] == 3 and goals["mean"] == pytest.approx(500 / 6)
    answers = list(book["answers"].iter_rows(values_only=True))
    assert answers[0] == ("respondent", "group", "item", "value")
    assert {r[1] for r in answers[1:]} == {"staff", "organisation"}
    scores = list(book["scores"].iter_rows(values_only=True))
    assert scores[0] == ("node", "title", "group", "group_title", "score", "groups")
    assert all(r[4] is None for r in scores[1:] if r[2] == "clients")


def test_pdf_report_is_a_pdf_in_latvian_with_the_organisation(
    qms: Qms, cycle: int, tmp_path: Path
) -> None:
    out = tmp_path / "report.pdf"
    done = qms("export", "--cycle", str(cycle), "--format", "pdf", "-o", str(out))
    assert done.code == 0, done.err
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, check=True, text=True
    ).stdout
    assert "Dienas centrs Saulīte" in text
    for heading in ("Kvalitātes pašnovērtējuma pārskats", "Kopsavilkums",
                    "Vērtējumi pa kritērijiem un grupām", "Atšķirības starp skatpunktiem",
                    "Metodika"):
        assert heading.upper() in text.upper(), heading
    assert "mazāk nekā 2 atbildes" in text  # the clients, below their minimum


def test_pdf_in_english_on_request(qms: Qms, cycle: int, tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    done = qms("export", "--cycle", str(cycle), "--format", "pdf", "--lang", "en", "-o",
               str(out))
    assert done.code == 0, done.err
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True,
                          text=True).stdout
    assert "Gaps between perspectives" in text


def test_bad_input_is_one_line_and_a_failure(qms: Qms, tmp_path: Path) -> None:
    missing = qms("export", "--cycle", "4242", "--format", "csv")
    assert missing.code == 1
    assert missing.err_lines == ["qms: error: no cycle with id 4242"]
    assert missing.out == ""


def test_an_unwritable_output_is_one_line(qms: Qms, cycle: int, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "x.csv"
    done = qms("export", "--cycle", str(cycle), "--format", "csv", "-o", str(target))
    assert done.code == 1
    assert len(done.err_lines) == 1 and "cannot write the file" in done.err
