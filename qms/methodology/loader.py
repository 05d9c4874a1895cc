"""Loading and checking methodologies, from folders or from stored snapshot texts.

A folder is first read into its snapshot texts ({file name: text}); validation and
model building only ever see those texts, so a cycle's stored snapshot loads through
exactly the code that checked the folder.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from qms.methodology.findings import (
    Finding,
    MethodologyError,
    Report,
    has_errors,
    sort_findings,
    strictly,
)
from qms.methodology.methodology_file import Catalogue, read_methodology
from qms.methodology.model import Methodology, Questionnaire
from qms.methodology.questionnaire_file import ItemIds, read_questionnaire
from qms.methodology.schema import ID, Ctx
from qms.methodology.yamlsafe import MAX_BYTES, MapNode, Scalar, SeqNode, decode, parse

METHODOLOGY_FILE = "methodology.yaml"


def discover(root: Path) -> list[Path]:
    """The methodology folders in `root` (sorted by name), or [root] if it is one."""
    if (root / METHODOLOGY_FILE).is_file():
        return [root]
    try:
        children = sorted(root.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    return [p for p in children if p.is_dir() and (p / METHODOLOGY_FILE).is_file()]


def read_files(folder: Path) -> dict[str, str]:
    """The snapshot texts of a methodology folder: methodology.yaml and each group's file.

    Raises MethodologyError when a file cannot be read as UTF-8 text under the size limit.
    """
    files, findings, _ = _read_folder(folder)
    if has_errors(findings):
        raise MethodologyError(findings)
    return files


def snapshot_hash(files: Mapping[str, str]) -> str:
    """sha256 over the files sorted by name, each name and text length-prefixed, so no
    two different snapshots share an encoding and dict order does not matter."""
    digest = hashlib.sha256(b"qms-methodology-snapshot-v1\n")
    for name in sorted(files):
        for part in (name, files[name]):
            data = part.encode("utf-8", "surrogatepass")
            digest.update(f"{len(data)}:".encode())
            digest.update(data)
    return digest.hexdigest()


def load_from_files(name: str, files: Mapping[str, str]) -> Methodology:
    """The model of a methodology from its snapshot texts; `name` plays the folder name."""
    methodology, findings = _validate(name, files, name)
    if methodology is None or has_errors(findings):
        raise MethodologyError(findings)
    return methodology


def load_methodology(folder: Path) -> Methodology:
    """The model of the methodology in `folder`; MethodologyError if it has any error."""
    methodology, findings = _check_folder(folder)
    if methodology is None or has_errors(findings):
        raise MethodologyError(findings)
    return methodology


def check_paths(paths: Sequence[Path], strict: bool = False) -> list[Finding]:
    """Every finding for the methodologies at `paths`, sorted by path, line and column."""
    findings: list[Finding] = []
    for path in paths:
        folders = discover(path) if path.is_dir() else []
        if not folders:
            findings.append(Finding(str(path), 1, 1, "error", _not_a_methodology(path)))
        for folder in folders:
            findings.extend(_check_folder(folder)[1])
    return sort_findings(strictly(findings) if strict else findings)


def _not_a_methodology(path: Path) -> str:
    if not path.exists():
        return "no such file or folder"
    if not path.is_dir():
        return "not a methodology folder; name the folder that holds methodology.yaml"
    return "no methodology here: neither methodology.yaml nor folders holding one"


def _check_folder(folder: Path) -> tuple[Methodology | None, list[Finding]]:
    files, findings, unreadable = _read_folder(folder)
    if METHODOLOGY_FILE not in files:
        return None, findings
    # resolve() so that `qms methodology check .` knows the folder's name.
    methodology, more = _validate(folder.resolve().name, files, str(folder), unreadable)
    return methodology, findings + more


def _label(prefix: str, name: str) -> str:
    return str(Path(prefix) / name)


def _read_folder(folder: Path) -> tuple[dict[str, str], list[Finding], set[str]]:
    """The snapshot texts, the findings of reading them, and the files that exist but
    could not be read (so they are not also reported as missing)."""
    findings: list[Finding] = []
    files: dict[str, str] = {}
    unreadable: set[str] = set()
    names = [METHODOLOGY_FILE]
    first = _read_text(folder, METHODOLOGY_FILE, findings)
    if first is None:
        return files, findings, {METHODOLOGY_FILE}
    files[METHODOLOGY_FILE] = first
    groups, clean = _group_ids(first)
    names = [f"{group}.yaml" for group in groups]
    for name in names:
        if not (folder / name).is_file():
            continue  # reported as a group without a file when validating
        text = _read_text(folder, name, findings)
        if text is None:
            unreadable.add(name)
        else:
            files[name] = text
    if clean:
        # Judged only against a well-formed groups list: a group whose id has a typo
        # is reported once, in methodology.yaml, not again as its file.
        _stray_files(folder, {METHODOLOGY_FILE, *names}, names, findings)
    return files, findings, unreadable


def _stray_files(folder: Path, known: set[str], names: list[str], findings: list[Finding]) -> None:
    """Every other `*.yaml` of the folder is an error at its line 1 (METHODOLOGY.md §2):
    most often it is the questionnaire of a group that methodology.yaml forgot to
    declare, and ignoring it would silently leave that group out of every cycle."""
    try:
        strays = sorted(p for p in folder.glob("*.yaml") if p.name not in known and p.is_file())
    except OSError:
        return
    groups = ", ".join(name.removesuffix(".yaml") for name in names) or "none"
    for path in strays:
        named = _questionnaire_key(path)
        what = f"questionnaire '{named}'" if named else "this file"
        Report(_label(str(folder), path.name), findings).error_at(
            1,
            1,
            f"{what} is not a group of {METHODOLOGY_FILE} (groups: {groups}); "
            "declare the group there or remove the file",
        )


def _questionnaire_key(path: Path) -> str | None:
    """The `questionnaire` a stray file names, read leniently: only for the message."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES)
    except OSError:
        return None
    root = parse(data.decode("utf-8", "replace"), Report("", []))
    key = root.get("questionnaire") if isinstance(root, MapNode) else None
    return key.raw if isinstance(key, Scalar) and key.raw.strip() else None


