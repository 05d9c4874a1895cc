"""Failures the store reports to its callers; each message is one line for a person."""

from __future__ import annotations


class StoreError(Exception):
    """A request the data cannot satisfy (the caller shows the message as it is)."""


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    """The request clashes with what is stored: a duplicate name, a closed cycle."""


class Closed(Conflict):
    """The cycle, or the group's collection, accepts no answers any more."""


class GroupNotInCycle(StoreError):
    """A respondent group of the methodology that the cycle does not ask. `groups` are the
    groups it does ask, so the message can say what would have been accepted."""

    def __init__(self, cycle_id: int, group: str, groups: tuple[str, ...]) -> None:
        super().__init__(
            f"group {group} does not take part in cycle {cycle_id}"
            f" (its groups: {', '.join(groups)})"
        )
        self.cycle_id = cycle_id
        self.group = group
        self.groups = groups
