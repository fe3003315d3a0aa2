"""IPython magics: ``%%track`` and ``%mlops <subcommand>``.

``%load_ext mlops_jupyter`` (or ``c.InteractiveShellApp.extensions =
["mlops_jupyter"]`` in an IPython config file) registers them. Loading imports no
database, pandas or widget code: those load on first use.
"""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    from .magics import MlopsMagics

    magics = MlopsMagics(shell=ipython)
    ipython.register_magics(magics)
    # registered as a configurable, ``%config MlopsMagics`` shows and sets its traits
    ipython.configurables = [c for c in ipython.configurables
                             if not isinstance(c, MlopsMagics)] + [magics]


def unload_ipython_extension(ipython: Any) -> None:
    from .magics import MlopsMagics

    ipython.configurables = [c for c in ipython.configurables
                             if not isinstance(c, MlopsMagics)]