def _read_text(folder: Path, name: str, findings: list[Finding]) -> str | None:
    path = folder / name
    report = Report(_label(str(folder), name), findings)
    if not path.is_file():
        report.error_at(1, 1, f"missing {name}" if not path.exists() else "not a regular file")
        return None
    try:
        with path.open("rb") as handle:
            # One byte more than the limit is enough to know the file is too large.
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        report.error_at(1, 1, f"cannot read the file: {exc.strerror or exc}")
        return None
    if len(data) > MAX_BYTES:
        try:
            size = f"{os.path.getsize(path):,} bytes"
        except OSError:
            size = "too large"
        report.error_at(1, 1, f"file is {size}; the limit is {MAX_BYTES:,} bytes")
        return None
    return decode(data, report)


def _group_ids(text: str) -> tuple[list[str], bool]:
    """The group ids methodology.yaml names, read leniently (its findings come later),
    and whether the list is clean: every entry with a well-formed id, none twice."""
    root = parse(text, Report("", []))
    groups = root.get("groups") if isinstance(root, MapNode) else None
    found: list[str] = []
    clean = isinstance(groups, SeqNode)
    for node in groups.items if isinstance(groups, SeqNode) else ():
        gid = node.get("id") if isinstance(node, MapNode) else None
        # Only well-formed ids become file names: no path tricks like ../../etc.
        ok = isinstance(gid, Scalar) and gid.kind == "str" and ID.match(gid.raw)
        if ok and isinstance(gid, Scalar) and gid.raw not in found:
            found.append(gid.raw)
        else:
            clean = False
    return found, clean


def _validate(
    name: str, files: Mapping[str, str], prefix: str, unreadable: set[str] | None = None
) -> tuple[Methodology | None, list[Finding]]:
    findings: list[Finding] = []
    main = _label(prefix, METHODOLOGY_FILE)
    text = files.get(METHODOLOGY_FILE)
    if text is None:
        findings.append(Finding(main, 1, 1, "error", f"missing {METHODOLOGY_FILE}"))
        return None, findings
    ctx = Ctx(Report(main, findings))
    root = parse(text, ctx.report)
    if root is None:
        return None, findings
    top = read_methodology(ctx, root, name)
    questionnaires = _questionnaires(top.catalogue, files, prefix, findings, unreadable or set())
    if has_errors(findings) or unreadable:
        return None, findings  # an unreadable file was reported when it was read
    if (
        top.id is None
        or top.version is None
        or top.title is None
        or top.groups is None
        or top.scales is None
        or top.criteria is None
        or questionnaires is None
    ):
        # Every part that is missing was reported; reaching here is our bug, not the file's.
        findings.append(
            Finding(
                main,
                1,
                1,
                "error",
                "internal error: incomplete methodology without a finding; please report this",
            )
        )
        return None, findings
    methodology = Methodology(
        id=top.id,
        version=top.version,
        title=top.title,
        languages=top.catalogue.languages,
        groups=top.groups,
        scales=top.scales,
        criteria=top.criteria,
        questionnaires=questionnaires,
    )
    return methodology, findings


def _questionnaires(
    cat: Catalogue,
    files: Mapping[str, str],
    prefix: str,
    findings: list[Finding],
    unreadable: set[str],
) -> dict[str, Questionnaire] | None:
    main = Report(_label(prefix, METHODOLOGY_FILE), findings)
    ids = ItemIds()
    found: dict[str, Questionnaire] = {}
    ok = True
    for node in cat.groups.values():
        group = str(node.value)
        file_name = f"{group}.yaml"
        text = files.get(file_name)
        if text is None:
            if file_name not in unreadable:
                main.error(node, f"group '{group}' has no file {file_name}")
            ok = False
            continue
        ctx = Ctx(Report(_label(prefix, file_name), findings), cat.languages)
        root = parse(text, ctx.report)
        questionnaire = None if root is None else read_questionnaire(ctx, root, group, cat, ids)
        if questionnaire is None:
            ok = False
        else:
            found[group] = questionnaire
    return found if ok else None
