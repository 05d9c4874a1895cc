"""The improvement plan page: the cycle's own actions and those carried from earlier
years, the proposals from the weakest scores and the consensus, and the choices of the
forms (criteria, statuses)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from qms import i18n
from qms.methodology.model import Methodology
from qms.scoring import fmt1
from qms.store import plan
from qms.store.cycles import CycleInfo


@dataclass(frozen=True)
class ActionView:
    action: plan.Action
    criterion_title: str
    status_label: str


@dataclass(frozen=True)
class ProposalView:
    criterion: str
    criterion_title: str
    kind: str
    score: str
    note: str


def node_title(methodology: Methodology, node: str, lang: str) -> str:
    try:
        return methodology.node(node).title.get(lang)
    except KeyError:
        return ""


def criterion_options(methodology: Methodology, lang: str) -> list[tuple[str, str]]:
    options = []
    for c in methodology.criteria:
        options.append((c.id, f"{c.id} {c.title.get(lang)}"))
        options.extend((s.id, f"— {s.id} {s.title.get(lang)}") for s in c.subcriteria)
    return options


@dataclass(frozen=True)
class PlanPage:
    cycle: CycleInfo
    organisation_id: int
    own: list[ActionView]
    carried: list[ActionView]
    proposals: list[ProposalView]
    can_edit: bool
    criterion_options: list[tuple[str, str]]
    status_options: list[tuple[str, str]]
    status_options_translated: list[tuple[str, str]]
    saved: str
    progress_max: int


def plan_page(
    cycle: CycleInfo,
    organisation_id: int,
    methodology: Methodology,
    actions: list[plan.Action],
    proposals: list[plan.Proposal],
    status_labels: Mapping[str, str],
    *,
    can_edit: bool,
    saved: str,
    lang: str,
) -> PlanPage:
    """`proposals` only matter to those who can edit; `status_labels` untranslated."""
    views = [
        ActionView(a, node_title(methodology, a.criterion, lang), status_labels[a.status])
        for a in actions
    ]
    return PlanPage(
        cycle=cycle,
        organisation_id=organisation_id,
        own=[a for a in views if not a.action.carried],
        carried=[a for a in views if a.action.carried],
        proposals=[
            ProposalView(
                p.criterion,
                node_title(methodology, p.criterion, lang),
                p.kind,
                fmt1(p.score),
                p.note,
            )
            for p in proposals
        ]
        if can_edit
        else [],
        can_edit=can_edit,
        criterion_options=criterion_options(methodology, lang),
        status_options=list(status_labels.items()),
        status_options_translated=[(k, i18n.translate(lang, v)) for k, v in status_labels.items()],
        saved=saved,
        progress_max=plan.PROGRESS_MAX,
    )
