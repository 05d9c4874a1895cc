"""Organisations (service providers) and the networks (planning regions, projects) they join."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from qms.store.base import Base, Timestamped


class Organisation(Timestamped, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    networks: Mapped[list[Network]] = relationship(
        secondary="network_members", back_populates="organisations", order_by="Network.name"
    )


class Network(Timestamped, Base):
    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)

    organisations: Mapped[list[Organisation]] = relationship(
        secondary="network_members", back_populates="networks", order_by="Organisation.name"
    )


class NetworkMember(Base):
    __tablename__ = "network_members"
    network_id: Mapped[int] = mapped_column(
        ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
