"""Comments (METHODOLOGY.md §5.4), pure: which free-text answers a head sees, in what order.

The answers to an individual group's `text` items reach the organisation's heads as
comments, per item, in random order, and only when the group's release counts at least
k respondents (the group's `min_n`); below that, all a viewer learns is that the group
is below its minimum. A group without a release has no comments yet.

A comment is known by its *key*: a digest of the released response's unit and the item.
It is the same for one respondent's answer to one item in every release of the cycle
(so a comment hidden once stays hidden after a re-close) and links nothing else: the
same respondent's comments on two items have unrelated keys, which is why the key is
never the unit itself. Deriving it takes the respondent key, which only the source of
the answer (a code's holder, the file that was imported) knows.

Hidden comments are left out by `select_comments`, so every output that reads comments
through it (the comments page, the report and its PDF, the answer exports) leaves them
out. Only `hidden_comments` returns them, for the heads' "show again" list.

The consensus group's text answers are the working group's named record, not comments:
they are refused here (ValueError), as breakdowns refuse them.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from qms.methodology.answers import AnswerValue
from qms.methodology.model import Item, Methodology

# (item id, comment key): how the store hands over the hidden comments of a cycle.
HiddenKey = tuple[str, str]
State = Literal["shown", "few", "pending"]


@dataclass(frozen=True)
class UnitAnswers:
    """One released response as comments need it: its unit digest and its answers."""

    unit: str
    answers: Mapping[str, AnswerValue]


@dataclass(frozen=True)
class Comment:
    key: str
    text: str


@dataclass(frozen=True)
class ItemComments:
    item: str
    comments: tuple[Comment, ...]


@dataclass(frozen=True)
class GroupComments:
    """One group's comments: `items` (every text item, in questionnaire order) are empty
    unless `state` is "shown"; "few" means the release is below `min_n`, "pending" that
    the group has no release yet."""

    group: str
    state: State
    respondents: int
    min_n: int
    items: tuple[ItemComments, ...]

    @property
    def shown(self) -> bool:
        return self.state == "shown"

    def count(self, item_id: str) -> int | None:
        """Visible comments on the item; None where none may be shown."""
        if not self.shown:
            return None
        return next((len(i.comments) for i in self.items if i.item == item_id), 0)


def comment_key(unit: str, item_id: str) -> str:
    return hashlib.sha256(f"qms-comment\x00{unit}\x00{item_id}".encode()).hexdigest()


def text_items(m: Methodology, group: str) -> tuple[Item, ...]:
    """The group's text items, in questionnaire order (ValueError for the consensus
    group or a group without a questionnaire)."""
    if group not in m.questionnaires or m.group(group).is_consensus:
        raise ValueError(f"group {group!r} has no comments")
    return tuple(i for i in m.questionnaires[group].items if i.type == "text")


def _texts(rows: Sequence[UnitAnswers], item_id: str) -> list[Comment]:
    found = []
    for row in rows:
        value = row.answers.get(item_id)
        if isinstance(value, str) and value.strip():
            found.append(Comment(comment_key(row.unit, item_id), value))
    return found


def _state(rows: Sequence[UnitAnswers] | None, min_n: int) -> State:
    if rows is None:
        return "pending"
    return "shown" if len(rows) >= max(min_n, 1) else "few"


def select_comments(
    m: Methodology,
    group: str,
    rows: Sequence[UnitAnswers] | None,
    *,
    min_n: int,
    hidden: Collection[HiddenKey],
    rng: random.Random,
) -> GroupComments:
    """The visible comments of `group`'s current release (`rows`; None: no release yet),
    shuffled by `rng`. The order depends on `rng` alone: rows are put in key order first,
    so neither the release's order nor an order of arrival shows through."""
    items = text_items(m, group)
    state = _state(rows, min_n)
    respondents = 0 if rows is None else len(rows)
    if rows is None or state != "shown":
        return GroupComments(group, state, respondents, min_n, ())
    hidden_set = set(hidden)
    selected = []
    for item in items:
        comments = sorted(
            (c for c in _texts(rows, item.id) if (item.id, c.key) not in hidden_set),
            key=lambda c: c.key,
        )
        rng.shuffle(comments)
        selected.append(ItemComments(item.id, tuple(comments)))
    return GroupComments(group, state, respondents, min_n, tuple(selected))


def hidden_comments(
    m: Methodology,
    group: str,
    rows: Sequence[UnitAnswers] | None,
    *,
    min_n: int,
    hidden: Collection[HiddenKey],
) -> tuple[ItemComments, ...]:
    """The hidden comments of `group`'s current release, per text item in key order: for
    the heads' list from which a comment is shown again, and for nothing else. Nothing
    while the release is below `min_n` (nor would the visible ones be shown)."""
    items = text_items(m, group)
    if rows is None or _state(rows, min_n) != "shown":
        return ()
    hidden_set = set(hidden)
    found = []
    for item in items:
        comments = sorted(
            (c for c in _texts(rows, item.id) if (item.id, c.key) in hidden_set),
            key=lambda c: c.key,
        )
        if comments:
            found.append(ItemComments(item.id, tuple(comments)))
    return tuple(found)
