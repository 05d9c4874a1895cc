"""A minimal valid methodology, as text, that each test breaks in one place.

Block style throughout, so that every key a test breaks sits on a line of its own and
a finding's expected position can be found by searching for the broken text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from qms.methodology import Finding, check_paths

METHODOLOGY = """\
methodology: mini
version: "1.0"
title:
  en: "Mini"
  lv: "Mini"
languages: [en, lv]
groups:
  - id: team
    title: {en: "Working group", lv: "Darba grupa"}
    mode: consensus
    min_n: 1
  - id: staff
    title: {en: "Staff", lv: "Darbinieki"}
    mode: individual
    min_n: 3
    weight: 2
scales:
  - id: agree
    options:
      - value: 1
        label: {en: "No", lv: "Nē"}
      - value: 2
        label: {en: "Partly", lv: "Daļēji"}
      - value: 3
        label: {en: "Yes", lv: "Jā"}
    missing:
      - code: dk
        label: {en: "Don't know", lv: "Nezinu"}
      - code: na
        label: {en: "Not applicable", lv: "Neattiecas"}
  - id: panel
    range:
      min: 0
      max: 100
      step: 25
    bands:
      - from: 0
        to: 25
        label: {en: "Starting", lv: "Sākums"}
      - from: 50
        to: 100
        label: {en: "Developed", lv: "Attīstīts"}
criteria:
  - id: "1"
    title: {en: "Leadership", lv: "Vadība"}
    subcriteria:
      - id: "1.1"
        title: {en: "Direction", lv: "Virziens"}
        weight: 2
      - id: "1.2"
        title: {en: "Workload", lv: "Slodze"}
  - id: "2"
    title: {en: "Results", lv: "Rezultāti"}
    weight: 3
"""

TEAM = """\
questionnaire: team
sections:
  - id: maturity
    title: {en: "Maturity", lv: "Briedums"}
    items:
      - id: team.direction
        type: scale
        scale: panel
        criterion: "1.1"
        text: {en: "Direction is clear", lv: "Virziens ir skaidrs"}
      - id: team.waiting
        type: number
        min: 0
        max: 365
        unit: {en: "days", lv: "dienas"}
        text: {en: "Average waiting days", lv: "Vidējās gaidīšanas dienas"}
"""

STAFF = """\
questionnaire: staff
intro: {en: "Thank you", lv: "Paldies"}
sections:
  - id: about
    title: {en: "About you", lv: "Par jums"}
    items:
      - id: staff.role
        type: choice
        text: {en: "Your role", lv: "Jūsu loma"}
        options:
          - value: carer
            label: {en: "Carer", lv: "Aprūpētājs"}
          - value: 2
            label: {en: "Nurse", lv: "Māsa"}
  - id: work
    title: {en: "Your work", lv: "Jūsu darbs"}
    items:
      - id: staff.goals
        type: scale
        scale: agree
        criterion: "1.2"
        text: {en: "I know the goals", lv: "Es zinu mērķus"}
        easy_read: {en: "I know what we want", lv: "Es zinu, ko mēs gribam"}
        help: {en: "The goals of this year", lv: "Šī gada mērķi"}
        reverse: false
        weight: 2
        required: true
        when:
          item: staff.role
          in: [carer, 2]
        replaces: [staff.aims]
      - id: staff.results
        type: scale
        scale: agree
        criterion: "2"
        text: {en: "We help clients", lv: "Mēs palīdzam klientiem"}
      - id: staff.training
        type: multi
        text: {en: "Training this year", lv: "Apmācības šogad"}
        options:
          - value: first_aid
            label: {en: "First aid", lv: "Pirmā palīdzība"}
          - value: rights
            label: {en: "Client rights", lv: "Klientu tiesības"}
      - id: staff.comment
        type: text
        max_length: 200
        text: {en: "Anything else?", lv: "Vēl kaut kas?"}
"""

FILES = {"methodology.yaml": METHODOLOGY, "team.yaml": TEAM, "staff.yaml": STAFF}


@dataclass
class Mini:
    """The minimal methodology written to `folder`, to be broken one way per test."""

    folder: Path

    def write(self, name: str, text: str | bytes) -> None:
        path = self.folder / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    def text(self, name: str) -> str:
        return (self.folder / name).read_text(encoding="utf-8")

    def replace(self, name: str, old: str, new: str, count: int = 1) -> None:
        text = self.text(name)
        assert text.count(old) >= count, f"{old!r} is not in {name}"
        self.write(name, text.replace(old, new, count))

    def pos(self, name: str, needle: str, nth: int = 1) -> tuple[int, int]:
        """The 1-based line and column where the nth `needle` starts in file `name`."""
        text = self.text(name)
        at = -1
        for _ in range(nth):
            at = text.index(needle, at + 1)
        line = text.count("\n", 0, at) + 1
        return line, at - (text.rfind("\n", 0, at) + 1) + 1

    def path(self, name: str) -> str:
        return str(self.folder / name)

    def check(self, strict: bool = False) -> list[Finding]:
        return check_paths([self.folder], strict=strict)

    def lines(self, strict: bool = False) -> list[str]:
        return [str(f) for f in self.check(strict)]

    def one(
        self,
        name: str,
        needle: str,
        fragment: str,
        *,
        nth: int = 1,
        severity: str = "error",
        col: bool = True,
        at: str | None = None,
    ) -> Finding:
        """Assert the check gives exactly one finding, at `needle` in file `name` (or at
        the part `at` of the needle)."""
        finding = only(self.check())
        line, column = self.pos(name, needle, nth)
        if at is not None:
            column += needle.index(at)
        assert (finding.path, finding.line) == (self.path(name), line), str(finding)
        if col:
            assert finding.col == column, str(finding)
        assert finding.severity == severity, str(finding)
        assert fragment in finding.message, str(finding)
        return finding


def write_methodology(folder: Path, files: dict[str, str] | None = None) -> Mini:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (files or FILES).items():
        (folder / name).write_text(text, encoding="utf-8")
    return Mini(folder)


def only(findings: Sequence[Finding]) -> Finding:
    """The one finding a broken file must produce; more would be noise for its author."""
    assert len(findings) == 1, "\n".join(str(f) for f in findings)
    return findings[0]
