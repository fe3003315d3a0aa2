"""Where the magics find the notebook that runs the kernel."""

from __future__ import annotations

import os


def notebook_path(user_ns: dict) -> str | None:
    """The notebook that runs this kernel: JupyterLab tells the kernel in
    ``JPY_SESSION_NAME``; VS Code puts it in the namespace."""
    return os.environ.get("JPY_SESSION_NAME") or user_ns.get("__vsc_ipynb_file__") or None
