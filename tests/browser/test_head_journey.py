"""A service head runs a cycle in Latvian: creates and opens it, watches a response
arrive without reloading (htmx polls the table), closes it, compares it with last year
and writes an action into the improvement plan."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from qms.store import codes, directory, users
from qms.store.cycles import close_cycle, create_cycle, get_cycle, get_organisation
from qms.store.db import Database
from qms.store.responses import create_response
from qms.store.snapshots import read_snapshot
from tests.browser.respondent_pages import DESKTOP, NewContext

pytestmark = pytest.mark.browser

QUESTIONNAIRES = Path(__file__).resolve().parents[2] / "questionnaires"
EMAIL = "journey-head@example.org"
PASSWORD = "journey head password 2026"


WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _accessible(page: Page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert not results.violations_count, f"{page.url}:\n{results.generate_report()}"


def _seed(url: str) -> int:
    """An organisation with last year's closed cycle and its head; returns its id."""
    db = Database(url)
    try:
        with db.session() as s:
            org_id = directory.create_organisation(s, "Dienas centrs Ceļš", actor_id=None)
            head = users.create_user(s, EMAIL, PASSWORD, actor_id=None)
            users.add_role(s, head, "head", organisation_id=org_id, actor_id=None)
            last = create_cycle(s, get_organisation(s, org_id), 2025,
                                read_snapshot(QUESTIONNAIRES, "socquality"))
            for n in range(6):
                create_response(s, last, group="staff", respondent=f"r{n}", source="import",
                                submitted=True, answers={"staff.goals": 2 + n % 3})
            close_cycle(s, last)
            s.commit()
            return org_id
    finally:
        db.dispose()


def _code_for(url: str, cycle_id: int) -> str:
    db = Database(url)
    try:
        with db.session() as s:
            made = codes.create_codes(s, get_cycle(s, cycle_id), "staff", 1)[0]
            s.commit()
            return made
    finally:
        db.dispose()


def test_a_head_runs_a_cycle_in_latvian(
    new_context: NewContext, browser_database_url: str, screenshots: Path
) -> None:
    org_id = _seed(browser_database_url)
    head = new_context(viewport=DESKTOP, locale="lv-LV").new_page()
    head.goto("/login?lang=lv")
    head.fill("#email", EMAIL)
    head.fill("#password", PASSWORD)
    head.locator("main button[type=submit]").click()
    head.wait_for_url(re.compile(r"/staff"))

    # A new cycle: all groups, a target for staff.
    head.goto(f"/staff/organisations/{org_id}")
    head.get_by_role("link", name="Jauns cikls").click()
    _accessible(head)
    head.fill("#year", "2026")
    head.locator('[id="target:staff"]').fill("2")
    head.get_by_role("button", name="Izveidot ciklu").click()
    head.wait_for_url(re.compile(r"/staff/cycles/\d+\?done=created"))
    found = re.search(r"/staff/cycles/(\d+)", head.url)
    assert found
    cycle_id = int(found.group(1))
    expect(head.locator(".notice")).to_contain_text("melnraksts")

    head.get_by_role("button", name="Atvērt ciklu").click()
    expect(head.locator(".notice")).to_contain_text("Cikls ir atvērts")
    staff_row = head.locator("#group-staff")
    expect(staff_row.locator("td.submitted")).to_have_text(re.compile(r"^\s*0"))
    head.evaluate("window.__stillTheSamePage = true")

    # Someone answers in another browser.
    code = _code_for(browser_database_url, cycle_id)
    respondent = new_context(locale="lv-LV").new_page()
    respondent.goto(f"/a/{code}/1?lang=lv")
    respondent.locator('input[name="staff.role"]').first.check()
    respondent.locator('button[value="next"]').click()
    respondent.goto(f"/a/{code}/3")
    respondent.locator('input[name="staff.rights"]').first.check()
    respondent.locator('button[value="next"]').click()
    respondent.goto(f"/a/{code}/review")
    respondent.locator("form.send-form button[type=submit]").click()
    respondent.wait_for_url(re.compile(r"/done$"))

    # The head's table follows without a reload.
    expect(staff_row.locator("td.submitted")).to_have_text(re.compile(r"^\s*1"), timeout=15_000)
    expect(staff_row.locator(".rate-value")).to_have_text("50%")
    assert head.evaluate("window.__stillTheSamePage") is True
    head.screenshot(path=str(screenshots / "head-cycle-live-lv.png"), full_page=True)
    _accessible(head)

    # Closing needs the confirmation.
    head.get_by_role("button", name="Slēgt ciklu").click()
    expect(head.locator("#confirm-error")).to_be_visible()
    head.check("#confirm")
    head.get_by_role("button", name="Slēgt ciklu").click()
    expect(head.locator(".notice")).to_contain_text("Cikls ir slēgts")
    expect(head.get_by_role("button", name="Atvērt ciklu atkārtoti")).to_be_visible()

    head.get_by_role("link", name="Salīdzinājums pa gadiem").click()
    expect(head.locator("h2").first).to_have_text("Izmaiņas no 2025. līdz 2026. gadam")
    head.screenshot(path=str(screenshots / "head-compare-lv.png"), full_page=True)
    _accessible(head)

    head.goto(f"/staff/cycles/{cycle_id}")
    head.get_by_role("link", name="Pilnveides plāns").click()
    head.select_option("#criterion", "3")
    head.fill("#title", "Supervīzija reizi mēnesī")
    head.fill("#owner", "Vadītāja")
    head.get_by_role("button", name="Pievienot pasākumu").click()
    expect(head.locator(".plan-action h3")).to_have_text("Supervīzija reizi mēnesī")
    expect(head.locator(".plan-action .notice")).to_have_text("Saglabāts.")
    head.screenshot(path=str(screenshots / "head-plan-lv.png"), full_page=True)
    _accessible(head)
