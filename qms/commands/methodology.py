"""`qms methodology check` and `qms methodology list` (DESIGN.md's command contract)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from qms.methodology import MethodologyError, check_paths, discover, load_methodology
from qms.paths import default_questionnaires


def questionnaires_folder() -> Path:
    """As qms.settings reads it, without its other demands (a database URL, a secret)."""
    folder = os.environ.get("QMS_QUESTIONNAIRES", "").strip()
    return Path(folder) if folder else default_questionnaires()


@click.group()
def methodology() -> None:
    """Methodologies: the questionnaire files under the questionnaires folder."""


@methodology.command("check")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def check(paths: tuple[Path, ...], strict: bool) -> None:
    """Validate methodology folders (default: the questionnaires folder).

    Prints PATH:LINE:COL: error|warning: MESSAGE per finding; exits 1 on any error.
    """
    targets = list(paths) or [questionnaires_folder()]
    findings = check_paths(targets, strict=strict)
    for finding in findings:
        click.echo(str(finding))
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    count = sum(len(discover(p)) for p in targets if p.is_dir())
    noun = "methodology" if count == 1 else "methodologies"
    click.echo(
        f"checked {count} {noun}: {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}",
        err=True,
    )
    if errors:
        # SystemExit, not ctx.exit(1): qms.cli runs click with standalone_mode=False,
        # where click turns ctx.exit(1) into a return value that the caller may drop.
        sys.exit(1)


@methodology.command("list")
def list_() -> None:
    """One line per methodology: id, version, title, groups (tab-separated)."""
    root = questionnaires_folder()
    if not root.is_dir():
        click.echo(f"qms: error: the questionnaires folder {root} does not exist", err=True)
        sys.exit(1)
    folders = discover(root)
    if not folders:
        click.echo(f"no methodology in {root}", err=True)
    for folder in folders:
        try:
            loaded = load_methodology(folder)
        except MethodologyError as exc:
            errors = sum(f.severity == "error" for f in exc.findings)
            click.echo(
                f"{folder.name}\t-\t-\tinvalid ({errors} error{'s' * (errors != 1)}): "
                f"run `qms methodology check {folder}`"
            )
            continue
        groups = ", ".join(g.id for g in loaded.groups)
        fields = [loaded.id, loaded.version, loaded.title.get(loaded.default_language), groups]
        # A text may hold tabs or line breaks; the listing stays one line per methodology.
        click.echo("\t".join(" ".join(f.split()) for f in fields))
