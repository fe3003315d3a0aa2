"""``%mlops`` subcommands: one small module each, found through ``COMMANDS``."""

from __future__ import annotations

import importlib
from typing import Any

from IPython.core.error import UsageError
from IPython.utils.text import dedent

from ...errors import did_you_mean
from ..errors import parse

COMMANDS = {
    "project": "project",
    "experiment": "experiment",
    "runs": "runs",
    "compare": "compare",
    "config": "config",
    "models": "models",
    "promote": "promote",
    "monitor": "monitor",
    "alerts": "alerts",
}
_HELP_FLAGS = ("-h", "--help", "help")


def usage() -> str:
    return ("usage: %mlops <subcommand> [--help]\nsubcommands: " + ", ".join(COMMANDS)
            + "\nexample: %mlops runs --help")


def dispatch(magics: Any, line: str) -> Any:
    name, _, rest = line.strip().partition(" ")
    if not name or name in _HELP_FLAGS:
        print(usage())
        return None
    module = COMMANDS.get(name)
    if module is None:
        hint = did_you_mean(name, COMMANDS)
        raise UsageError(f"%mlops has no subcommand {name!r}" + (f": {hint}" if hint else ""))
    command = importlib.import_module(f"{__name__}.{module}").run
    if any(flag in rest.split() for flag in _HELP_FLAGS[:2]):
        print(dedent(command.__doc__ or ""))
        return None
    return command(magics, parse(command, rest))
