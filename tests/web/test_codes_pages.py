"""The access codes page of a cycle: batches printed as slips, open links with a cap."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import httpx
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy import func, select

from qms.store.codes import normalise_code, resolve
from qms.store.cycles import close_cycle, get_cycle
from qms.store.db import Database
from qms.store.models.codes import AccessCode
from tests.factories import make_cycle
from tests.web.conftest import World

Client = TestClient[Litestar]
CODE = re.compile(r'<p class="slip-code">([A-Z0-9-]+)</p>')


def _close(database: Database, cycle_id: int) -> None:
    with database.session() as s:
        close_cycle(s, get_cycle(s, cycle_id))
        s.commit()


def _codes_in(database: Database, cycle_id: int, kind: str | None = None) -> int:
    query = select(func.count(AccessCode.id)).where(AccessCode.cycle_id == cycle_id)
    if kind is not None:
        query = query.where(AccessCode.kind == kind)
    with database.session() as s:
        return s.scalar(query) or 0


def _row(html: str, title: str) -> list[str]:
    """The cells of the table row headed `title`."""
    found = re.search(rf'<th scope="row">{re.escape(title)}</th>(.*?)</tr>', html, re.S)
    assert found, f"no row {title!r}"
    return re.findall(r"<td[^>]*>([^<]*)</td>", found.group(1))


def test_codes_page_counts_per_group_without_the_consensus_group(
    client: Client, world: World, database: Database, sign_in: Callable[..., httpx.Response]
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    response = client.get(f"/staff/cycles/{cycle_id}/codes?lang=lv")
    assert response.status_code == 200
    html = response.text
    assert _row(html, "Klienti") == ["0", "0", "0"]
    assert 'name="count"' in html and 'name="cap"' in html
    assert 'value="organisation"' not in html  # the working group takes no codes


def test_staff_make_codes_and_get_printable_slips(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    response = form_post(
        client, f"/staff/cycles/{cycle_id}/codes?lang=en", {"group": "clients", "count": "3"}
    )
    assert response.status_code == 200
    html = response.text
    codes = CODE.findall(html)
    assert len(codes) == 3
    assert html.count("<svg") == 3
    assert "Print or save these slips now" in html
    assert "http://127.0.0.1/" in html
    assert "/static/css/print.css" in html
    # Strict CSP: no inline styles or scripts, not even inside the QR codes.
    assert " style=" not in html
    assert "<script" not in html.replace('<script src="/static/js/htmx.min.js" defer></script>', "")
    with database.session() as s:
        for code in codes:
            target = resolve(s, code)
            assert target is not None and target.group_id == "clients"
            assert target.cycle_id == cycle_id
    assert normalise_code(codes[0]) is not None

    page = client.get(f"/staff/cycles/{cycle_id}/codes?lang=en").text
    assert _row(page, "Clients") == ["3", "0", "0"]
    assert codes[0] not in page  # codes are shown once
    assert codes[0] not in client.get(f"/staff/cycles/{cycle_id}?lang=en").text


def test_bad_count_shows_the_error_and_stores_nothing(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("head"))
    for count in ("0", "501", "many", ""):
        response = form_post(
            client, f"/staff/cycles/{cycle_id}/codes?lang=en", {"group": "staff", "count": count}
        )
        assert response.status_code == 422
        assert 'id="count-error"' in response.text
        assert 'aria-invalid="true"' in response.text
        assert 'href="#count"' in response.text
    response = form_post(
        client,
        f"/staff/cycles/{cycle_id}/codes?lang=en",
        {"group": "organisation", "count": "5"},  # the consensus group takes no codes
    )
    assert response.status_code == 422
    assert 'id="group-error"' in response.text
    assert _codes_in(database, cycle_id) == 0


def test_open_link_with_a_cap_is_listed_with_its_uses(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("head"))
    response = form_post(
        client,
        f"/staff/cycles/{cycle_id}/open-links?lang=en",
        {"link_group": "community", "cap": "2"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/cycles/{cycle_id}/codes#open-links"
    html = client.get(f"/staff/cycles/{cycle_id}/codes?lang=en").text
    link = re.search(r"http://127\.0\.0\.1/a/([A-Z0-9-]+)", html)
    assert link, "the open link is shown"
    assert _row(html, "Community and partners") == ["0", "0", "0"]  # single-use counts stay apart
    cells = re.findall(
        r'<td class="num" data-label="[^"]+">([^<]*)</td>', html.split('id="open-links"')[1]
    )
    assert cells[:3] == ["2", "0", "2"]  # limit, used, left

    # Following it twice uses it up; the third person finds it closed.
    for _ in range(2):
        first = client.get(f"/a/{link.group(1)}", follow_redirects=False)
        assert first.status_code in (302, 303)
    html = client.get(f"/staff/cycles/{cycle_id}/codes?lang=en").text
    cells = re.findall(
        r'<td class="num" data-label="[^"]+">([^<]*)</td>', html.split('id="open-links"')[1]
    )
    assert cells[:3] == ["2", "2", "0"]
    with database.session() as s:
        target = resolve(s, link.group(1))
        assert target is not None and not target.cycle_open


def test_bad_open_link_shows_errors_and_stores_nothing(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    for cap in ("0", "100001", "ten", ""):
        response = form_post(
            client,
            f"/staff/cycles/{cycle_id}/open-links?lang=en",
            {"link_group": "clients", "cap": cap},
        )
        assert response.status_code == 422
        assert 'id="cap-error"' in response.text
        assert 'href="#cap"' in response.text
    response = form_post(
        client,
        f"/staff/cycles/{cycle_id}/open-links?lang=en",
        {"link_group": "organisation", "cap": "5"},
    )
    assert response.status_code == 422
    assert 'id="link_group-error"' in response.text
    assert _codes_in(database, cycle_id) == 0


def test_closed_cycle_takes_no_codes_or_links(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    _close(database, cycle_id)
    sign_in(client, world.email("head"))
    html = client.get(f"/staff/cycles/{cycle_id}/codes?lang=en").text
    assert "This cycle is closed" in html
    assert 'name="count"' not in html
    response = form_post(
        client, f"/staff/cycles/{cycle_id}/codes?lang=en", {"group": "staff", "count": "2"}
    )
    assert response.status_code == 422
    response = form_post(
        client,
        f"/staff/cycles/{cycle_id}/open-links?lang=en",
        {"link_group": "staff", "cap": "2"},
    )
    assert response.status_code == 422
    assert _codes_in(database, cycle_id) == 0


def test_another_organisations_codes_are_not_found(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("head_b"))
    assert client.get(f"/staff/cycles/{cycle_id}/codes").status_code == 404
    response = form_post(
        client, f"/staff/cycles/{cycle_id}/codes", {"group": "staff", "count": "2"}
    )
    assert response.status_code == 404
    response = form_post(
        client, f"/staff/cycles/{cycle_id}/open-links", {"link_group": "staff", "cap": "2"}
    )
    assert response.status_code == 404
    assert _codes_in(database, cycle_id) == 0


def test_coordinator_may_not_make_codes(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("coordinator"))
    assert client.get(f"/staff/cycles/{cycle_id}/codes").status_code == 404
    assert _codes_in(database, cycle_id) == 0


PDF_LINK = re.compile(r'href="(/staff/cycles/\d+/codes/slips\.pdf\?batch=[A-Za-z0-9_-]+)"')


def _pdf_pages(pdf: bytes, tmp_path: Path) -> int:
    """The page count as poppler's pdfinfo reads it (WeasyPrint compresses its objects,
    so counting `/Type /Page` in the bytes finds nothing)."""
    path = tmp_path / "count.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    found = re.search(r"^Pages:\s+(\d+)$", info.stdout, re.M)
    assert found, info.stdout
    return int(found.group(1))


def _make_batch(
    client: Client,
    form_post: Callable[..., httpx.Response],
    cycle_id: int,
    count: int,
    group: str = "clients",
) -> tuple[list[str], str]:
    response = form_post(
        client, f"/staff/cycles/{cycle_id}/codes?lang=en", {"group": group, "count": str(count)}
    )
    assert response.status_code == 200
    link = PDF_LINK.search(response.text)
    assert link, "the slips page offers the PDF"
    return CODE.findall(response.text), link.group(1).replace("&amp;", "&")


def test_slips_pdf_has_eight_slips_a_page_and_leaves_out_used_codes(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
    tmp_path: Path,
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    codes, href = _make_batch(client, form_post, cycle_id, 17)
    response = client.get(href + "&lang=lv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF-")
    assert _pdf_pages(response.content, tmp_path) == 3  # 17 slips: 8 + 8 + 1
    pdf_file = tmp_path / "slips.pdf"
    pdf_file.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf_file), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert all(code in text for code in codes)
    assert "piekļuves kods" in text  # in the language of the request

    # Nine codes used leave eight: the reprint is one page, without the used ones.
    for code in codes[:9]:
        assert client.get(f"/a/{code}", follow_redirects=False).status_code < 400
    response = client.get(href)
    assert response.status_code == 200
    assert _pdf_pages(response.content, tmp_path) == 1
    pdf_file.write_bytes(response.content)
    text = subprocess.run(
        ["pdftotext", str(pdf_file), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert codes[0] not in text and codes[9] in text


def test_slips_pdf_of_another_organisation_or_batch_is_not_found(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_a = make_cycle(database)
    cycle_b = make_cycle(database, "Org B")
    sign_in(client, world.email("head"))
    _codes, href = _make_batch(client, form_post, cycle_a, 2)
    batch = href.split("batch=")[1]
    # The right batch under another cycle's address, a made-up batch, no batch at all.
    assert client.get(f"/staff/cycles/{cycle_b}/codes/slips.pdf?batch={batch}").status_code == 404
    other = ("y" if batch[0] == "x" else "x") + batch[1:]  # one letter changed, never the same
    assert client.get(f"/staff/cycles/{cycle_a}/codes/slips.pdf?batch={other}").status_code == 404
    assert client.get(f"/staff/cycles/{cycle_a}/codes/slips.pdf").status_code == 404

    client.cookies.clear()
    sign_in(client, world.email("head_b"))
    response = client.get(href)
    assert response.status_code == 404
    assert not response.content.startswith(b"%PDF")


def test_slips_pdf_is_refused_when_nothing_is_left_or_the_cycle_closed(
    client: Client,
    world: World,
    database: Database,
    sign_in: Callable[..., httpx.Response],
    form_post: Callable[..., httpx.Response],
) -> None:
    cycle_id = make_cycle(database)
    sign_in(client, world.email("staff"))
    codes, href = _make_batch(client, form_post, cycle_id, 1)
    assert client.get(f"/a/{codes[0]}", follow_redirects=False).status_code < 400
    response = client.get(href + "&lang=en")
    assert response.status_code == 409
    assert "nothing left to print" in response.text

    _codes, href = _make_batch(client, form_post, cycle_id, 2)
    _close(database, cycle_id)
    response = client.get(href + "&lang=en")
    assert response.status_code == 409
    assert "This cycle is closed" in response.text
