"""Where data goes: tracking URI, artifact root and tunables.

Precedence for every setting: explicit argument > environment variable >
config file > default. The config file is TOML at ``$MLOPS_JUPYTER_HOME/config.toml``
(``~/.mlops_jupyter/config.toml`` unless ``MLOPS_JUPYTER_CONFIG`` names another)::

    tracking_uri = "postgresql://me@db.example/mlops"
    artifact_root = "/shared/mlops-artifacts"
    heartbeat_timeout = 120

Jupyter surfaces (the server extension, the magics) expose the same settings as
traitlets and pass them here as explicit arguments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InvalidInput

ENV_HOME = "MLOPS_JUPYTER_HOME"
ENV_CONFIG = "MLOPS_JUPYTER_CONFIG"
ENV_TRACKING_URI = "MLOPS_JUPYTER_TRACKING_URI"
ENV_ARTIFACT_ROOT = "MLOPS_JUPYTER_ARTIFACT_ROOT"
ENV_TOKEN = "MLOPS_JUPYTER_TOKEN"
ENV_HEARTBEAT_TIMEOUT = "MLOPS_JUPYTER_HEARTBEAT_TIMEOUT"

ENV_MAX_UPLOAD_BYTES = "MLOPS_JUPYTER_MAX_UPLOAD_BYTES"

DEFAULT_HEARTBEAT_TIMEOUT = 120.0  # seconds without a heartbeat before "killed"
DEFAULT_MAX_UPLOAD_BYTES = 1 << 30  # 1 GiB per model file


def home_dir() -> Path:
    """The per-user directory holding the default database, artifacts and config."""
    return Path(os.path.expanduser(os.environ.get(ENV_HOME) or "~/.mlops_jupyter"))


def config_path() -> Path:
    return Path(os.path.expanduser(os.environ.get(ENV_CONFIG) or home_dir() / "config.toml"))


def default_tracking_uri() -> str:
    return f"sqlite:///{home_dir() / 'mlops.db'}"


def read_config_file(path: Path | None = None) -> dict[str, Any]:
    """The config file's table, or {} when there is none. Bad TOML is an InvalidInput."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return {}
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise InvalidInput(f"cannot read config file {path}: {e}", hint="fix or remove it") from e


def _pick(explicit: Any, env: str, key: str) -> tuple[Any, str]:
    if explicit not in (None, ""):
        return explicit, "argument"
    value = os.environ.get(env)
    if value:
        return value, f"environment ({env})"
    file_value = read_config_file().get(key)
    if file_value not in (None, ""):
        return file_value, f"config file ({config_path()})"
    return None, "default"


@dataclass(frozen=True)
class Settings:
    """Resolved settings, with where each came from (shown by ``%mlops config``)."""

    tracking_uri: str
    artifact_root: Path
    heartbeat_timeout: float
    token: str | None
    tracking_uri_source: str
    artifact_root_source: str
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES

    @property
    def is_default_database(self) -> bool:
        return self.tracking_uri_source == "default"


def resolve(
    tracking_uri: str | None = None,
    artifact_root: str | os.PathLike | None = None,
    heartbeat_timeout: float | None = None,
    token: str | None = None,
    max_upload_bytes: int | None = None,
) -> Settings:
    """Resolve every setting with the documented precedence."""
    uri, uri_source = _pick(tracking_uri, ENV_TRACKING_URI, "tracking_uri")
    if uri is None:
        uri = default_tracking_uri()
    root, root_source = _pick(artifact_root, ENV_ARTIFACT_ROOT, "artifact_root")
    root_path = Path(os.path.expanduser(str(root))) if root else home_dir() / "artifacts"
    hb_value = _positive(heartbeat_timeout, ENV_HEARTBEAT_TIMEOUT, "heartbeat_timeout",
                         float, DEFAULT_HEARTBEAT_TIMEOUT, "seconds")
    tok, _ = _pick(token, ENV_TOKEN, "token")
    limit = _positive(max_upload_bytes, ENV_MAX_UPLOAD_BYTES, "max_upload_bytes", int,
                      DEFAULT_MAX_UPLOAD_BYTES, "bytes")
    return Settings(str(uri), root_path, hb_value, tok, uri_source, root_source, limit)


def _positive(explicit: Any, env: str, key: str, cast: type, default: Any, unit: str) -> Any:
    raw, _ = _pick(explicit, env, key)
    if raw is None:
        return default
    try:
        value = cast(raw)
    except ValueError as e:
        raise InvalidInput(f"{key} must be a number of {unit}, got {raw!r}", field=key) from e
    if value <= 0:
        raise InvalidInput(f"{key} must be positive, got {raw!r}", field=key)
    return value
