"""Texts from questionnaire files are data: HTML in a label or a title is shown, never run."""

from __future__ import annotations

import shutil
from pathlib import Path

from litestar.testing import TestClient

from qms.app import create_app
from qms.settings import Settings

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "methodologies" / "testq"
HOSTILE = "<script>alert(1)</script><b onclick=x>bold</b>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_html_in_every_kind_of_questionnaire_text_is_inert(tmp_path: Path) -> None:
    folder = tmp_path / "testq"
    shutil.copytree(FIXTURE, folder)
    clients = folder / "clients.yaml"
    text = clients.read_text(encoding="utf-8")
    for label in ('"The service"', '"Staff respect me"', '"Someone helped me answer"', '"Yes"'):
        text = text.replace(label, f'"{label.strip(chr(34))} {HOSTILE}"')
    clients.write_text(text, encoding="utf-8")
    methodology = folder / "methodology.yaml"
    scales = methodology.read_text(encoding="utf-8").replace('"Partly"', f'"Partly {HOSTILE}"')
    methodology.write_text(scales, encoding="utf-8")

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}",
        questionnaires=tmp_path,
        secret_key="test-secret-key-0123456789",
    )
    with TestClient(app=create_app(settings), base_url="http://127.0.0.1") as client:
        pages = [client.get("/preview/testq/clients"), client.get("/preview/testq/clients/1")]
    for page in pages:
        assert page.status_code == 200
        assert "<script>alert" not in page.text
        assert "<b onclick" not in page.text
    section = pages[1].text
    # Each hostile label reached the page, escaped: the scale option, the item and the title.
    assert section.count(ESCAPED) >= 4
