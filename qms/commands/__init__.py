"""Sub-commands of `qms`, one module per area; cli.py registers every command listed here."""

from __future__ import annotations

import click

from qms.commands.backup import backup, restore
from qms.commands.codes import codes
from qms.commands.cycles import cycle
from qms.commands.demo import demo
from qms.commands.export import export
from qms.commands.methodology import methodology
from qms.commands.orgs import network, org
from qms.commands.responses import responses
from qms.commands.scores import scores
from qms.commands.users import user

COMMANDS: list[click.Command] = [
    methodology,
    network,
    org,
    cycle,
    codes,
    responses,
    scores,
    export,
    demo,
    user,
    backup,
    restore,
]
