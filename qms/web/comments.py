"""The comments page (METHODOLOGY.md §5.4): the free-text answers of a cycle's released
individual groups, per question, in a new random order on every view, with "hide this
comment" and "show again".

Who: the organisation's heads (and admins), by the `results.view` permission, whatever
the results' publishing says: §5.4 addresses comments to heads, and a free-text answer
is the answer most likely to name someone, so publishing the figures to staff does not
publish the comments (nor does the staff's copy of the report carry them). Anyone else
gets 404, the organisation's own staff included, as for the results' detail pages.

Hidden comments are left out of the page; only their number shows, with a link
(`?hidden=show`) that lists them for a head to show one again, so a printed or shared
copy of the page carries no hidden comment. Hiding and showing again are plain form
posts answered by a redirect back to the question (no JavaScript needed); a comment that
is no longer in the release (the page was stale after a re-close) gets a message
instead of an error.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from sqlalchemy.orm import Session

from qms.disclosure.comments import Comment, GroupComments
from qms.presentation.text import local_time
from qms.store import comments
from qms.store.cycles import Cycle, cycle_info
from qms.store.errors import NotFound
from qms.store.snapshots import cycle_methodology
from qms.web.access import CycleRequest, on_cycle
from qms.web.auth import Principal
from qms.web.forms import FormData, text
from qms.web.render import page
from qms.web.urls import cycle_path

# Reading and hiding comments: the organisation's heads (see the module's docstring).
COMMENTS = "results.view"
DONE = ("hidden", "shown", "same", "missing")


def can_read_comments(principal: Principal, cycle: Cycle) -> bool:
    return principal.can(COMMENTS, organisation_id=cycle.organisation_id)


def report_comments(
    db: Session, principal: Principal, cycle: Cycle
) -> tuple[GroupComments, ...] | None:
    """The comments of the printable report and its PDF for `principal`: None (no section
    at all) unless they may read comments; hidden ones are left out."""
    return comments.cycle_comments(db, cycle) if can_read_comments(principal, cycle) else None


@dataclass(frozen=True)
class HiddenView:
    key: str
    text: str
    hidden_by: str
    hidden_at: str


@dataclass(frozen=True)
class ItemView:
    id: str
    question: str
    comments: tuple[Comment, ...]
    hidden: tuple[HiddenView, ...]


@dataclass(frozen=True)
class GroupView:
    id: str
    title: str
    state: str  # "shown", "few", "pending" (qms.disclosure.comments.GroupComments)
    respondents: int
    min_n: int
    items: tuple[ItemView, ...]


def _groups(db: Session, cycle: Cycle, lang: str) -> list[GroupView]:
    m = cycle_methodology(cycle)
    hidden: dict[str, tuple[HiddenView, ...]] = {
        h.item: tuple(
            HiddenView(key, words, by, local_time(at)) for key, words, by, at in h.comments
        )
        for h in comments.hidden_list(db, cycle)
    }
    views = []
    for g in comments.cycle_comments(db, cycle):
        items = tuple(
            ItemView(i.item, m.item(i.item).text.get(lang), i.comments, hidden.get(i.item, ()))
            for i in g.items
        )
        views.append(
            GroupView(
                g.group, m.group(g.group).title.get(lang), g.state, g.respondents, g.min_n, items
            )
        )
    return views


class CommentsController(Controller):
    @get("/comments", name="cycle_comments", opt=on_cycle(COMMENTS), sync_to_thread=True)
    def show(self, here: NamedDependency[CycleRequest]) -> Template:
        done = here.request.query_params.get("done") or ""
        return page(
            "comments/comments.html",
            {
                "cycle": cycle_info(here.db, here.cycle.id),
                "organisation_id": here.cycle.organisation_id,
                "groups": _groups(here.db, here.cycle, here.lang),
                "done": done if done in DONE else "",
                "show_hidden": here.request.query_params.get("hidden") == "show",
            },
            request=here.request,
        )

    @post("/comments/hide", name="comments_hide", opt=on_cycle(COMMENTS), sync_to_thread=True)
    def hide(self, here: NamedDependency[CycleRequest], data: FormData) -> Redirect:
        return _change(here, data, hide=True)

    @post("/comments/show", name="comments_show", opt=on_cycle(COMMENTS), sync_to_thread=True)
    def show_again(self, here: NamedDependency[CycleRequest], data: FormData) -> Redirect:
        return _change(here, data, hide=False)


def _change(here: CycleRequest, data: FormData, *, hide: bool) -> Redirect:
    item_id, key = text(data, "item")[:100], text(data, "key")[:64]
    change = comments.hide_comment if hide else comments.show_comment
    try:
        changed = change(here.db, here.cycle, item_id, key, actor_id=here.principal.user_id)
    except NotFound:
        here.db.rollback()
        return _back(here, "missing", "")
    here.db.commit()
    done = ("hidden" if hide else "shown") if changed else "same"
    return _back(here, done, item_id)


def _back(here: CycleRequest, done: str, item_id: str) -> Redirect:
    anchor = (
        f"#item-{item_id}"
        if item_id and item_id.replace(".", "").replace("_", "").replace("-", "").isalnum()
        else ""
    )
    return Redirect(cycle_path(here, "cycle_comments") + f"?done={done}{anchor}", status_code=303)
