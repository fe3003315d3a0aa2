"""On-demand benchmarks (never run in CI): ``python -m benchmarks [tracking|server|...]``."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
T = TypeVar("T")


def on_postgres(run: Callable[[Callable[[str], str]], T]) -> T | None:
    """``run(new_database)`` on a throwaway PostgreSQL cluster, stopped after.

    ``new_database(name)`` creates a database on the cluster and returns its URI.

    None (with the reason printed) when the PostgreSQL server binaries are absent.
    The cluster's directory is removed afterwards.
    """
    sys.path.insert(0, str(ROOT))
    from tests.pg_cluster import start_cluster

    cluster, reason = start_cluster()
    if cluster is None:
        print(f"PostgreSQL skipped: {reason}")
        return None
    try:
        return run(cluster.create_database)
    finally:
        cluster.stop()
        shutil.rmtree(cluster.data_dir.parent, ignore_errors=True)
