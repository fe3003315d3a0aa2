"""The few changes of the process's tracking state that the magics make.

``%mlops project`` and ``%mlops experiment`` choose where the next iterations go
without creating a "default" experiment on the way, and ``%mlops config
tracking_uri`` swaps the store without opening it. ``mlops_jupyter.tracking.fluent``
has no public call for that yet, so this module is the one place that touches
its state; nothing else in the magics does.
"""

from __future__ import annotations

import os


def set_current(project: str | None = None, experiment: str | None = None) -> None:
    from ..tracking import fluent

    with fluent._state.lock:
        if project is not None:
            fluent._state.project = project
        if experiment is not None:
            fluent._state.experiment = experiment


def set_tracking_uri(uri: str | None) -> None:
    """Use ``uri`` from the next call on (None: back to env/config/default)."""
    from ..tracking import fluent

    with fluent._state.lock:
        client, fluent._state.client = fluent._state.client, None
        fluent._state.tracking_uri = uri or None
    if client is not None:
        client.close()


def tracking_uri() -> str | None:
    """The URI set in this process, if any (None: env/config/default decides)."""
    from ..tracking import fluent

    return fluent._state.tracking_uri


def notebook_path(user_ns: dict) -> str | None:
    """The notebook that runs this kernel: JupyterLab tells the kernel in
    ``JPY_SESSION_NAME``; VS Code puts it in the namespace."""
    return os.environ.get("JPY_SESSION_NAME") or user_ns.get("__vsc_ipynb_file__") or None
