"""The read-only JSON API (/api/v1): one's own cycles and their scores, and the
aggregates of one's networks. Documented by Litestar's OpenAPI schema at
/schema/openapi.json.

Authorisation is the pages' own (qms.web.auth): a session cookie, or an API token sent
as `Authorization: Bearer ...` (tokens count on these GET routes only). Another
organisation's cycle or another network answers 404, like a missing one; errors are
JSON. A cycle's scores are for its heads, and for its staff once the head has published
the results; coordinators read network aggregates, never an organisation's own scores.
Items below their group's minimum size carry only counts (METHODOLOGY.md §3.4), exactly
as `qms scores --format json` prints them.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Components, SecurityScheme
from litestar.params import FromPath, QueryParameter
from sqlalchemy.orm import Session

from qms.scoring.document import scores_document
from qms.store import aggregates, api_cycles, cycles, directory, networks
from qms.store.releases import released_groups
from qms.store.scores import cycle_scores as score_cycle
from qms.web.access import may_read_results
from qms.web.auth import Principal, requires
from qms.web.network_views import release_due_now, viewer_scope

READ = requires("api.read")
# For the OpenAPI document (qms.app): how callers authenticate.
API_COMPONENTS = Components(
    security_schemes={
        "apiToken": SecurityScheme(
            type="http",
            scheme="bearer",
            description=(
                "A personal API token from /account/tokens: `Authorization: Bearer qms_...`"
            ),
        ),
        "session": SecurityScheme(
            type="apiKey",
            security_scheme_in="cookie",
            name="qms_session",
            description="The browser's signed-in session.",
        ),
    }
)


class ApiError(msgspec.Struct):
    status_code: int
    detail: str


def _errors(*codes: int) -> dict[int, ResponseSpec]:
    descriptions = {
        401: "No session and no valid API token (unknown, revoked, or its account inactive).",
        403: "Signed in, but this is not yours to read (results not yet published).",
        404: "No such object, or one of another organisation or network.",
        409: "Nothing released yet: results appear when the cycle (or a group) closes.",
    }
    return {
        code: ResponseSpec(
            data_container=ApiError, description=descriptions[code], generate_examples=False
        )
        for code in codes
    }


class Cycle(msgspec.Struct):
    id: int
    organisation_id: int
    organisation: str
    year: int
    methodology: str
    version: str
    status: str
    # Whether the caller may read GET /api/v1/cycles/{id}/scores.
    scores_available: bool


class CycleHeader(msgspec.Struct):
    id: int
    organisation: str
    year: int
    methodology: str
    version: str
    status: str


class ItemStatistics(msgspec.Struct):
    """One scale item of one group. When `reportable` is false (fewer answers than the
    group's minimum size) only the counts are given; the rest is null."""

    group: str
    item: str
    n: int
    dk: int
    na: int
    blank: int
    mean: float | None
    sd: float | None
    top_box: float | None
    histogram: dict[str, int] | None
    reportable: bool


class NodeScore(msgspec.Struct):
    """A criterion's or sub-criterion's score for a group; `group` null is the composite
    of the groups listed in `groups`."""

    node: str
    group: str | None
    score: float | None
    groups: list[str]


class OverallScores(msgspec.Struct):
    composite: float | None
    by_group: dict[str, float | None]


class CycleScores(msgspec.Struct):
    """The same document as `qms scores --format json`, in full precision."""

    cycle: CycleHeader
    source: str  # "release": the figures of the cycle's current releases (METHODOLOGY.md §5.2)
    items: list[ItemStatistics]
    scores: list[NodeScore]
    overall: OverallScores


class Network(msgspec.Struct):
    id: int
    name: str


class Label(msgspec.Struct):
    """A criterion ("overall": the overall score) or a group, titled in each language."""

    id: str
    title: dict[str, str]


class NamedScore(msgspec.Struct):
    """An organisation that consented to be named: its own score and its place counted
    from the lowest (tied organisations share a place)."""

    organisation_id: int
    organisation: str
    score: float
    rank: int
    of: int


class Distribution(msgspec.Struct):
    """One criterion × group (null: the composite across groups) across the organisations
    of the year's release. Where `status` is not "shown" only `n_orgs` is given: "few"
    (fewer than three organisations), "identifiable" (it would let the organisations you
    can identify be subtracted), "differs" (one or two organisations apart from figures
    already released), "withdrawn" (an organisation withdrew since the release),
    "unreleased" (the year is not released yet)."""

    node: str
    group: str | None
    n_orgs: int
    mean: float | None
    median: float | None
    q1: float | None
    q3: float | None
    min: float | None
    max: float | None
    named: list[NamedScore]
    status: str


class GroupResponses(msgspec.Struct):
    group: str
    n_orgs: int
    responses: int | None  # null where status is not "shown"
    status: str


class Organisation(msgspec.Struct):
    id: int
    name: str


class NetworkAggregates(msgspec.Struct):
    network_id: int
    network: str
    year: int
    methodology: str
    n_orgs: int
    named_organisations: list[Organisation]
    nodes: list[Label]
    groups: list[Label]
    stats: list[Distribution]
    responses: list[GroupResponses]
    released_at: str | None  # ISO 8601; null when the year is not released yet


class TrendStat(msgspec.Struct):
    node: str
    group: str | None
    n_orgs: int
    median: float | None
    q1: float | None
    q3: float | None
    status: str


class TrendYear(msgspec.Struct):
    year: int
    n_orgs: int
    stats: list[TrendStat]


class NetworkTrend(msgspec.Struct):
    network_id: int
    methodology: str
    years: list[TrendYear]


YearParam = Annotated[
    int | None,
    QueryParameter(ge=2000, le=2100, description="The year; the newest shared year when omitted."),
]
MethodologyParam = Annotated[
    str | None,
    QueryParameter(max_length=100, description="A methodology id; the year's first when omitted."),
]


def _label(label: networks.Label) -> Label:
    return Label(id=label.id, title=dict(label.title.values))


ApiStruct = TypeVar("ApiStruct", bound=msgspec.Struct)


def _copied(kind: type[ApiStruct], source: object, **named_otherwise: Any) -> ApiStruct:
    """`kind` filled from the store's object of the same fields; `named_otherwise`, those
    the API names differently (its names are a published contract, the store's are not)."""
    fields = msgspec.structs.fields(kind)
    given = {f.name: getattr(source, f.name) for f in fields if f.name not in named_otherwise}
    return kind(**given, **named_otherwise)


def aggregates_of(view: aggregates.NetworkView) -> NetworkAggregates:
    return NetworkAggregates(
        network_id=view.network_id,
        network=view.network_name,
        year=view.year,
        methodology=view.methodology_id,
        n_orgs=view.n_orgs,
        named_organisations=[Organisation(id=o.id, name=o.name) for o in view.named],
        nodes=[_label(n) for n in view.nodes],
        groups=[_label(g) for g in view.groups],
        stats=[
            _copied(
                Distribution,
                s,
                named=[_copied(NamedScore, n, organisation=n.name) for n in s.named],
                status=s.reason,
            )
            for s in view.stats
        ],
        responses=[_copied(GroupResponses, r, status=r.reason) for r in view.responses],
        released_at=view.released_at.isoformat() if view.released_at else None,
    )


def pick_year(
    db: Session, network_id: int, year: int | None, methodology: str | None
) -> tuple[int, str]:
    """The requested year and methodology, filling in what is omitted from what the
    network has; 404 when it has nothing of the kind."""
    offered = aggregates.network_years(db, network_id)
    for y, m in offered:
        if (year is None or y == year) and (methodology is None or m == methodology):
            return y, m
    raise NotFoundException("No shared cycles of this year and methodology.")


class ApiController(Controller):
    path = "/api/v1"
    tags = ["api"]  # noqa: RUF012  (Litestar's own class attributes)
    security = [{"apiToken": []}, {"session": []}]  # noqa: RUF012

    @get(
        "/cycles",
        name="api_cycles",
        opt=READ,
        sync_to_thread=True,
        summary="Cycles you can see",
        responses=_errors(401),
    )
    def list_cycles(
        self, db: NamedDependency[Session], principal: NamedDependency[Principal]
    ) -> list[Cycle]:
        listings = api_cycles.visible_cycles(db, principal.organisation_ids("organisation.view"))
        return [
            _copied(
                Cycle,
                c,
                scores_available=c.released
                and may_read_results(
                    principal, c.organisation_id, c.results_published_at is not None
                ),
            )
            for c in listings
        ]

    @get(
        "/cycles/{cycle_id:int}/scores",
        name="api_cycle_scores",
        opt=READ,
        sync_to_thread=True,
        summary="A cycle's item statistics and scores",
        responses=_errors(401, 403, 404, 409),
    )
    def cycle_scores(
        self,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        cycle_id: FromPath[int],
    ) -> CycleScores:
        cycle = cycles.get_cycle(db, cycle_id)
        principal.require("organisation.view", organisation_id=cycle.organisation_id)
        if not may_read_results(
            principal, cycle.organisation_id, cycle.results_published_at is not None
        ):
            raise PermissionDeniedException("The results of this cycle are not published yet.")
        if not released_groups(db, cycle):
            raise ClientException(
                "Results appear when the cycle closes (or a group's collection closes); "
                "until then only response counts are available.",
                status_code=409,
            )
        document: dict[str, Any] = scores_document(
            cycles.cycle_info(db, cycle_id), score_cycle(db, cycle)
        )
        return msgspec.convert(document, CycleScores)

    @get(
        "/networks",
        name="api_networks",
        opt=READ,
        sync_to_thread=True,
        summary="Networks you coordinate",
        responses=_errors(401),
    )
    def list_networks(
        self, db: NamedDependency[Session], principal: NamedDependency[Principal]
    ) -> list[Network]:
        refs = directory.network_refs(db, principal.network_ids("network.dashboard"))
        return [Network(id=r.id, name=r.name) for r in refs]

    @get(
        "/networks/{network_id:int}/aggregates",
        name="api_network_aggregates",
        sync_to_thread=True,
        opt=requires("network.dashboard", network="network_id"),
        summary="Distributions across a network's partners for one year",
        responses=_errors(401, 404),
    )
    def network_aggregates(
        self,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        network_id: FromPath[int],
        year: YearParam = None,
        methodology: MethodologyParam = None,
    ) -> NetworkAggregates:
        release_due_now(db, [network_id])
        picked_year, picked_methodology = pick_year(db, network_id, year, methodology)
        view = aggregates.network_aggregates(
            db, network_id, picked_year, picked_methodology, viewer_scope(db, principal)
        )
        return aggregates_of(view)

    @get(
        "/networks/{network_id:int}/trend",
        name="api_network_trend",
        sync_to_thread=True,
        opt=requires("network.dashboard", network="network_id"),
        summary="Medians and quartiles across a network's partners over the years",
        responses=_errors(401, 404),
    )
    def network_trend(
        self,
        db: NamedDependency[Session],
        principal: NamedDependency[Principal],
        network_id: FromPath[int],
        methodology: MethodologyParam = None,
    ) -> NetworkTrend:
        release_due_now(db, [network_id])
        _, picked = pick_year(db, network_id, None, methodology)
        years = aggregates.network_trend(db, network_id, picked, viewer_scope(db, principal))
        return NetworkTrend(
            network_id=network_id,
            methodology=picked,
            years=[
                TrendYear(
                    year=t.year,
                    n_orgs=t.n_orgs,
                    stats=[_copied(TrendStat, s, status=s.reason) for s in t.stats],
                )
                for t in years
            ],
        )
