"""The ``mlops-jupyter`` command: database administration.

    mlops-jupyter db info      [--uri URI]   where the data is and its schema revision
    mlops-jupyter db upgrade   [--uri URI]   migrate the schema to this version (backs up SQLite)

``python -m mlops_jupyter`` runs the same command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__, config
from .errors import MlopsError


def _parser(prog: str = "mlops-jupyter") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog,
                                     description="Jupyter-native MLOps: administration commands.")
    parser.add_argument("--version", action="version", version=f"mlops-jupyter {__version__}")
    sub = parser.add_subparsers(dest="group", required=True)
    db = sub.add_parser("db", help="inspect or migrate the tracking database")
    db_sub = db.add_subparsers(dest="command", required=True)
    for name, help_text in (("info", "show the database, its revision and its contents"),
                            ("upgrade", "migrate the schema to the newest revision")):
        p = db_sub.add_parser(name, help=help_text)
        p.add_argument("--uri", help="database URL (default: MLOPS_JUPYTER_TRACKING_URI, the "
                       "config file, then the embedded SQLite database)")
    return parser


def _db_info(uri: str | None) -> int:
    from sqlalchemy import func, select

    from .store.engine import create_store_engine, redact
    from .store.migrations import HEAD_REVISION
    from .store.models import ExperimentRow, IterationRow, MetricRow, ProjectRow
    from .store.schema import current_revision

    settings = config.resolve(uri)
    engine = create_store_engine(settings.tracking_uri)
    try:
        current = current_revision(engine)
        print(f"database:  {redact(settings.tracking_uri)}  (from {settings.tracking_uri_source})")
        print(f"backend:   {engine.dialect.name}")
        state = ("up to date" if current == HEAD_REVISION else
                 "empty: created on first use" if current is None else
                 "needs upgrade: run `mlops-jupyter db upgrade`")
        print(f"revision:  {current or '-'}  (this version needs {HEAD_REVISION}: {state})")
        print(f"artifacts: {settings.artifact_root}")
        if current is not None:
            with engine.connect() as conn:
                for label, table in (("projects", ProjectRow), ("experiments", ExperimentRow),
                                     ("iterations", IterationRow),
                                     ("metric points", MetricRow)):
                    n = conn.execute(select(func.count()).select_from(table)).scalar_one()
                    print(f"{label + ':':<15}{n}")
    finally:
        engine.dispose()
    return 0


def _db_upgrade(uri: str | None) -> int:
    from .store.engine import create_store_engine
    from .store.schema import current_revision, upgrade

    settings = config.resolve(uri)
    engine = create_store_engine(settings.tracking_uri)
    try:
        before = current_revision(engine)
        info = upgrade(engine, settings.tracking_uri)
    finally:
        engine.dispose()
    if info.backup is not None:
        print(f"backup written to {info.backup}")
    if before == info.current:
        print(f"{info.uri} is already at revision {info.current}")
    else:
        print(f"{info.uri} upgraded from {before or 'empty'} to {info.current}")
    return 0


def main(argv: Sequence[str] | None = None, prog: str = "mlops-jupyter") -> int:
    """Run the command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    args = _parser(prog).parse_args(argv)
    try:
        if args.command == "info":
            return _db_info(args.uri)
        return _db_upgrade(args.uri)
    except MlopsError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
