"""A respondent's way through a questionnaire in a real browser, by keyboard alone,
with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.respondent_pages import CLIENTS, focused, tab_to, walk_clients

pytestmark = pytest.mark.browser


def _finish_from_review(page: Page) -> None:
    expect(page.locator("h1")).to_have_text("Check your answers")
    # Answers given on the way are listed, with links back to change them.
    expect(page.locator("#q-clients-service .answer")).to_have_text("Day centre")
    expect(page.locator("#q-clients-helper")).to_be_visible()
    expect(page.locator("#q-clients-wish .answer")).to_contain_text("Vairāk laika")
    tab_to(page, "Someone helped me")  # the label's text is the checkbox's name
    now = focused(page)
    assert now["type"] == "checkbox"
    page.keyboard.press("Space")
    tab_to(page, "Send my answers")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/done$"))
    expect(page.locator("h1")).to_have_text("Thank you")


def test_keyboard_alone_with_javascript(page: Page) -> None:
    # Anything the CSP blocks (an inline style, eval) or a script error shows up here.
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    seen = walk_clients(page, js=True)
    assert seen[0].endswith("/1")
    assert len(seen) == 6  # htmx showed the helper question at once: no extra round
    _finish_from_review(page)
    assert problems == []


def test_keyboard_alone_without_javascript(nojs_page: Page) -> None:
    seen = walk_clients(nojs_page, js=False)
    # Without JavaScript the answer "yes, someone helped" brings the last section back
    # once, with the question it reveals.
    assert seen[-1] == seen[-2]
    assert seen[-1].endswith("/6")
    _finish_from_review(nojs_page)


def test_answers_are_saved_as_given_and_a_failed_save_can_be_retried(page: Page) -> None:
    page.goto(f"{CLIENTS}/2?lang=en")
    status = page.locator("#q-clients-respect .save-status")
    page.get_by_label("Rather agree").first.check()
    expect(status).to_contain_text("Saved")
    expect(page.locator("#progress")).to_contain_text("1 of 17 questions answered")
    page.reload()
    expect(page.locator("#q-clients-respect-4")).to_be_checked()

    page.route("**/save/**", lambda route: route.abort())
    page.locator("#q-clients-time-5").check()
    time_status = page.locator("#q-clients-time .save-status")
    expect(time_status).to_contain_text("Not saved")
    page.unroute("**/save/**")
    page.locator("#q-clients-time .retry").focus()
    page.keyboard.press("Enter")
    expect(time_status).to_contain_text("Saved")
    page.reload()
    expect(page.locator("#q-clients-time-5")).to_be_checked()


def test_a_bad_number_is_not_saved_and_says_why(page: Page) -> None:
    page.goto("/preview/socquality/organisation/5?lang=en")
    field = page.locator("#q-org-waiting_days-input")
    field.fill("lots")
    field.press("Tab")
    expect(page.locator("#q-org-waiting_days .save-status")).to_contain_text(
        "Not saved: Enter a number between 0 and 3,650"
    )


def test_switches_change_language_and_wording_and_keep_the_page(page: Page) -> None:
    page.goto(f"{CLIENTS}/2?lang=lv")
    expect(page.locator("html")).to_have_attribute("lang", "lv")
    expect(page.locator("h1")).to_have_text("Darbinieki")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/2\?lang=en$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Staff")
    question = page.locator("#q-clients-respect legend")
    expect(question).to_contain_text("Staff are polite and treat me with respect.")

    page.get_by_role("link", name="Show easy-to-read text").click()
    expect(question).to_contain_text("Staff are polite to me. They respect me.")
    # Remembered: the next page and another language keep the easy-read wording.
    page.goto(f"{CLIENTS}/3")
    expect(page.locator("#q-clients-planning legend")).to_contain_text("I help to plan my support.")
    page.get_by_role("link", name="Latviešu").click()
    expect(page.locator("#q-clients-planning legend")).to_contain_text(
        "Es palīdzu plānot savu atbalstu."
    )
    page.get_by_role("link", name="Rādīt parasto tekstu").click()
    expect(page.locator("#q-clients-planning legend")).to_contain_text(
        "Es piedalos savas palīdzības plānošanā."
    )


def test_errors_are_summarised_and_linked_without_javascript(nojs_page: Page) -> None:
    page = nojs_page
    page.goto(f"{CLIENTS}/1?lang=en")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    link = summary.get_by_role("link", name="Choose one of the options")
    expect(link).to_have_attribute("href", "#q-clients-service-1")
    expect(page.locator("#q-clients-service-error")).to_contain_text("Choose one of the options")
