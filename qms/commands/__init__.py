"""Sub-commands of `qms`, one module per area; cli.py registers every command listed here."""

from __future__ import annotations

import click

from qms.commands.methodology import methodology

COMMANDS: list[click.Command] = [methodology]
