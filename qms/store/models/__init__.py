"""Every table, imported here so that Alembic and the app see the whole schema."""

from qms.store.models.orgs import Network, NetworkMember, Organisation

__all__ = ["Network", "NetworkMember", "Organisation"]
