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


# METHODOLOGY.md §5: every figure that leaves qms is computed by the disclosure layer.
# These compute figures from answers or organisation scores; only the pure core itself
# (qms.scoring, which implements them, and qms.disclosure, which applies the rules
# around them) may call them.
FIGURE_FUNCTIONS = frozenset(
    {
        "score_cycle",
        "item_stats",
        "breakdown_stats",
        "hidden_cells",
        "compare",
        "respondent_criterion_means",
        "welch_p",
        "distribution",
        "summarise",
        "quantile",
        "band",
        "rank_from_lowest",
        "iqr_band",
    }
)
FIGURE_MODULES = ("qms.scoring",)
LAYER = ("qms/scoring", "qms/disclosure")


def _imported_names(path: Path) -> list[tuple[int, str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.extend((node.lineno, node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            found.append((node.lineno, node.value.id, node.attr))
    return found


def test_outputs_take_their_figures_from_the_disclosure_layer() -> None:
    offences = []
    for path in sorted((ROOT / "qms").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(LAYER):
            continue
        for line, module, name in _imported_names(path):
            from_scoring = module.startswith(FIGURE_MODULES) or module in {"scoring", "network"}
            if from_scoring and name in FIGURE_FUNCTIONS:
                offences.append(f"{rel}:{line}: {module}.{name}")
    assert not offences, (
        "compute figures through qms.disclosure (METHODOLOGY.md §5):\n" + "\n".join(offences)
    )


def test_the_disclosure_layer_is_pure_and_used() -> None:
    files = sorted((ROOT / "qms" / "disclosure").rglob("*.py"))
    assert files, "qms/disclosure is the one disclosure layer"
    offences = [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in files
        for line, module in _imports(path)
        if module.split(".")[0] in FORBIDDEN or module.startswith(FORBIDDEN)
    ]
    assert not offences, "\n".join(offences)
    users = {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "qms").rglob("*.py")
        if not path.relative_to(ROOT).as_posix().startswith(LAYER)
        and any(m.startswith("qms.disclosure") for _, m in _imports(path))
    }
    # The store hands releases to it for scores, breakdowns and network figures.
    assert {"qms/store/scores.py", "qms/store/results.py"} <= users


def _offences(files: list[Path], banned: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line}: imports {module}"
        for path in files
        for line, module in _imports(path)
        if any(module == b or module.startswith(b + ".") for b in banned)
    ]


def test_only_the_web_layer_imports_it() -> None:
    """Exports, commands, the store and the presentation layer are below the web: an
    arrow back up would make them need a running app's pieces."""
    files = [
        path
        for path in sorted((ROOT / "qms").rglob("*.py"))
        if not path.relative_to(ROOT).as_posix().startswith("qms/web/")
        and path.relative_to(ROOT).as_posix() != "qms/app.py"
    ]
    offences = _offences(files, ("qms.web",))
    assert not offences, "\n".join(offences)


# The controllers that serve files made by qms.exports; every other page builds its
# view with qms.presentation.
DOWNLOAD_CONTROLLERS = {"qms/web/exports.py", "qms/web/network_exports.py"}


def test_pages_do_not_depend_on_the_exports() -> None:
    files = [
        path
        for path in sorted((ROOT / "qms" / "web").rglob("*.py"))
        if path.relative_to(ROOT).as_posix() not in DOWNLOAD_CONTROLLERS
    ]
    offences = _offences(files, ("qms.exports",))
    assert not offences, "pages build their views with qms.presentation:\n" + "\n".join(offences)


def test_the_presentation_layer_is_plain() -> None:
    files = sorted((ROOT / "qms" / "presentation").rglob("*.py"))
    assert files, "qms/presentation builds the pages' views"
    banned = ("litestar", "sqlalchemy", "advanced_alchemy", "qms.web", "qms.exports")
    offences = _offences(files, banned)
    assert not offences, "\n".join(offences)
