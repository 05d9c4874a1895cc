"""Helpers for the respondent browser tests: the questionnaires they visit and a person
who answers with the keyboard alone."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
# Makes a browser context on the live server (the `new_context` fixture).
NewContext = Callable[..., BrowserContext]

CLIENTS = "/preview/socquality/clients"
CLIENT_SECTIONS = 6
# Sections with the widgets the clients questionnaire lacks: the 0–100 panel, numbers
# with units, checkboxes.
OTHER_WIDGETS = {
    "panel": "/preview/socquality/organisation/1",
    "numbers": "/preview/socquality/organisation/5",
    "checkboxes": "/preview/socquality/community/4",
}
MAX_KEYS = 400
# What htmx marks while it is busy: a request under way, a swap, content it has put in
# but not yet processed (its hx-* attributes do nothing until the settle step).
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"

_FOCUSED = """() => {
  const e = document.activeElement;
  const group = e.name ? document.querySelectorAll(`[name="${e.name}"]:checked`).length : 0;
  return {tag: e.tagName.toLowerCase(), type: (e.type || "").toLowerCase(), name: e.name || "",
          value: e.value || "", text: (e.innerText || "").trim(), checkedInGroup: group,
          label: e.labels && e.labels.length ? e.labels[0].innerText.trim() : "",
          item: e.closest(".q") ? e.closest(".q").id : ""};
}"""


def htmx_settled(page: Page) -> None:
    """Waits until htmx has finished with every swap: an answer given to a question that
    a save has just revealed, before htmx processed it, would be saved by no one."""
    expect(page.locator(HTMX_BUSY)).to_have_count(0)


def focused(page: Page) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(_FOCUSED)
    return result


def tab_to(page: Page, wanted: str, *, limit: int = 60) -> dict[str, Any]:
    """Presses Tab until an element whose text or label starts with `wanted` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["text"].startswith(wanted) or now["label"].startswith(wanted):
            return now
    raise AssertionError(f"Tab never reached {wanted!r}")


def answer_section(page: Page, *, js: bool, saved: str = "Saved") -> None:
    """Answers every unanswered question of the page in tab order, then presses Enter on
    the form's submit button. Radios get Space (the first option) except that every other
    scale question gets ArrowDown, so answers differ; a text box gets a sentence."""
    page.keyboard.press("Tab")  # the skip link comes first ...
    assert focused(page)["tag"] == "a", "the skip link is not the first stop"
    page.keyboard.press("Enter")  # ... and leads past the header into the page
    turn = 0
    for _ in range(MAX_KEYS):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] == "button" and now["value"] == "next":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
        answered = False
        if now["type"] == "radio" and not now["checkedInGroup"]:
            turn += 1
            other = turn % 2 == 0 and now["value"].isdigit()
            page.keyboard.press("ArrowDown" if other else "Space")
            answered = True
        elif now["type"] == "checkbox" and not now["checkedInGroup"] and now["item"]:
            page.keyboard.press("Space")
            answered = True
        elif now["tag"] == "textarea" and not now["value"]:
            page.keyboard.type("Vairāk laika sarunām, lūdzu.")
            page.keyboard.press("Tab")  # leaving the box is what fires its change
            page.keyboard.press("Shift+Tab")
            answered = True
        elif now["tag"] == "input" and now["type"] == "text" and not now["value"]:
            page.keyboard.type("12")
            answered = True
        if answered and js and now["item"]:
            expect(page.locator(f"#{now['item']} .save-status")).to_contain_text(saved)
            htmx_settled(page)
    raise AssertionError("the section was never submitted")


def walk_clients(
    page: Page,
    *,
    js: bool,
    lang: str = "en",
    start: str | None = CLIENTS,
    saved: str = "Saved",
    button: str | None = None,
) -> list[str]:
    """From the intro to the review page by keyboard; returns the section URLs seen.
    `start` None: the intro is the page already shown; `button`: its link to press."""
    if start is not None:
        page.goto(f"{start}?lang={lang}")
    tab_to(page, button or ("Start" if lang == "en" else "Sākt"))
    with page.expect_navigation(url=re.compile(r"/\d$")):
        page.keyboard.press("Enter")
    seen = []
    for _ in range(CLIENT_SECTIONS * 3):
        if page.url.endswith("/review"):
            return seen
        seen.append(page.url)
        answer_section(page, js=js, saved=saved)
    raise AssertionError(f"never reached the review page; last at {page.url}")


def every_page(page: Page, lang: str) -> Iterator[str]:
    """Visits each respondent page of the clients questionnaire and one page of every other
    widget, yielding a name for each while the page is shown."""
    page.goto(f"{CLIENTS}?lang={lang}")
    yield "intro"
    for number in range(1, CLIENT_SECTIONS + 1):
        page.goto(f"{CLIENTS}/{number}")
        yield f"section-{number}"
    page.goto(f"{CLIENTS}/1")
    page.locator("button[value=next]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    yield "section-errors"
    page.goto(f"{CLIENTS}/review")
    yield "review"
    page.locator(".send-form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()
    yield "review-errors"
    page.goto(f"{CLIENTS}/done")
    yield "done"
    for name, path in OTHER_WIDGETS.items():
        page.goto(path)
        yield name
