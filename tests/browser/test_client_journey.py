"""Issue "Respondents in the browser", as its users would try it: a client with a real
access code, in Latvian, on a phone 360 px wide, by keyboard alone, with JavaScript and
without; a connection that drops for a moment loses nothing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from qms.store.db import Database
from qms.store.models import Answer, Response
from qms.store.models.codes import AccessCode
from tests.browser.respondent_pages import NewContext, focused, tab_to, walk_clients

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 740}
SAVED = "Saglabāts"


def _type_code(page: Page, code: str) -> None:
    """Tab to the code field, type the code from the slip, Enter."""
    page.goto("/?lang=lv")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "code":
            break
    else:
        raise AssertionError("Tab never reached the code field")
    page.keyboard.type(code)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _send(page: Page) -> int:
    """On the review page: say someone helped, send; returns the answers listed."""
    expect(page.locator("h1")).to_have_text("Pārbaudiet savas atbildes")
    listed = page.locator("dd.answer:not(.unanswered)").count()
    tab_to(page, "Kāds man palīdzēja")
    assert focused(page)["type"] == "checkbox"
    page.keyboard.press("Space")
    tab_to(page, "Nosūtīt manas atbildes")
    with page.expect_navigation(url=re.compile(r"/done$")):
        page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Paldies")
    return listed


def _stored(database_url: str, code: str) -> tuple[str, bool, dict[str, str]]:
    """The response the code made: status, the "helped" flag, its answers."""
    database = Database(database_url)
    try:
        with database.session() as s:
            response = s.scalars(
                select(Response)
                .join(AccessCode, AccessCode.response_id == Response.id)
                .where(AccessCode.code == code.replace("-", ""))
            ).one()
            answers = {
                a.item_id: a.value_text or ""
                for a in s.scalars(select(Answer).where(Answer.response_id == response.id))
            }
            return response.status, response.proxy, answers
    finally:
        database.dispose()


def test_a_client_answers_in_latvian_by_keyboard_and_a_dropped_save_is_retried(
    new_context: NewContext, client_code: str, browser_database_url: str
) -> None:
    page = new_context(viewport=SMALL_PHONE).new_page()
    _type_code(page, client_code)
    expect(page).to_have_url(re.compile(rf"/a/{client_code}$"))

    # Part 1, then the connection drops while part 2's first answer is given.
    tab_to(page, "Sākt")
    with page.expect_navigation(url=re.compile(r"/1$")):
        page.keyboard.press("Enter")
    page.route("**/save/**", lambda route: route.abort())
    tab_to(page, "Dienas centrs")  # the first option of the first question
    page.keyboard.press("Space")
    status = page.locator("#q-clients-service .save-status")
    expect(status).to_contain_text("Nav saglabāts")
    page.unroute("**/save/**")
    tab_to(page, "Mēģināt vēlreiz")
    page.keyboard.press("Enter")
    expect(status).to_contain_text(SAVED)

    # Away and back: the introduction goes on where part 1 (its one question answered,
    # after the retry) ended.
    page.goto(f"/a/{client_code}?lang=lv")
    seen = walk_clients(
        page, js=True, lang="lv", start=None, saved=SAVED, button="Turpināt no vietas"
    )
    assert seen[0].endswith("/2")
    assert len(seen) == 5
    listed = _send(page)

    status_now, helped, answers = _stored(browser_database_url, client_code)
    assert status_now == "submitted" and helped
    assert answers["clients.service"] == "day_centre"
    assert len(answers) == listed  # everything the review page showed is stored


def test_a_client_answers_in_latvian_by_keyboard_without_javascript(
    new_context: NewContext, client_code: str, browser_database_url: str
) -> None:
    page = new_context(viewport=SMALL_PHONE, java_script_enabled=False).new_page()
    _type_code(page, client_code)
    expect(page).to_have_url(re.compile(rf"/a/{client_code}$"))
    seen = walk_clients(page, js=False, lang="lv", start=None)
    assert seen[0].endswith("/1") and seen[-1].endswith("/6")
    listed = _send(page)

    status_now, helped, answers = _stored(browser_database_url, client_code)
    assert status_now == "submitted" and helped
    assert len(answers) == listed > 10
    # Nothing sideways on the smallest phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SMALL_PHONE["width"]
