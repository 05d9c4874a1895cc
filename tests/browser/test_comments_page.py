"""A head reads the clients' comments in Latvian on a phone, hides one without JavaScript
and shows it again; the page passes axe-core in each state, and so does the report with
its comments."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from qms.store import directory, users
from qms.store.cycles import close_cycle, create_cycle, get_organisation
from qms.store.db import Database
from qms.store.responses import create_response
from qms.store.snapshots import read_snapshot
from tests.browser.respondent_pages import NewContext
from tests.browser.test_head_journey import QUESTIONNAIRES, WCAG_22_AA

pytestmark = pytest.mark.browser

ORGANISATION = "Grupu māja Komentāri"
EMAIL = "comments-head@example.org"
PASSWORD = "comments head password 2026"
WISHES = [f"Vēlos vairāk pastaigu, {n}. reize" for n in range(6)]


def _seed(url: str) -> int:
    db = Database(url)
    try:
        with db.session() as s:
            org_id = directory.create_organisation(s, ORGANISATION, actor_id=None)
            head = users.create_user(s, EMAIL, PASSWORD, actor_id=None)
            users.add_role(s, head, "head", organisation_id=org_id, actor_id=None)
            cycle = create_cycle(
                s, get_organisation(s, org_id), 2026, read_snapshot(QUESTIONNAIRES, "socquality")
            )
            for n, wish in enumerate(WISHES):
                create_response(
                    s,
                    cycle,
                    group="clients",
                    respondent=f"c{n}",
                    source="import",
                    submitted=True,
                    answers={"clients.respect": 1 + n % 5, "clients.wish": wish},
                )
            close_cycle(s, cycle)
            s.commit()
            return cycle.id
    finally:
        db.dispose()


def _accessible(page: Page) -> None:
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert not results.violations_count, f"{page.url}:\n{results.generate_report()}"


def _sign_in(page: Page) -> None:
    page.goto("/login?lang=lv")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff"))


def test_a_head_hides_a_comment_and_shows_it_again(
    new_context: NewContext, browser_database_url: str
) -> None:
    cycle_id = _seed(browser_database_url)
    url = f"/staff/cycles/{cycle_id}/comments"
    head = new_context(locale="lv-LV").new_page()
    _sign_in(head)
    head.goto(url + "?lang=lv")
    expect(head.get_by_role("heading", level=1)).to_contain_text("Komentāri")
    expect(head.locator("#item-clients\\.wish .comment-text")).to_have_count(len(WISHES))
    _accessible(head)

    # Without JavaScript: a plain form post and a redirect back.
    plain = new_context(locale="lv-LV", java_script_enabled=False).new_page()
    _sign_in(plain)
    plain.goto(url)
    target = plain.locator("#item-clients\\.wish li").filter(has_text=WISHES[0])
    target.get_by_role("button", name="Paslēpt šo komentāru").click()
    plain.wait_for_url(re.compile(r"done=hidden"))
    expect(plain.locator(".notice")).to_contain_text("Komentārs ir paslēpts")
    expect(plain.locator("main")).not_to_contain_text(WISHES[0])

    head.goto(url)
    expect(head.locator("main")).not_to_contain_text(WISHES[0])
    _accessible(head)
    head.get_by_role("link", name="Parādīt sarakstu, lai kādu rādītu atkal").click()
    expect(head.locator(".hidden-comments")).to_contain_text(WISHES[0])
    _accessible(head)
    head.get_by_role("button", name="Rādīt atkal").click()
    head.wait_for_url(re.compile(r"done=shown"))
    expect(head.locator("#item-clients\\.wish .comment-text")).to_have_count(len(WISHES))

    head.goto(f"/staff/cycles/{cycle_id}/report")
    expect(head.locator("section.comments li")).to_have_count(len(WISHES))
    _accessible(head)
