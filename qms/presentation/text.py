"""Plain words and local times that pages and exports both print."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from qms import i18n
from qms.i18n import N_

# Latvia and Lithuania share this zone; stored times are UTC.
LOCAL_ZONE = ZoneInfo("Europe/Riga")

# Why a network figure is not shown (qms.disclosure.network's reasons), in plain words.
REASON_TEXTS = {
    "few": N_("Not shown: fewer than 3 organisations."),
    "identifiable": N_(
        "Not shown: it would let the organisations you can identify (your own "
        "and those named) be subtracted from it."
    ),
    "differs": N_(
        "Not shown: it differs by only one or two organisations from figures already released."
    ),
    "withdrawn": N_(
        "Not shown: an organisation withdrew; the figures return with the next release."
    ),
    "unreleased": N_("Not shown: the figures of this year are not released yet."),
}


def reason_text(reason: str, lang: str) -> str:
    return i18n.translate(lang, REASON_TEXTS[reason]) if reason in REASON_TEXTS else ""


def local_time(moment: datetime | None) -> str:
    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite hands back naive UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


# An improvement action's state, as the plan page and the report name it.
ACTION_STATUS_LABELS = {
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}
