"""A throwaway PostgreSQL cluster started from the installed server binaries.

``initdb`` and ``pg_ctl`` refuse to run as root, so as root they run as the
``postgres`` OS user on a directory it owns. The cluster listens on loopback only,
with trust authentication, and is deleted at the end of the test session.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def find_bin_dir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    found = shutil.which("initdb")
    if found:
        candidates.insert(0, found)
    return Path(candidates[0]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PgCluster:
    bin_dir: Path
    data_dir: Path
    port: int
    run_as: str | None

    def _cmd(self, *args: str) -> list[str]:
        if self.run_as:
            return ["runuser", "-u", self.run_as, "--", *args]
        return list(args)

    def start(self) -> None:
        subprocess.run(self._cmd(str(self.bin_dir / "initdb"), "-D", str(self.data_dir), "-A",
                                 "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"),
                       check=True, capture_output=True)
        opts = (f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c max_connections=200 -c shared_buffers=64MB")
        subprocess.run(self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-o",
                                 opts, "-l", str(self.data_dir / "log"), "-w", "start"),
                       check=True, capture_output=True)

    def stop(self) -> None:
        subprocess.run(self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m",
                                 "immediate", "stop"), capture_output=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_cluster() -> tuple[PgCluster | None, str]:
    """Start a cluster; returns (cluster, "") or (None, reason it cannot run)."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        return None, "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return None, "the psycopg driver is not installed"
    run_as = None
    base = Path(tempfile.mkdtemp(prefix="mlops-pg-"))
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            return None, "running as root and there is no 'postgres' user to run the server"
        run_as = "postgres"
        os.chown(base, pw.pw_uid, pw.pw_gid)
    cluster = PgCluster(bin_dir, base / "data", free_port(), run_as)
    if run_as:
        cluster.data_dir.mkdir()
        os.chown(cluster.data_dir, pw.pw_uid, pw.pw_gid)
    t0 = time.monotonic()
    try:
        cluster.start()
    except subprocess.CalledProcessError as e:
        return None, f"could not start PostgreSQL: {e.stderr.decode(errors='replace')[-500:]}"
    cluster.startup_seconds = time.monotonic() - t0  # type: ignore[attr-defined]
    return cluster, ""
