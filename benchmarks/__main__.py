"""Run benchmark suites by name: ``python -m benchmarks [SUITE ...] [OPTIONS]``.

With no name, runs the tracking suite. Options after the names go to every suite
(``python -m benchmarks server --backends sqlite``); each suite prints a table.
``python -m benchmarks --help`` lists the suites; ``python -m benchmarks SUITE --help``
shows a suite's own usage. Neither runs anything.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import sys
from pathlib import Path

SUITES = {
    "tracking": "benchmarks.bench_tracking",
    "server": "benchmarks.bench_server",
    "monitoring": "benchmarks.bench_monitoring",
    "magics": "benchmarks.bench_magics",
    "panel": "benchmarks.bench_panel",
}
_HELP = ("-h", "--help")


def _docstring(module: str) -> str:
    """A suite's docstring, read without importing it (importing may be slow)."""
    path = Path(__file__).with_name(module.rsplit(".", 1)[1] + ".py")
    return ast.get_docstring(ast.parse(path.read_text())) or ""


def _parser() -> argparse.ArgumentParser:
    suites = "\n".join(f"  {name:<11} {_docstring(module).splitlines()[0]}"
                       for name, module in SUITES.items())
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="On-demand benchmarks of mlops-jupyter (never run in CI); each suite "
                    "prints a table of measured figures.",
        epilog=f"suites:\n{suites}\n\n`python -m benchmarks SUITE --help` shows a suite's "
               "options.")
    parser.add_argument("suites", nargs="*", metavar="SUITE", default=["tracking"],
                        help="suites to run, in order (default: tracking)")
    return parser


def main(argv: list[str]) -> int:
    names = []
    for arg in argv:
        if arg.startswith("-"):
            break
        names.append(arg)
    options = argv[len(names):]
    parser = _parser()
    unknown = [n for n in names if n not in SUITES]
    if unknown:
        parser.error(f"unknown suite {unknown[0]!r}; choose from {', '.join(SUITES)}")
    if any(o in _HELP for o in options):
        if not names:
            parser.print_help()
        for name in names:  # a suite's usage is its docstring
            print(f"python -m benchmarks {name}: {_docstring(SUITES[name])}\n")
        return 0
    for name in names or ["tracking"]:
        module = importlib.import_module(SUITES[name])
        # Every suite reads its options from sys.argv (argparse) or its argument.
        sys.argv = [f"benchmarks {name}", *options]
        module.main(*([options] if name in ("tracking", "panel") else []))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
