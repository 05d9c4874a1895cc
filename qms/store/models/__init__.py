"""Every table, imported here so that Alembic and the app see the whole schema."""

from qms.store.models.accounts import AuditEvent, RateLimitHit, User, UserRole
from qms.store.models.codes import AccessCode
from qms.store.models.consensus import ConsensusNote
from qms.store.models.cycles import Answer, Cycle, ItemCount, Response
from qms.store.models.networks import NetworkShare, OrgResponseTotal, OrgScore
from qms.store.models.orgs import Network, NetworkMember, Organisation
from qms.store.models.plan import CycleGroup, PlanAction
from qms.store.models.releases import (
    GroupCollection,
    HiddenComment,
    NetworkNameSeen,
    NetworkRelease,
    NetworkReleaseOrg,
    NetworkReleaseScore,
    NetworkReleaseTotal,
    NetworkReportDate,
    Release,
    ReleaseResponse,
)
from qms.store.models.tokens import ApiToken

__all__ = [
    "AccessCode",
    "Answer",
    "ApiToken",
    "AuditEvent",
    "ConsensusNote",
    "Cycle",
    "CycleGroup",
    "GroupCollection",
    "HiddenComment",
    "ItemCount",
    "Network",
    "NetworkMember",
    "NetworkNameSeen",
    "NetworkRelease",
    "NetworkReleaseOrg",
    "NetworkReleaseScore",
    "NetworkReleaseTotal",
    "NetworkReportDate",
    "NetworkShare",
    "OrgResponseTotal",
    "OrgScore",
    "Organisation",
    "PlanAction",
    "RateLimitHit",
    "Release",
    "ReleaseResponse",
    "Response",
    "User",
    "UserRole",
]
