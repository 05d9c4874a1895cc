"""Every table, imported here so that Alembic and the app see the whole schema."""

from qms.store.models.accounts import AuditEvent, RateLimitHit, User, UserRole
from qms.store.models.codes import AccessCode
from qms.store.models.consensus import ConsensusNote
from qms.store.models.cycles import Answer, Cycle, ItemCount, Response
from qms.store.models.orgs import Network, NetworkMember, Organisation

__all__ = [
    "AccessCode",
    "Answer",
    "AuditEvent",
    "ConsensusNote",
    "Cycle",
    "ItemCount",
    "Network",
    "NetworkMember",
    "Organisation",
    "RateLimitHit",
    "Response",
    "User",
    "UserRole",
]
