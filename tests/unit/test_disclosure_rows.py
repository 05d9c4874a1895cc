"""qms.disclosure.rows: k-anonymous answer rows with random labels and order (§5.3)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qms.disclosure.kanon import SUPPRESSED, k_anonymise
from qms.disclosure.rows import PROXY, consensus_rows, group_rows
from qms.methodology.answers import AnswerValue
from qms.methodology.model import ChoiceOption, Item, Methodology, When
from tests.unit.scoring.builders import choice, crit, group, item, methodology, scale, text

Record = tuple[Hashable, ...]


@dataclass(frozen=True)
class Released:
    answers: Mapping[str, AnswerValue]
    proxy: bool = False


def _classes(rows: Sequence[Record]) -> Counter[Record]:
    return Counter(rows)


def _restorable(
    rows: Sequence[Record], original: Sequence[Record], k: int
) -> list[tuple[int, int]]:
    """Hidden cells that could be shown again with every class still at least k."""
    found = []
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not SUPPRESSED:
                continue
            shown = [list(r) for r in rows]
            shown[i][j] = original[i][j]
            if min(Counter(tuple(r) for r in shown).values()) >= k:
                found.append((i, j))
    return found


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[Record], int]:
    k = draw(st.integers(1, 6))
    width = draw(st.integers(0, 4))
    alphabets = [draw(st.integers(1, 4)) for _ in range(width)]
    n = draw(st.integers(k, 30))
    rows = [
        tuple(draw(st.sampled_from(["a", "b", "c", None][:size])) for size in alphabets)
        for _ in range(n)
    ]
    return rows, k


@settings(max_examples=300, deadline=None)
@given(tables())
def test_every_combination_is_shared_by_k_rows_and_no_cell_is_hidden_in_vain(
    table: tuple[list[Record], int],
) -> None:
    original, k = table
    rows, hidden = k_anonymise(original, k)
    assert len(rows) == len(original)
    assert min(_classes(rows).values()) >= k  # the marker is a value of its own
    # Only hiding: every shown cell is the original one, and the count is right.
    cells = [(a, b) for r, o in zip(rows, original, strict=True) for a, b in zip(r, o, strict=True)]
    assert all(a == b for a, b in cells if a is not SUPPRESSED)
    assert hidden == sum(1 for a, _ in cells if a is SUPPRESSED)
    assert _restorable(rows, original, k) == []


@settings(max_examples=100, deadline=None)
@given(tables())
def test_an_already_k_anonymous_table_loses_nothing(table: tuple[list[Record], int]) -> None:
    original, k = table
    counts = _classes(original)
    anonymous = [r for r in original if counts[r] >= k]
    if len(anonymous) < k:
        return
    rows, hidden = k_anonymise(anonymous, k)
    assert hidden == 0 and rows == anonymous


def test_the_single_crisis_centre_client_is_hidden_in_a_class_of_at_least_k() -> None:
    original: list[Record] = [("day",)] * 5 + [("home",)] * 5 + [("crisis",)]
    rows, hidden = k_anonymise(original, 5)
    assert rows[-1] == (SUPPRESSED,)
    assert _classes(rows)[(SUPPRESSED,)] >= 5
    assert hidden == 6  # the crisis client and one whole class: the fewest possible


def test_the_cheapest_cells_go_first() -> None:
    # Hiding the unit of the one crisis client and of 4 spare day-centre clients (5
    # cells) beats hiding anybody's proxy flag.
    original: list[Record] = [("day", False)] * 9 + [("home", False)] * 5 + [("crisis", False)]
    rows, hidden = k_anonymise(original, 5)
    assert hidden == 5
    assert _classes(rows) == {("day", False): 5, ("home", False): 5, (SUPPRESSED, False): 5}


def test_fewer_rows_than_k_cannot_be_anonymous() -> None:
    with pytest.raises(ValueError):
        k_anonymise([("a",), ("a",)], 3)


# -- the rows of a group ---------------------------------------------------------------


def _multi(item_id: str, *values: str) -> Item:
    return Item(
        id=item_id,
        type="multi",
        text=text(item_id),
        options=tuple(ChoiceOption(v, text(v)) for v in values),
    )


def _methodology() -> Methodology:
    night = Item(
        id="c.night",
        type="scale",
        text=text("c.night"),
        criterion="1",
        scale="agree5",
        when=When("c.unit", ("home", "crisis")),
    )
    return methodology(
        groups=[group("wg", consensus=True), group("clients", min_n=3)],
        scales=[scale("agree5", 1, 2, 3, 4, 5)],
        criteria=[crit("1")],
        items={
            "wg": [item("wg.a", "1"), Item(id="wg.note", type="text", text=text("n"))],
            "clients": [
                choice("c.unit", "day", "home", "crisis"),
                item("c.respect", "1"),
                item("c.rare", "1"),
                night,
                _multi("c.used", "meals", "transport"),
                Item(id="c.age", type="number", text=text("age")),
                Item(id="c.wish", type="text", text=text("wish")),
            ],
        },
    )


def _clients(
    n_day: int = 3, n_home: int = 3, n_crisis: int = 1, proxies: int = 0
) -> list[Released]:
    rows = []
    units = ["day"] * n_day + ["home"] * n_home + ["crisis"] * n_crisis
    for index, unit in enumerate(units):
        answers: dict[str, AnswerValue] = {
            "c.unit": unit,
            "c.respect": 1 + index % 5,
            "c.used": ("meals",),
            "c.wish": f"wish {index}",
        }
        if index == 0:
            answers["c.rare"] = 4  # one valid answer: below min_n, never shown
        if unit in ("home", "crisis"):
            answers["c.night"] = 2
        rows.append(Released(answers, proxy=index < proxies))
    return rows


def test_rows_carry_no_text_and_no_item_below_its_minimum() -> None:
    m = _methodology()
    made = group_rows(m, "clients", _clients(), 3, random.Random(1))
    assert made is not None
    assert "c.wish" not in made.columns and "c.rare" not in made.columns
    assert made.columns[:2] == ("c.unit", "c.respect")
    assert set(made.quasi) == {"c.unit", "c.used", "c.age"}
    assert PROXY not in made.columns  # nobody was helped: the flag says nothing
    assert all(set(r.cells) == set(made.columns) for r in made.rows)
    assert all(
        isinstance(v, (int, tuple, str)) or v is None or v is SUPPRESSED
        for r in made.rows
        for v in r.cells.values()
    )


def test_the_crisis_client_cannot_be_isolated_and_its_night_answer_does_not_betray_it() -> None:
    m = _methodology()
    made = group_rows(m, "clients", _clients(3, 4, 1), 3, random.Random(2))
    assert made is not None
    units = Counter(r.cells["c.unit"] for r in made.rows)
    assert "crisis" not in units and units[SUPPRESSED] >= 3
    hidden_rows = [r for r in made.rows if r.cells["c.unit"] is SUPPRESSED]
    # The crisis client and the day centre's three share the hidden unit. c.night is
    # asked in group homes and the crisis centre only: its answer would single the
    # crisis client out of them. Hidden in that class alone, the released c.night
    # statistics minus the four group homes' answers would still give it: so c.night
    # goes from every row.
    assert len(hidden_rows) == 4 and made.suppressed == 4
    assert all(r.cells["c.night"] is SUPPRESSED for r in made.rows)
    assert made.withheld == 8


def test_a_condition_question_asked_of_the_whole_hidden_class_stays() -> None:
    # One crisis client hidden among the three of a group home: all four were asked
    # c.night, so its answers tell nothing about who is who and stay.
    m = _methodology()
    made = group_rows(m, "clients", _clients(4, 3, 1), 3, random.Random(3))
    assert made is not None and made.withheld == 0
    hidden = [r for r in made.rows if r.cells["c.unit"] is SUPPRESSED]
    assert len(hidden) == 4 and all(r.cells["c.night"] == 2 for r in hidden)


def test_the_proxy_flag_is_a_quasi_identifier() -> None:
    m = _methodology()
    made = group_rows(m, "clients", _clients(3, 3, 0, proxies=1), 3, random.Random(4))
    assert made is not None and made.columns[-1] == PROXY
    flags = Counter(r.cells[PROXY] for r in made.rows)
    assert True not in flags  # the one helped client is not singled out
    assert min(Counter(tuple(r.cells[c] for c in made.quasi) for r in made.rows).values()) >= 3


def test_a_group_below_its_minimum_has_no_rows() -> None:
    assert group_rows(_methodology(), "clients", _clients(1, 1, 0), 3, random.Random(5)) is None


def test_labels_are_drawn_for_each_export_and_say_nothing_of_the_order() -> None:
    m = _methodology()
    released = _clients(4, 4, 0)
    first = group_rows(m, "clients", released, 3, random.SystemRandom())
    second = group_rows(m, "clients", released, 3, random.SystemRandom())
    assert first is not None and second is not None
    for made in (first, second):
        labels = [r.label for r in made.rows]
        assert len(set(labels)) == len(labels)
        assert all(label.startswith("clients-") and len(label) == 12 for label in labels)
    assert {r.label for r in first.rows} != {r.label for r in second.rows}


def test_rows_are_shuffled() -> None:
    # c.respect is 1..5 then 1..3 in input order; the first input row (respect 1, day)
    # should open the export about one time in eight, not always.
    m = _methodology()
    released = _clients(4, 4, 0)
    rng = random.Random(6)
    first_in_place = 0
    same_order = 0
    for _ in range(400):
        made = group_rows(m, "clients", released, 3, rng)
        assert made is not None
        values = [r.cells["c.respect"] for r in made.rows]
        same_order += values == [1, 2, 3, 4, 5, 1, 2, 3]
        first = made.rows[0].cells
        first_in_place += first["c.respect"] == 1 and first["c.unit"] == "day"
    assert same_order <= 2
    assert 20 <= first_in_place <= 90  # expected 50 (1/8 of 400)


def test_the_consensus_record_goes_out_as_it_is() -> None:
    m = _methodology()
    made = consensus_rows(m, "wg", [Released({"wg.a": 4, "wg.note": "Board minutes"})])
    assert made is not None
    assert [r.label for r in made.rows] == ["consensus"]
    assert made.rows[0].cells == {"wg.a": 4, "wg.note": "Board minutes"}
    assert consensus_rows(m, "wg", []) is None
    with pytest.raises(ValueError):
        group_rows(m, "wg", [], 1, random.Random(0))


@st.composite
def clients(draw: st.DrawFn) -> tuple[list[Released], int]:
    k = draw(st.integers(2, 4))
    n = draw(st.integers(k, 16))
    rows = []
    for _ in range(n):
        unit = draw(st.sampled_from(["day", "home", "crisis"]))
        answers: dict[str, AnswerValue] = {
            "c.unit": unit,
            "c.respect": draw(st.integers(1, 5)),
            "c.used": draw(st.sampled_from([("meals",), ("meals", "transport")])),
        }
        age = draw(st.sampled_from([None, 30.0, 41.5]))
        if age is not None:
            answers["c.age"] = age
        if unit in ("home", "crisis"):
            answers["c.night"] = draw(st.integers(1, 5))
        rows.append(Released(answers, proxy=draw(st.booleans())))
    return rows, k


@settings(max_examples=150, deadline=None)
@given(clients())
def test_no_row_stands_out_by_its_values_or_by_what_it_was_asked(
    table: tuple[list[Released], int],
) -> None:
    released, k = table
    made = group_rows(_methodology(), "clients", released, k, random.Random(0))
    assert made is not None and len(made.rows) == len(released)
    classes = Counter(tuple(r.cells[c] for c in made.quasi) for r in made.rows)
    assert min(classes.values()) >= k
    if "c.night" not in made.columns:
        return
    # Where the unit is hidden and c.night is not, whether c.night has a value (here:
    # whether it was asked) splits a class only into parts of at least k.
    by_class: dict[tuple[object, ...], list[bool]] = {}
    hidden_night = Counter(
        tuple(r.cells[c] for c in made.quasi) for r in made.rows if r.cells["c.night"] is SUPPRESSED
    )
    for r in made.rows:
        key = tuple(r.cells[c] for c in made.quasi)
        if r.cells["c.unit"] is SUPPRESSED and key not in hidden_night:
            by_class.setdefault(key, []).append(r.cells["c.night"] is not None)
    for asked in by_class.values():
        parts = Counter(asked)
        assert len(parts) == 1 or min(parts.values()) >= k


def _cell_members(
    m: Methodology, by: str, answers: Sequence[Mapping[str, object]], value: str
) -> list[int]:
    return [i for i, a in enumerate(answers) if a.get(by) == value]


def test_a_breakdown_of_the_anonymised_answers_cannot_place_a_hidden_row() -> None:
    # The attack of issue 11 on the breakdown page: with the raw answers, the cell of the
    # day centre is shown and holds rows whose unit the export hides, so its n and mean
    # tell which hidden rows are the day centre's and leave the crisis client alone.
    from qms.disclosure import released_breakdown
    from qms.disclosure.rows import anonymised_answers

    m = _methodology()
    released = _clients(6, 3, 1)  # the home cell is hidden with the crisis one
    raw = released_breakdown(m, "clients", "c.unit", [r.answers for r in released])
    shown_raw = {c for c in ("day", "home") if raw.rows["c.respect"][c] is not None}
    exported = anonymised_answers(m, "clients", released, 3)
    assert exported is not None
    hidden = [i for i, a in enumerate(exported) if a["c.unit"] is SUPPRESSED]
    assert any(
        set(_cell_members(m, "c.unit", [r.answers for r in released], c)) & set(hidden)
        for c in shown_raw
    )
    safe = released_breakdown(m, "clients", "c.unit", exported)
    assert safe.rows["c.respect"]["day"] is not None  # the check below is not empty
    for cell in ("day", "home", "crisis"):
        if safe.rows["c.respect"][cell] is not None:
            assert not set(_cell_members(m, "c.unit", exported, cell)) & set(hidden)
    assert anonymised_answers(m, "clients", released[:2], 3) is None
