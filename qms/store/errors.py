"""Failures the store reports to its callers; each message is one line for a person."""

from __future__ import annotations


class StoreError(Exception):
    """A request the data cannot satisfy (the caller shows the message as it is)."""


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    """The request clashes with what is stored: a duplicate name, a closed cycle."""
