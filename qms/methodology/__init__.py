"""Methodologies (METHODOLOGY.md §2): safe YAML loading, validation, the in-memory model.

Pure: imports neither the web layer nor the database.
"""

from qms.methodology.findings import Finding, MethodologyError, Severity
from qms.methodology.loader import (
    METHODOLOGY_FILE,
    check_paths,
    discover,
    load_from_files,
    load_methodology,
    read_files,
    snapshot_hash,
)
from qms.methodology.model import (
    Band,
    ChoiceOption,
    Criterion,
    Group,
    Item,
    Methodology,
    MissingOption,
    Questionnaire,
    Range,
    Scale,
    ScaleOption,
    Section,
    Text,
    When,
)
from qms.methodology.yamlsafe import MAX_BYTES

__all__ = [
    "MAX_BYTES",
    "METHODOLOGY_FILE",
    "Band",
    "ChoiceOption",
    "Criterion",
    "Finding",
    "Group",
    "Item",
    "Methodology",
    "MethodologyError",
    "MissingOption",
    "Questionnaire",
    "Range",
    "Scale",
    "ScaleOption",
    "Section",
    "Severity",
    "Text",
    "When",
    "check_paths",
    "discover",
    "load_from_files",
    "load_methodology",
    "read_files",
    "snapshot_hash",
]
