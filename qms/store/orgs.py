"""Organisations and networks by name, for the command line and the demo.

Creating them goes through qms.store.directory (the admin pages' module), so names are
checked and every creation is logged the same way whoever makes it; `actor_id` None
is the system.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from qms.store import directory
from qms.store.errors import NotFound
from qms.store.models import Network, Organisation


def get_organisation(session: Session, name: str) -> Organisation:
    ref = directory.organisation_by_name(session, name)
    if ref is None:
        raise NotFound(f"no organisation named {name!r}")
    return session.get_one(Organisation, ref.id)


def find_organisation(session: Session, name: str) -> Organisation | None:
    ref = directory.organisation_by_name(session, name)
    return None if ref is None else session.get_one(Organisation, ref.id)


def create_network(session: Session, name: str, *, actor_id: int | None = None) -> Network:
    return session.get_one(Network, directory.create_network(session, name, actor_id=actor_id))


def create_organisation(
    session: Session, name: str, networks: Sequence[str] = (), *, actor_id: int | None = None
) -> Organisation:
    """Networks are named and must exist: a typo must not create a new region."""
    refs = []
    for network_name in dict.fromkeys(networks):
        ref = directory.network_by_name(session, network_name)
        if ref is None:
            raise NotFound(f"no network named {network_name!r}")
        refs.append(ref)
    organisation_id = directory.create_organisation(session, name, actor_id=actor_id)
    for ref in refs:
        directory.add_member(session, ref.id, organisation_id, actor_id=actor_id)
    return session.get_one(Organisation, organisation_id)


def any_organisation(session: Session) -> bool:
    return bool(session.scalar(select(exists().where(Organisation.id.is_not(None)))))
