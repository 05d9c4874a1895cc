"""Every respondent page: no axe-core violations (WCAG 2.2 AA), no sideways scrolling on
a phone or at 200% text size, a light section page; screenshots for people to look at."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.respondent_pages import CLIENTS, DESKTOP, PHONE, NewContext, every_page

pytestmark = pytest.mark.browser

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PAGE_BUDGET = 60 * 1024


def _overflow(page: Page) -> int:
    """How far the page reaches past the viewport sideways (0 when it does not)."""
    width: int = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return width


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_axe_finds_no_violations(new_context: NewContext, lang: str) -> None:
    page = new_context().new_page()
    axe = Axe()
    failures: dict[str, Any] = {}
    visited = []
    for name in every_page(page, lang):
        visited.append(name)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
        if results.violations_count:
            failures[name] = results.generate_report()
    assert len(visited) == 14
    assert not failures, "\n\n".join(f"{name}:\n{report}" for name, report in failures.items())


@pytest.mark.parametrize("lang", ["lv", "en"])
def test_nothing_scrolls_sideways_on_a_phone_or_at_200_percent(
    new_context: NewContext, lang: str
) -> None:
    phone = new_context(viewport={"width": 360, "height": 740}).new_page()
    wide = {name: _overflow(phone) for name in every_page(phone, lang)}
    # 200% text on a 640 px window is what a 320 px phone shows at 100%, at double size.
    zoomed = new_context(viewport={"width": 640, "height": 800}).new_page()
    big = {}
    for name in every_page(zoomed, lang):
        zoomed.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
        big[name] = _overflow(zoomed)
    assert all(v <= 0 for v in wide.values()), wide
    assert all(v <= 0 for v in big.values()), big


def test_a_section_page_weighs_at_most_60_kb(new_context: NewContext) -> None:
    page = new_context(extra_http_headers={"Accept-Encoding": "gzip"}).new_page()
    page.goto(f"{CLIENTS}/3?lang=lv")
    page.wait_for_load_state("networkidle")
    sizes: dict[str, int] = page.evaluate(
        """() => Object.fromEntries(
             [...performance.getEntriesByType('navigation'),
              ...performance.getEntriesByType('resource')]
             .map(e => [e.name, e.transferSize]))"""
    )
    assert any(name.endswith("htmx.min.js") for name in sizes), sizes
    assert all(size > 0 for size in sizes.values()), f"cached or unmeasured: {sizes}"
    total = sum(sizes.values())
    print(f"section page transfer: {total} bytes {sizes}")
    assert total <= PAGE_BUDGET, sizes


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_screenshots_of_every_page(new_context: NewContext, screenshots: Path, size: str) -> None:
    viewport = PHONE if size == "phone" else DESKTOP
    for lang in ("lv", "en"):
        page = new_context(viewport=viewport).new_page()
        for name in every_page(page, lang):
            page.screenshot(path=screenshots / f"{name}-{lang}-{size}.png", full_page=True)
    assert len(list(screenshots.glob(f"*-{size}.png"))) >= 28
