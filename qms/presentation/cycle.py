"""A cycle's own page for the people who run it: the live table of responses per
group (also swapped in alone every few seconds) and what the page offers them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from qms.i18n import N_
from qms.methodology.model import Methodology
from qms.store.codes import CodeCounts
from qms.store.cycles import CycleInfo

STATUS_LABELS = {"draft": N_("Draft"), "open": N_("Open"), "closed": N_("Closed")}
POLL_SECONDS = 5


@dataclass(frozen=True)
class GroupRow:
    id: str
    title: str
    takes_codes: bool
    target: int | None
    issued: int
    started: int
    submitted: int
    web: int
    paper: int
    imported: int
    in_progress: int

    @property
    def rate(self) -> int | None:
        """Submitted responses as a percentage of the target (may pass 100)."""
        return None if not self.target else round(100 * self.submitted / self.target)

    @property
    def bar(self) -> int:
        return min(self.rate or 0, 100)


def group_rows(
    methodology: Methodology,
    counts: Mapping[str, CodeCounts],
    breakdown: Mapping[str, Mapping[tuple[str, str], int]],
    chosen: Mapping[str, int | None] | None,
    lang: str,
) -> list[GroupRow]:
    """The live table from the codes' counts, the responses by (status, source) and the
    groups the cycle asks (None: every group)."""
    rows = []
    for group in methodology.groups:
        if chosen is not None and group.id not in chosen:
            continue
        c = counts.get(group.id, CodeCounts(0, 0, 0))
        b = breakdown.get(group.id, {})

        def submitted(source: str, b: Mapping[tuple[str, str], int] = b) -> int:
            return b.get(("submitted", source), 0)

        rows.append(
            GroupRow(
                id=group.id,
                title=group.title.get(lang),
                takes_codes=not group.is_consensus,
                target=None if chosen is None else chosen.get(group.id),
                issued=c.issued,
                started=c.started,
                submitted=sum(n for (status, _s), n in b.items() if status == "submitted"),
                web=submitted("web"),
                paper=submitted("paper"),
                imported=submitted("import"),
                in_progress=sum(n for (status, _s), n in b.items() if status == "in_progress"),
            )
        )
    return rows


@dataclass(frozen=True)
class ResponsesTable:
    """The live table alone (staff/_responses.html)."""

    cycle: CycleInfo
    rows: list[GroupRow]
    poll: bool
    poll_seconds: int


@dataclass(frozen=True)
class CycleActions:
    """What the viewer may do from the page, as the permission table says."""

    can_codes: bool
    can_manage: bool
    can_compare: bool
    can_plan: bool
    can_share: bool
    can_comments: bool


@dataclass(frozen=True)
class CyclePage:
    cycle: CycleInfo
    organisation_id: int
    methodology_title: str
    status_label: str
    rows: list[GroupRow]
    releases: Sequence[object]  # qms.web.collections' rows of the groups' releases
    poll: bool
    poll_seconds: int
    can_codes: bool
    can_manage: bool
    can_compare: bool
    can_plan: bool
    can_share: bool
    can_comments: bool
    reason_max: int


def responses_table(cycle: CycleInfo, rows: list[GroupRow]) -> ResponsesTable:
    return ResponsesTable(cycle, rows, cycle.status == "open", POLL_SECONDS)


def cycle_page(
    cycle: CycleInfo,
    organisation_id: int,
    methodology: Methodology,
    rows: list[GroupRow],
    releases: Sequence[object],
    actions: CycleActions,
    *,
    reason_max: int,
    lang: str,
) -> CyclePage:
    return CyclePage(
        cycle=cycle,
        organisation_id=organisation_id,
        methodology_title=methodology.title.get(lang),
        status_label=STATUS_LABELS.get(cycle.status, cycle.status),
        rows=rows,
        releases=releases,
        poll=cycle.status == "open",
        poll_seconds=POLL_SECONDS,
        can_codes=actions.can_codes,
        can_manage=actions.can_manage,
        can_compare=actions.can_compare,
        can_plan=actions.can_plan,
        can_share=actions.can_share,
        can_comments=actions.can_comments,
        reason_max=reason_max,
    )
