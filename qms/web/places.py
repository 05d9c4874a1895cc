"""What a staff handler outside the cycle router opens with, as dependencies: `here` (the
request, its database session, who asks) and the organisation or network its path names.

A controller lists them in its `dependencies`; the handler takes them by name:

    dependencies = STAFF
    @get("/staff/organisations/{organisation_id:int}", ...)
    def organisation(self, here: NamedDependency[StaffRequest],
                     organisation: NamedDependency[OrganisationView]) -> Template: ...

A path naming an organisation or network that does not exist answers 404 here, once,
rather than in each handler. Who may ask is still the route's declared permission
(qms.web.auth), checked before any of these run.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from sqlalchemy.orm import Session

from qms.store import directory
from qms.store.directory import NetworkView, OrganisationView
from qms.web.auth import Principal
from qms.web.deps import HttpRequest


@dataclass(frozen=True)
class StaffRequest:
    """A request to a staff page, as its handler works with it."""

    request: HttpRequest
    db: Session
    principal: Principal

    @property
    def lang(self) -> str:
        lang: str = self.request.state.lang
        return lang


def provide_staff_request(
    request: HttpRequest, db: NamedDependency[Session], principal: NamedDependency[Principal]
) -> StaffRequest:
    return StaffRequest(request, db, principal)


def provide_organisation(
    db: NamedDependency[Session], organisation_id: FromPath[int]
) -> OrganisationView:
    found = directory.organisation(db, organisation_id)
    if found is None:
        raise NotFoundException()
    return found


def provide_network(db: NamedDependency[Session], network_id: FromPath[int]) -> NetworkView:
    found = directory.network(db, network_id)
    if found is None:
        raise NotFoundException()
    return found


# Off the event loop, like the sync handlers that take them: they ask the database.
STAFF = {
    "here": Provide(provide_staff_request, sync_to_thread=False),
    "organisation": Provide(provide_organisation, sync_to_thread=True),
    "network": Provide(provide_network, sync_to_thread=True),
}
