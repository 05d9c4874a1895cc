"""qms.disclosure.comments: which comments a head sees, by which key, in what order."""

from __future__ import annotations

import random

import pytest

from qms import i18n
from qms.app import create_app
from qms.disclosure.comments import (
    UnitAnswers,
    comment_key,
    hidden_comments,
    select_comments,
    text_items,
)
from qms.methodology.model import Item, Methodology
from qms.presentation.templates import report_env
from qms.settings import Settings
from tests.unit.scoring.builders import crit, group, item, methodology, scale, text


def _text_item(item_id: str) -> Item:
    return Item(id=item_id, type="text", text=text(item_id))


def _methodology() -> Methodology:
    return methodology(
        groups=[group("wg", consensus=True), group("staff", min_n=3), group("plain", min_n=2)],
        scales=[scale("agree5", 1, 2, 3, 4, 5)],
        criteria=[crit("1")],
        items={
            "wg": [item("wg.a", "1"), _text_item("wg.note")],
            "staff": [_text_item("s.first"), item("s.a", "1"), _text_item("s.second")],
            "plain": [item("p.a", "1")],
        },
    )


def _rows(n: int) -> list[UnitAnswers]:
    return [
        UnitAnswers(f"unit-{i:02d}", {"s.a": 3, "s.first": f"first {i}", "s.second": f"second {i}"})
        for i in range(n)
    ]


def _select(
    rows: list[UnitAnswers] | None,
    *,
    hidden: set[tuple[str, str]] | None = None,
    seed: int = 1,
    min_n: int = 3,
) -> dict[str, list[str]]:
    shown = select_comments(
        _methodology(), "staff", rows, min_n=min_n, hidden=hidden or set(), rng=random.Random(seed)
    )
    return {i.item: [c.text for c in i.comments] for i in shown.items}


def test_below_the_minimum_nothing_but_the_fact() -> None:
    m = _methodology()
    few = select_comments(m, "staff", _rows(2), min_n=3, hidden=set(), rng=random.Random(1))
    assert (few.state, few.respondents, few.min_n, few.items) == ("few", 2, 3, ())
    assert few.count("s.first") is None
    pending = select_comments(m, "staff", None, min_n=3, hidden=set(), rng=random.Random(1))
    assert (pending.state, pending.respondents, pending.items) == ("pending", 0, ())
    assert (
        hidden_comments(
            m, "staff", _rows(2), min_n=3, hidden={("s.first", comment_key("unit-00", "s.first"))}
        )
        == ()
    )


def test_at_the_minimum_every_text_answer_per_item_in_questionnaire_order() -> None:
    rows = [*_rows(3), UnitAnswers("unit-blank", {"s.first": "   ", "s.a": 2})]
    shown = select_comments(
        _methodology(), "staff", rows, min_n=3, hidden=set(), rng=random.Random(1)
    )
    assert shown.state == "shown" and shown.respondents == 4
    assert [i.item for i in shown.items] == ["s.first", "s.second"]
    texts = {i.item: sorted(c.text for c in i.comments) for i in shown.items}
    assert texts == {
        "s.first": ["first 0", "first 1", "first 2"],
        "s.second": ["second 0", "second 1", "second 2"],
    }
    assert shown.count("s.first") == 3 and shown.count("s.other") == 0


def test_a_min_n_of_one_still_needs_a_respondent() -> None:
    assert _select([], min_n=0) == {}


def test_hidden_comments_are_left_out_and_listed_only_for_showing_again() -> None:
    rows = _rows(4)
    key = comment_key("unit-01", "s.first")
    shown = _select(rows, hidden={("s.first", key)})
    assert "first 1" not in shown["s.first"] and len(shown["s.first"]) == 3
    assert "second 1" in shown["s.second"]  # the same respondent's other comment stays
    # A key hides only on its own item.
    assert len(_select(rows, hidden={("s.second", key)})["s.first"]) == 4
    listed = hidden_comments(_methodology(), "staff", rows, min_n=3, hidden={("s.first", key)})
    assert [(i.item, [(c.key, c.text) for c in i.comments]) for i in listed] == [
        ("s.first", [(key, "first 1")])
    ]


def test_keys_are_stable_per_answer_and_link_nothing_else() -> None:
    rows = _rows(3)
    shown = select_comments(
        _methodology(), "staff", rows, min_n=3, hidden=set(), rng=random.Random(5)
    )
    keys = {c.text: c.key for i in shown.items for c in i.comments}
    assert keys["first 0"] == comment_key("unit-00", "s.first")
    assert keys["first 0"] != keys["second 0"]  # one respondent, two items
    assert len(set(keys.values())) == 6
    assert not set(keys.values()) & {r.unit for r in rows}
    assert comment_key("unit-00", "s.first") == comment_key("unit-00", "s.first")
    assert len(comment_key("unit-00", "s.first")) == 64  # the hidden_comments column


def test_the_order_depends_on_the_random_source_alone() -> None:
    rows = _rows(8)
    reversed_rows = list(reversed(rows))
    for seed in range(5):
        assert _select(rows, seed=seed) == _select(reversed_rows, seed=seed)
    orders = {tuple(_select(rows, seed=seed)["s.first"]) for seed in range(20)}
    assert len(orders) > 10
    arrival = tuple(f"first {i}" for i in range(8))
    assert sum(o == arrival for o in orders) <= 1


def test_the_consensus_group_and_groups_without_questionnaires_have_no_comments() -> None:
    m = _methodology()
    with pytest.raises(ValueError):
        select_comments(m, "wg", _rows(3), min_n=1, hidden=set(), rng=random.Random(1))
    with pytest.raises(ValueError):
        text_items(m, "nobody")
    assert text_items(m, "plain") == ()
    assert (
        select_comments(m, "plain", _rows(3), min_n=2, hidden=set(), rng=random.Random(1)).items
        == ()
    )


@pytest.mark.parametrize(
    ("count", "link", "expected"),
    [
        (None, True, "comments not shown"),
        (0, True, "no comments"),
        (3, True, '<a class="comment-count" href="/staff/cycles/7/comments">Comments: 3</a>'),
        (3, False, '<span class="comment-count">Comments: 3</span>'),
    ],
)
def test_the_count_partial_says_nothing_below_the_minimum(
    count: int | None, link: bool, expected: str, sqlite_url: str
) -> None:
    # The fragment links by route name: reversed by the real app, as on the results page.
    app = create_app(Settings(database_url=sqlite_url, secret_key="test-secret-key-0123456789"))
    token = i18n.current_language.set("en")
    try:
        html = (
            report_env()
            .get_template("comments/_count.html")
            .render(count=count, cycle_id=7, comments_link=link, url_for=app.route_reverse)
        )
    finally:
        i18n.current_language.reset(token)
    assert expected in html
    assert ("href" in html) == (count is not None and count > 0 and link)
