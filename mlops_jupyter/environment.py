"""Environment and git capture for iterations: fast, cached once per process.

The environment (Python, platform, host, user, versions of key packages) cannot
change inside a process; git state is cached per working directory for
``GIT_CACHE_SECONDS`` so that a tight loop of iterations costs nothing, while a
commit made between two notebook cells a minute apart is still seen.
"""

from __future__ import annotations

import getpass
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from importlib import metadata
from typing import Any

KEY_PACKAGES = (
    "numpy", "pandas", "scikit-learn", "scipy", "torch", "tensorflow", "jax", "xgboost",
    "lightgbm", "catboost", "statsmodels", "polars", "pyarrow", "joblib", "mlops-jupyter",
)
GIT_CACHE_SECONDS = 10.0

_lock = threading.Lock()
_environment: dict[str, Any] | None = None
_git_cache: dict[str, tuple[float, dict[str, Any]]] = {}


def current_user() -> str:
    """The operating-system user of this process: what the library records as the actor
    of a write made directly on a database. It is not authenticated (``$USER`` changes
    it); writes through the server record the server's authenticated identity instead."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


def environment() -> dict[str, Any]:
    """Python version, platform, host, user and installed versions of key packages."""
    global _environment
    with _lock:
        if _environment is None:
            packages = {}
            for name in KEY_PACKAGES:
                try:
                    packages[name] = metadata.version(name)
                except metadata.PackageNotFoundError:
                    continue
            _environment = {
                "python": platform.python_version(),
                "implementation": platform.python_implementation(),
                "platform": platform.platform(),
                "host": socket.gethostname(),
                "user": current_user(),
                "executable": sys.executable,
                "packages": packages,
            }
        return dict(_environment)


def git_state(path: str | None = None) -> dict[str, Any]:
    """Commit, branch and dirty flag of the git repository containing ``path`` (or cwd).

    Returns {} outside a repository or when git is not installed.
    """
    cwd = os.path.abspath(path or os.getcwd())
    now = time.monotonic()
    with _lock:
        hit = _git_cache.get(cwd)
        if hit is not None and now - hit[0] < GIT_CACHE_SECONDS:
            return dict(hit[1])
    state = _read_git(cwd)
    with _lock:
        _git_cache[cwd] = (now, state)
    return dict(state)


def _read_git(cwd: str) -> dict[str, Any]:
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain=v2", "--branch", "--untracked-files=no"],
            cwd=cwd, capture_output=True, text=True, timeout=5,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if out.returncode != 0:
        return {}
    state: dict[str, Any] = {"commit": None, "branch": None, "dirty": False}
    for line in out.stdout.splitlines():
        if line.startswith("# branch.oid "):
            oid = line.split(" ", 2)[2]
            state["commit"] = None if oid == "(initial)" else oid
        elif line.startswith("# branch.head "):
            head = line.split(" ", 2)[2]
            state["branch"] = None if head == "(detached)" else head
        elif line and not line.startswith("#"):
            state["dirty"] = True
    return state


def clear_caches() -> None:
    """Forget cached environment and git state (tests, long-lived servers)."""
    global _environment
    with _lock:
        _environment = None
        _git_cache.clear()
