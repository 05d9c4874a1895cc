from __future__ import annotations

from pathlib import Path

import pytest

from .mini import Mini, write_methodology


@pytest.fixture
def mini(tmp_path: Path) -> Mini:
    """The minimal valid methodology in a folder named after its id."""
    return write_methodology(tmp_path / "mini")
