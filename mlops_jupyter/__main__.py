"""``python -m mlops_jupyter``: the same as the ``mlops-jupyter`` command."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m mlops_jupyter"))
