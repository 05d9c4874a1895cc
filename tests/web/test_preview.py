"""The questionnaire preview over HTTP: pages, form posts without JavaScript, the htmx
save, and answers kept in signed cookies."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient

CLIENTS = "/preview/socquality/clients"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def client(sqlite_app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app=sqlite_app, base_url="http://127.0.0.1") as test_client:
        test_client.headers["Accept-Language"] = "en"
        yield test_client


def post(
    client: TestClient[Litestar], path: str, data: dict[str, object], **kwargs: Any
) -> httpx.Response:
    """A form post as the browser sends it, with the CSRF token its page carried."""
    page = client.get(path if "/save/" not in path and "/restart" not in path else f"{CLIENTS}/1")
    token = _TOKEN.search(page.text)
    fields = {**data, **({"csrf_token": token.group(1)} if token else {})}
    return client.post(path, data=fields, follow_redirects=False, **kwargs)


def test_intro_and_sections_render_in_the_chosen_language(client: TestClient[Litestar]) -> None:
    intro = client.get(f"{CLIENTS}?lang=lv")
    assert intro.status_code == 200
    assert '<html lang="lv">' in intro.text
    assert "Anketa: Klienti" in intro.text
    assert f'href="{CLIENTS}/1"' in intro.text
    section = client.get(f"{CLIENTS}/2")
    assert "Darbinieki ir pieklājīgi un izturas pret mani ar cieņu." in section.text
    assert "2. daļa no 6" in section.text
    assert 'class="or"' in section.text
    assert 'hx-post="/preview/socquality/clients/save/clients.respect"' in section.text


@pytest.mark.parametrize(
    "path",
    [
        "/preview/nothing/clients",
        "/preview/socquality/nobody",
        f"{CLIENTS}/0",
        f"{CLIENTS}/7",
        "/preview/..%2F..%2Fetc/clients",
        "/preview/SocQuality/clients",
    ],
)
def test_what_does_not_exist_is_a_404(client: TestClient[Litestar], path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_index_lists_the_questionnaires(client: TestClient[Litestar]) -> None:
    page = client.get("/preview")
    assert page.status_code == 200
    for group in ("organisation", "managers", "staff", "clients", "community"):
        assert f'href="/preview/socquality/{group}"' in page.text


def test_a_section_without_required_answers_shows_errors(client: TestClient[Litestar]) -> None:
    response = post(client, f"{CLIENTS}/1", {"_action": "next", "_shown": "clients.service"})
    assert response.status_code == 200
    text = response.text
    assert "<title>Error: Your service" in text
    assert 'href="#q-clients-service-1"' in text
    assert 'id="q-clients-service-error"' in text
    assert 'aria-describedby="q-clients-service-error"' in text


def test_answers_carry_from_section_to_section_and_to_the_review(
    client: TestClient[Litestar],
) -> None:
    first = post(client, f"{CLIENTS}/1", {"_action": "next", "clients.service": "home_care"})
    assert first.status_code == 303
    assert first.headers["location"] == f"{CLIENTS}/2"
    second = post(
        client, f"{CLIENTS}/2", {"_action": "next", "clients.respect": "4", "clients.time": "dk"}
    )
    assert second.headers["location"] == f"{CLIENTS}/3"
    # Home care: the question about premises is not shown, nor counted.
    third = client.get(f"{CLIENTS}/3")
    assert 'id="q-clients-premises" hidden' in third.text
    assert "3 of 17 questions answered" in third.text
    assert (
        'id="q-clients-respect-4" name="clients.respect" value="4" checked'
        in client.get(f"{CLIENTS}/2").text
    )
    review = client.get(f"{CLIENTS}/review")
    assert "Home care" in review.text
    assert "Rather agree" in review.text
    assert "Don&#39;t know" in review.text
    assert f'href="{CLIENTS}/2?return=review#q-clients-respect"' in review.text


def test_previous_keeps_answers_without_asking_for_required_ones(
    client: TestClient[Litestar],
) -> None:
    back = post(client, f"{CLIENTS}/2", {"_action": "back", "clients.time": "5"})
    assert back.headers["location"] == f"{CLIENTS}/1"
    assert "1 of 17 questions answered" in client.get(f"{CLIENTS}/1").text


def test_change_from_the_review_returns_to_the_review(client: TestClient[Litestar]) -> None:
    page = client.get(f"{CLIENTS}/4?return=review")
    assert 'name="_return" value="review"' in page.text
    done = post(
        client, f"{CLIENTS}/4", {"_action": "next", "_return": "review", "clients.safe": "5"}
    )
    assert done.headers["location"] == f"{CLIENTS}/review"


def test_an_answer_that_reveals_a_question_keeps_the_page(client: TestClient[Litestar]) -> None:
    response = post(
        client,
        f"{CLIENTS}/6",
        {"_action": "next", "_shown": "clients.helped", "clients.helped": "yes"},
    )
    assert response.status_code == 200
    text = response.text
    assert "Your answer added a question to this page." in text
    assert 'href="#q-clients-helper"' in text
    assert "Who helped you?" in text


def test_sending_needs_the_required_answers_then_thanks(client: TestClient[Litestar]) -> None:
    refused = post(client, f"{CLIENTS}/review", {"_helped": "1"})
    assert refused.status_code == 200
    text = refused.text
    assert "Answer the question: Which of our services do you use?" in text
    assert f'href="{CLIENTS}/1?return=review#q-clients-service"' in text
    assert 'id="helped" name="_helped" value="1" checked' in text
    for number, data in (
        (1, {"clients.service": "other"}),
        (2, {"clients.respect": "1"}),
        (5, {"clients.overall": "na"}),
    ):
        post(client, f"{CLIENTS}/{number}", {"_action": "next", **data})
    sent = post(client, f"{CLIENTS}/review", {})
    assert sent.headers["location"] == f"{CLIENTS}/done"
    assert "Your answers have been sent." in client.get(f"{CLIENTS}/done").text
    restart = post(client, f"{CLIENTS}/restart", {})
    assert restart.headers["location"] == CLIENTS
    assert "0 of 17 questions answered" in client.get(f"{CLIENTS}/2").text


def test_the_htmx_save_answers_with_a_status_and_the_changes_it_causes(
    client: TestClient[Litestar],
) -> None:
    saved = post(
        client,
        f"{CLIENTS}/save/clients.helped",
        {"clients.helped": "yes"},
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200
    text = saved.text
    assert "Saved" in text
    assert "<html" not in text
    assert 'id="q-clients-helper" hx-swap-oob="true"' in text
    assert 'id="progress" hx-swap-oob="true"' in text
    assert "1 of 18 questions answered" in text
    hidden = post(client, f"{CLIENTS}/save/clients.helped", {"clients.helped": "no"})
    assert 'id="q-clients-helper" hidden hx-swap-oob="true"' in hidden.text
    bad = post(client, f"{CLIENTS}/save/clients.respect", {"clients.respect": "9"})
    assert "Not saved: Choose one of the options" in bad.text
    assert "set-cookie" not in bad.headers or "qms_preview" not in bad.headers["set-cookie"]
    assert post(client, f"{CLIENTS}/save/no.such.item", {}).status_code == 404


def test_forged_or_foreign_cookies_are_ignored(client: TestClient[Litestar]) -> None:
    post(client, f"{CLIENTS}/1", {"_action": "next", "clients.service": "other"})
    value = client.cookies.get("qms_preview_socquality_clients_0", path=CLIENTS)
    assert value
    client.cookies.clear()
    client.cookies.set("qms_preview_socquality_clients_0", value[:-2] + "xx", path=CLIENTS)
    assert "0 of 17 questions answered" in client.get(f"{CLIENTS}/1").text
    # A valid cookie of the clients questionnaire means nothing to the staff one.
    client.cookies.clear()
    client.cookies.set("qms_preview_socquality_staff_0", value, path="/preview/socquality/staff")
    assert "0 of" in client.get("/preview/socquality/staff/1").text


def test_easy_read_is_switched_by_a_link_and_remembered(client: TestClient[Litestar]) -> None:
    page = client.get(f"{CLIENTS}/2?easy=1")
    assert "Staff are polite to me. They respect me." in page.text
    assert 'href="?easy=0"' in page.text
    assert client.cookies.get("qms_easy") == "1"
    assert "Staff understand my life." in client.get(f"{CLIENTS}/2").text
    assert "Staff understand my situation" in client.get(f"{CLIENTS}/2?easy=0").text


def test_a_post_without_the_csrf_token_is_refused(client: TestClient[Litestar]) -> None:
    client.get(CLIENTS)
    response = client.post(f"{CLIENTS}/1", data={"clients.service": "other"})
    assert response.status_code == 403


def test_checkboxes_post_every_chosen_option(client: TestClient[Litestar]) -> None:
    path = "/preview/socquality/community/4"
    page = client.get(path)
    token = _TOKEN.search(page.text)
    assert token
    response = client.post(
        path,
        data={
            "csrf_token": token.group(1),
            "_action": "next",
            "community.channels": ["website", "people"],
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    review = client.get("/preview/socquality/community/review")
    assert "The organisation&#39;s website, Friends, neighbours, acquaintances" in review.text
