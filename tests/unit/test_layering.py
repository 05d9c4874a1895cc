"""Rules of the house that code review would otherwise have to remember."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PURE = ["qms/methodology", "qms/scoring", "qms/scoring.py", "qms/charts", "qms/charts.py"]
FORBIDDEN = ("litestar", "sqlalchemy", "advanced_alchemy", "alembic", "qms.web", "qms.store")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _pure_files() -> list[Path]:
    files: list[Path] = []
    for entry in PURE:
        path = ROOT / entry
        if path.is_dir():
            files.extend(sorted(path.rglob("*.py")))
        elif path.is_file():
            files.append(path)
    return files


def test_the_pure_core_exists() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _pure_files()}
    assert "qms/methodology/model.py" in names
    assert any(n.startswith("qms/scoring") for n in names)


def test_the_pure_core_imports_neither_web_nor_database() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in _pure_files()
        for line, module in _imports(path)
        if module == "qms.web" or module.split(".")[0] in FORBIDDEN or module.startswith(FORBIDDEN)
    ]
    assert not offences, "\n".join(offences)


def test_controllers_build_no_sql() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in sorted((ROOT / "qms" / "web").rglob("*.py"))
        for line, module in _imports(path)
        if module in {"sqlalchemy", "sqlalchemy.sql", "sqlalchemy.sql.expression"}
        or module.startswith("qms.store.models")
    ]
    assert not offences, "web code must call qms.store functions:\n" + "\n".join(offences)
