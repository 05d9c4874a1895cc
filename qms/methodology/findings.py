"""Findings: what `qms methodology check` reports, one line each, as compilers do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal, Protocol

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One problem at a 1-based line and column of a file."""

    path: str
    line: int
    col: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"


class MethodologyError(Exception):
    """A methodology that cannot be used; `findings` says why, warnings included."""

    def __init__(self, findings: Iterable[Finding]) -> None:
        self.findings: list[Finding] = sort_findings(findings)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(f) for f in self.findings)


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    # Stable, so two findings at one position keep the order they were found in.
    return sorted(findings, key=lambda f: (f.path, f.line, f.col))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def strictly(findings: Iterable[Finding]) -> list[Finding]:
    """`--strict`: every warning becomes an error."""
    return [replace(f, severity="error") for f in findings]


class Positioned(Protocol):
    @property
    def line(self) -> int: ...

    @property
    def col(self) -> int: ...


_MAX_MESSAGE = 300


def one_line(message: str) -> str:
    """Messages quote the file's own text, which may hold line breaks or be huge; the
    contract is one finding a line, readable."""
    message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    if len(message) > _MAX_MESSAGE:
        half = _MAX_MESSAGE // 2
        message = message[:half] + " ... " + message[-half:]
    return message


class Report:
    """Collects the findings of one file; the list may be shared between files."""

    def __init__(self, path: str, out: list[Finding]) -> None:
        self.path = path
        self.out = out

    def error(self, at: Positioned, message: str) -> None:
        self.error_at(at.line, at.col, message)

    def warning(self, at: Positioned, message: str) -> None:
        self.out.append(Finding(self.path, at.line, at.col, "warning", one_line(message)))

    def error_at(self, line: int, col: int, message: str) -> None:
        self.out.append(Finding(self.path, line, col, "error", one_line(message)))
