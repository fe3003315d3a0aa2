"""Run benchmark suites by name: ``python -m benchmarks tracking server monitoring magics panel``.

With no name, runs the tracking suite. Options after the names go to every suite
(``python -m benchmarks server --backends sqlite``); each suite prints a table.
"""

from __future__ import annotations

import importlib
import sys

SUITES = {
    "tracking": "benchmarks.bench_tracking",
    "server": "benchmarks.bench_server",
    "monitoring": "benchmarks.bench_monitoring",
    "magics": "benchmarks.bench_magics",
    "panel": "benchmarks.bench_panel",
}


def main(argv: list[str]) -> int:
    names = []
    for arg in argv:
        if arg.startswith("-"):
            break
        names.append(arg)
    options = argv[len(names):]
    for name in names or ["tracking"]:
        if name not in SUITES:
            print(f"unknown suite {name!r}; choose from {', '.join(SUITES)}", file=sys.stderr)
            return 2
        module = importlib.import_module(SUITES[name])
        # Every suite reads its options from sys.argv (argparse) or its argument.
        sys.argv = [f"benchmarks {name}", *options]
        module.main(*([options] if name in ("tracking", "panel") else []))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
