"""A network coordinator and a service head read the network's results (issue 7), on the
demo that `qms demo` builds: the coordinator signs in in Latvian, finds the network's
dashboard by its links, reads the distribution of each criterion as a chart and a table,
sees by name only the organisations that consented and downloads the PDF report; the
head finds where their organisation stands in the network. Both pages pass axe-core and
are photographed in Latvian and English on a phone and a desktop."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.messages.extract import extract_from_file
from playwright.sync_api import Page, expect

from qms import i18n
from qms.demo import NAMED_IN_NETWORKS, REGION, SMALL_ORGS, load_demo
from qms.store import directory
from qms.store.db import Database
from qms.store.snapshots import read_snapshot
from qms.store.users import DEMO_PASSWORDS, create_demo_users
from tests.browser.respondent_pages import DESKTOP, NewContext

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
QUESTIONNAIRES = ROOT / "questionnaires"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# The narrowest phone the respondent pages are held to as well.
PHONE_360 = {"width": 360, "height": 740}
COORDINATOR = ("coordinator@demo.example", DEMO_PASSWORDS["coordinator"])
HEAD = ("head@demo.example", DEMO_PASSWORDS["head"])
# The demo's head and staff work in its first organisation.
HEAD_ORG = SMALL_ORGS[0][0]
NAMED = [name for i, (name, _, _) in enumerate(SMALL_ORGS) if i in NAMED_IN_NETWORKS]
UNNAMED = [name for i, (name, _, _) in enumerate(SMALL_ORGS) if i not in NAMED_IN_NETWORKS]
NUMBER = re.compile(r"^\d{1,3}\.\d$")


@pytest.fixture(scope="module")
def demo(browser_database_url: str) -> int:
    """What `qms demo` loads (organisations, three years, shared cycles, the demo sign-ins)
    in the session's database, as the other browser tests seed theirs through the store;
    returns the number of top-level criteria. Once per module: the loader refuses to run
    twice on one database."""
    snapshot = read_snapshot(QUESTIONNAIRES, "socquality")
    db = Database(browser_database_url)
    try:
        with db.session() as s:
            load_demo(s, snapshot, "small")
            org_ids = [
                ref.id
                for name, _, _ in SMALL_ORGS
                if (ref := directory.organisation_by_name(s, name)) is not None
            ]
            region = directory.network_by_name(s, REGION)
            assert region is not None
            create_demo_users(s, org_ids, region.id)
            s.commit()
    finally:
        db.dispose()
    return len(snapshot.methodology.criteria)


def _sign_in(page: Page, who: tuple[str, str], lang: str) -> None:
    page.goto(f"/login?lang={lang}")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff$"))


def _open_dashboard(page: Page, lang: str) -> None:
    page.goto("/staff")
    page.get_by_role("link", name=REGION, exact=True).click()
    page.get_by_role(
        "link", name=i18n.translate(lang, "Dashboard: how the partners' scores are distributed")
    ).click()
    page.wait_for_url(re.compile(r"/staff/networks/\d+/dashboard$"))


def _open_position(page: Page, lang: str) -> None:
    page.goto("/staff")
    page.get_by_role("link", name=HEAD_ORG, exact=True).click()
    page.get_by_role("link", name=i18n.translate(lang, "Where we stand in our networks")).click()
    page.wait_for_url(re.compile(r"/staff/organisations/\d+/networks$"))


def _accessible(page: Page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert not results.violations_count, f"{page.url}:\n{results.generate_report()}"


def _overflow(page: Page) -> int:
    width: int = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return width


# Where the two pages' own strings come from (the shared header is every page's).
SOURCES = [
    (ROOT / "templates" / "networks" / name, "jinja2")
    for name in ("dashboard.html", "position.html", "_choices.html")
]
SOURCES.append((ROOT / "qms" / "web" / "networks.py", "python"))


@functools.cache
def _english_sentences() -> frozenset[str]:
    """The pages' English source strings of several words: extracted from the source, not
    read from the catalog, so a string the catalog lacks is caught too."""
    found: set[str] = set()
    for path, method in SOURCES:
        for _line, message, _comments, _context in extract_from_file(
            method, str(path), options={"extensions": "jinja2.ext.i18n"}
        ):
            for m in message if isinstance(message, tuple) else (message,):
                if m and len(m.split()) >= 3 and not re.search(r"[%{]", m):
                    found.add(m)
    assert len(found) > 20, found  # an extractor that found nothing would prove nothing
    return frozenset(found)


def _untranslated(page: Page) -> list[str]:
    text = page.locator("main").inner_text()
    return sorted(s for s in _english_sentences() if s in text)


def _image_loaded(page: Page, selector: str) -> int:
    img = page.locator(selector)
    expect(img).to_be_visible()
    img.scroll_into_view_if_needed()
    page.wait_for_function("(i) => i.complete", arg=img.element_handle())
    width: int = img.evaluate("(i) => i.naturalWidth")
    return width


def test_a_coordinator_reads_the_network_dashboard_in_latvian(
    demo: int, new_context: NewContext
) -> None:
    page = new_context(viewport=DESKTOP, locale="lv-LV").new_page()
    _sign_in(page, COORDINATOR, "lv")
    expect(page.get_by_role("link", name=REGION, exact=True)).to_be_visible()
    page.get_by_role("link", name=REGION, exact=True).click()
    # Membership is no secret, so the names withheld below are ones the coordinator knows.
    for name in UNNAMED:
        expect(page.locator("main")).to_contain_text(name)
    page.get_by_role("link", name="Pārskats: kā sadalās partneru vērtējumi").click()
    page.wait_for_url(re.compile(r"/staff/networks/\d+/dashboard$"))
    expect(page.locator("h1")).to_contain_text("Tīkla pārskats")
    # The newest closed year; the demo's 2025 cycles are still open.
    expect(page.locator("h2").first).to_contain_text("2024")
    expect(page.locator("main")).to_contain_text("Organizācijas, kas kopīgoja: 5 no 5")

    # The distribution of each criterion: the box plot and the same numbers as a table.
    assert _image_loaded(page, 'figure.chart img[src*="/distribution?"]') > 0
    table = page.locator(
        "table.stats", has=page.locator("caption", has_text="Sadalījums starp organizācijām")
    )
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(demo + 1)  # every criterion, then the overall score
    expect(rows.last.locator("th")).to_have_text("Kopā")
    for i in range(demo + 1):
        cells = rows.nth(i).locator("td").all_inner_texts()
        assert cells[0] == "5", cells
        assert all(NUMBER.match(c) for c in cells[1:7]), cells
        low, q1, median, q3, high = (float(c) for c in cells[1:6])
        assert low <= q1 <= median <= q3 <= high, cells
        assert low <= float(cells[6]) <= high, cells

    # Named only with consent: anywhere in the page, alt texts and links included.
    html = page.content()
    for name in NAMED:
        assert name in html, name
    for name in UNNAMED:
        assert name not in html, name
    # A named organisation's values join the table, with its place from the lowest.
    page.get_by_role("navigation", name="Rādīt organizācijas vērtības").get_by_role(
        "link", name=NAMED[1]
    ).click()
    expect(table.locator("thead th").last).to_have_text(NAMED[1])
    expect(rows.first.locator("td").last).to_contain_text(
        re.compile(r"\d+\.\d \d\. no 5, skaitot no zemākā")
    )
    assert not _untranslated(page)
    page.get_by_role("link", name="Slēpt nosauktās organizācijas vērtības").click()
    expect(table.locator("thead th")).to_have_count(8)

    with page.expect_download() as info:
        page.get_by_role("link", name="Pārskats (PDF)").click()
    download = info.value
    assert re.fullmatch(r"network-\d+-2024-socquality\.pdf", download.suggested_filename)
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 10_000  # a chart and tables, not an error page wrapped as a PDF
    _accessible(page)


def test_a_head_sees_where_their_organisation_stands_in_latvian(
    demo: int, new_context: NewContext
) -> None:
    page = new_context(viewport=DESKTOP, locale="lv-LV").new_page()
    _sign_in(page, HEAD, "lv")
    page.get_by_role("link", name=HEAD_ORG, exact=True).click()
    page.get_by_role("link", name="Mūsu vieta mūsu tīklos").click()
    page.wait_for_url(re.compile(r"/staff/organisations/\d+/networks$"))
    expect(page.locator("h1")).to_contain_text("Mūsu vieta mūsu tīklos")

    section = page.locator("section.position")
    expect(section).to_have_count(1)
    expect(section.locator("h2")).to_contain_text(REGION)
    expect(section.locator("h2")).to_contain_text("2024")
    expect(section).to_contain_text("Jūsu organizācija šajā tīklā ir nosaukta.")
    rows = section.locator("tbody tr")
    expect(rows).to_have_count(demo + 1)
    bands = {
        i18n.translate("lv", label)
        for label in (
            "in the lowest quarter (below Q1)",
            "between Q1 and the median",
            "at the median",
            "between the median and Q3",
            "in the highest quarter (above Q3)",
        )
    }
    for i in range(demo + 1):
        score, n, q1, median, q3, where = rows.nth(i).locator("td").all_inner_texts()
        assert NUMBER.match(score) and n == "5", (score, n)
        assert float(q1) <= float(median) <= float(q3)
        band, _, place = where.partition(" · ")
        assert band in bands, where
        # Named organisations get their place; it must agree with the quartiles.
        found = re.fullmatch(r"(\d)\. no 5, skaitot no zemākā", place)
        assert found, where
        rank = int(found.group(1))
        if float(score) < float(q1):
            assert rank <= 2, where
        if float(score) > float(q3):
            assert rank >= 4, where
    # The head sees the partners' distribution, never their names.
    html = page.content()
    for name in (n for n, _, _ in SMALL_ORGS if n != HEAD_ORG):
        assert name not in html, name
    assert not _untranslated(page)
    _accessible(page)


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_the_dashboard_and_the_position_page_fit_a_phone_and_pass_axe(
    demo: int, new_context: NewContext, screenshots: Path, lang: str
) -> None:
    wide: dict[str, int] = {}
    for size, viewport in (("phone", PHONE_360), ("desktop", DESKTOP)):
        for who, opened, shot in (
            (COORDINATOR, _open_dashboard, "coordinator-dashboard"),
            (HEAD, _open_position, "head-network-position"),
        ):
            page = new_context(viewport=viewport).new_page()
            _sign_in(page, who, lang)
            opened(page, lang)
            expect(page.locator("html")).to_have_attribute("lang", lang)
            page.wait_for_load_state("networkidle")  # the charts are in the screenshot
            page.screenshot(path=str(screenshots / f"{shot}-{lang}-{size}.png"), full_page=True)
            wide[f"{shot} {size}"] = _overflow(page)
            _accessible(page)
            if lang == "lv":
                assert not _untranslated(page), page.url
    assert all(v <= 0 for v in wide.values()), wide
