"""Organisations and networks as the admin pages and the staff home see them.

Every change is logged with `record_event` in the same transaction; callers commit.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from qms.store.audit import record_event
from qms.store.errors import Conflict, NotFound, StoreError
from qms.store.models import Network, NetworkMember, Organisation

NAME_MAX = 200


class InvalidName(StoreError):
    """`reason` is "empty" or "too_long"."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class DuplicateName(Conflict):
    pass


@dataclass(frozen=True)
class Ref:
    id: int
    name: str


@dataclass(frozen=True)
class OrganisationView:
    id: int
    name: str
    networks: tuple[Ref, ...]


@dataclass(frozen=True)
class NetworkView:
    id: int
    name: str
    members: tuple[Ref, ...]


def clean_name(name: str) -> str:
    """Inner runs of whitespace become one space; the result must be 1..200 characters."""
    cleaned = " ".join("".join(ch for ch in name if ch.isprintable() or ch.isspace()).split())
    if not cleaned:
        raise InvalidName("empty", "a name is required")
    if len(cleaned) > NAME_MAX:
        raise InvalidName("too_long", f"a name has at most {NAME_MAX} characters")
    return cleaned


def _org_view(org: Organisation) -> OrganisationView:
    return OrganisationView(org.id, org.name, tuple(Ref(n.id, n.name) for n in org.networks))


def _net_view(net: Network) -> NetworkView:
    return NetworkView(net.id, net.name, tuple(Ref(o.id, o.name) for o in net.organisations))


def list_organisations(session: Session) -> list[OrganisationView]:
    query = select(Organisation).options(selectinload(Organisation.networks))
    return [_org_view(o) for o in session.scalars(query.order_by(Organisation.name))]


def list_networks(session: Session) -> list[NetworkView]:
    query = select(Network).options(selectinload(Network.organisations))
    return [_net_view(n) for n in session.scalars(query.order_by(Network.name))]


def organisation(session: Session, organisation_id: int) -> OrganisationView | None:
    org = session.scalar(
        select(Organisation)
        .options(selectinload(Organisation.networks))
        .where(Organisation.id == organisation_id)
    )
    return None if org is None else _org_view(org)


def network(session: Session, network_id: int) -> NetworkView | None:
    net = session.scalar(
        select(Network).options(selectinload(Network.organisations)).where(Network.id == network_id)
    )
    return None if net is None else _net_view(net)


def organisation_refs(session: Session, ids: Collection[int] | None = None) -> list[Ref]:
    """All organisations by name, or only those with the given ids."""
    query = select(Organisation.id, Organisation.name).order_by(Organisation.name)
    if ids is not None:
        query = query.where(Organisation.id.in_(list(ids)))
    return [Ref(i, n) for i, n in session.execute(query)]


def network_refs(session: Session, ids: Collection[int] | None = None) -> list[Ref]:
    query = select(Network.id, Network.name).order_by(Network.name)
    if ids is not None:
        query = query.where(Network.id.in_(list(ids)))
    return [Ref(i, n) for i, n in session.execute(query)]


def organisation_by_name(session: Session, name: str) -> Ref | None:
    query = select(Organisation.id, Organisation.name)
    row = session.execute(query.where(Organisation.name == " ".join(name.split()))).first()
    return None if row is None else Ref(row[0], row[1])


def network_by_name(session: Session, name: str) -> Ref | None:
    query = select(Network.id, Network.name)
    row = session.execute(query.where(Network.name == " ".join(name.split()))).first()
    return None if row is None else Ref(row[0], row[1])


def _name_taken(
    session: Session,
    model: type[Organisation] | type[Network],
    name: str,
    except_id: int | None = None,
) -> bool:
    query = select(model.id).where(model.name == name)
    if except_id is not None:
        query = query.where(model.id != except_id)
    return session.scalar(query) is not None


def create_organisation(session: Session, name: str, *, actor_id: int | None) -> int:
    name = clean_name(name)
    if _name_taken(session, Organisation, name):
        raise DuplicateName(f"an organisation named {name!r} already exists")
    org = Organisation(name=name)
    session.add(org)
    session.flush()
    record_event(
        session,
        actor_id=actor_id,
        action="organisation.created",
        organisation_id=org.id,
        subject=name,
    )
    return org.id


def rename_organisation(
    session: Session, organisation_id: int, name: str, *, actor_id: int | None
) -> None:
    org = session.get(Organisation, organisation_id)
    if org is None:
        raise NotFound("no such organisation")
    name = clean_name(name)
    if name == org.name:
        return
    if _name_taken(session, Organisation, name, except_id=org.id):
        raise DuplicateName(f"an organisation named {name!r} already exists")
    record_event(
        session,
        actor_id=actor_id,
        action="organisation.renamed",
        organisation_id=org.id,
        subject=name,
        detail={"from": org.name},
    )
    org.name = name
    session.flush()


def create_network(session: Session, name: str, *, actor_id: int | None) -> int:
    name = clean_name(name)
    if _name_taken(session, Network, name):
        raise DuplicateName(f"a network named {name!r} already exists")
    net = Network(name=name)
    session.add(net)
    session.flush()
    record_event(
        session, actor_id=actor_id, action="network.created", network_id=net.id, subject=name
    )
    return net.id


def rename_network(session: Session, network_id: int, name: str, *, actor_id: int | None) -> None:
    net = session.get(Network, network_id)
    if net is None:
        raise NotFound("no such network")
    name = clean_name(name)
    if name == net.name:
        return
    if _name_taken(session, Network, name, except_id=net.id):
        raise DuplicateName(f"a network named {name!r} already exists")
    record_event(
        session,
        actor_id=actor_id,
        action="network.renamed",
        network_id=net.id,
        subject=name,
        detail={"from": net.name},
    )
    net.name = name
    session.flush()


def add_member(
    session: Session, network_id: int, organisation_id: int, *, actor_id: int | None
) -> bool:
    """False when the organisation already belongs to the network."""
    org = session.get(Organisation, organisation_id)
    net = session.get(Network, network_id)
    if org is None or net is None:
        raise NotFound("no such organisation or network")
    if session.get(NetworkMember, (network_id, organisation_id)) is not None:
        return False
    session.add(NetworkMember(network_id=network_id, organisation_id=organisation_id))
    record_event(
        session,
        actor_id=actor_id,
        action="network.member_added",
        organisation_id=organisation_id,
        network_id=network_id,
        subject=f"{org.name} → {net.name}",
    )
    session.flush()
    return True


def remove_member(
    session: Session, network_id: int, organisation_id: int, *, actor_id: int | None
) -> bool:
    org = session.get(Organisation, organisation_id)
    net = session.get(Network, network_id)
    if org is None or net is None:
        return False
    result = session.execute(
        delete(NetworkMember).where(
            NetworkMember.network_id == network_id,
            NetworkMember.organisation_id == organisation_id,
        )
    )
    if not getattr(result, "rowcount", 0):
        return False
    record_event(
        session,
        actor_id=actor_id,
        action="network.member_removed",
        organisation_id=organisation_id,
        network_id=network_id,
        subject=f"{org.name} ← {net.name}",
    )
    # The relationship collections loaded earlier in this session no longer hold.
    session.expire_all()
    return True
