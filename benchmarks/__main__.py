"""Run benchmark suites by name: ``python -m benchmarks tracking server magics panel``.

With no name, runs the tracking suite. Each suite prints a table of its figures.
"""

from __future__ import annotations

import importlib
import sys

SUITES = {
    "tracking": "benchmarks.bench_tracking",
    "server": "benchmarks.bench_server",
    "magics": "benchmarks.bench_magics",
    "panel": "benchmarks.bench_panel",
}


def main(argv: list[str]) -> int:
    names = [a for a in argv if not a.startswith("-")] or ["tracking"]
    options = [a for a in argv if a.startswith("-")]
    for name in names:
        if name not in SUITES:
            print(f"unknown suite {name!r}; choose from {', '.join(SUITES)}", file=sys.stderr)
            return 2
        module = importlib.import_module(SUITES[name])
        module.main(options)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
