"""Resuming with the same code after the browser was closed: a new browser (no cookies,
no history) lands on the part where the person stopped, with the answers shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.respondent_pages import NewContext

pytestmark = pytest.mark.browser

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _enter_code(page: Page, code: str, lang: str) -> None:
    page.goto(f"/?lang={lang}")
    page.locator("#code").fill(code.replace("-", "").lower())  # typed carelessly
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _no_axe_violations(page: Page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert not results.violations_count, results.generate_report()


@pytest.mark.parametrize("lang", ["en", "lv"])
def test_resume_after_closing_the_browser(
    new_context: NewContext, client_code: str, lang: str, screenshots: Path
) -> None:
    first = new_context()
    page = first.new_page()
    _enter_code(page, client_code, lang)
    expect(page).to_have_url(re.compile(rf"/a/{client_code}$"))
    # Each page loaded before an answer: htmx listens for changes only once it has
    # processed the page, and on a busy machine the page shows well before that.
    with page.expect_navigation(url=re.compile(rf"/a/{client_code}/1$")):
        page.locator("a.button.start").click()
    expect(page).to_have_url(re.compile(rf"/a/{client_code}/1$"))
    page.locator("#q-clients-service-1").check()  # Day centre
    expect(page.locator("#q-clients-service .save-status")).not_to_be_empty()
    with page.expect_navigation(url=re.compile(rf"/a/{client_code}/2$")):
        page.locator("button[value=next]").click()
    expect(page).to_have_url(re.compile(rf"/a/{client_code}/2$"))
    # Half of part 2, saved as given; then the browser is closed without "Continue".
    page.locator("#q-clients-respect-4").check()
    expect(page.locator("#q-clients-respect .save-status .saved")).to_be_visible()
    first.close()

    # Another browser, without JavaScript even: the code alone brings the answers back.
    page = new_context(java_script_enabled=False).new_page()
    _enter_code(page, client_code, lang)
    expect(page).to_have_url(re.compile(rf"/a/{client_code}/2$"))
    expect(page.locator("#q-clients-respect-4")).to_be_checked()
    expect(page.locator("#q-clients-time input:checked")).to_have_count(0)
    page.screenshot(path=str(screenshots / f"resume-section-{lang}.png"), full_page=True)
    page.locator("button[value=back]").click()
    expect(page).to_have_url(re.compile(rf"/a/{client_code}/1$"))
    expect(page.locator("#q-clients-service-1")).to_be_checked()

    # The introduction offers to continue at the same place. (axe needs JavaScript: in a
    # context without it, its script would wait forever.)
    page = new_context().new_page()
    page.goto(f"/a/{client_code}")
    resume = page.locator("a.button.start")
    expect(resume).to_have_attribute("href", f"/a/{client_code}/2")
    page.screenshot(path=str(screenshots / f"resume-intro-{lang}.png"), full_page=True)
    _no_axe_violations(page)
