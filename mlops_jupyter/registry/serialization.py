"""Turning models into bytes and back, with trust made explicit.

Unpickling runs arbitrary code chosen by whoever wrote the file, so pickle and
joblib files are only loaded when the *user* says so: ``trusted=True`` at the call,
or an allowlist in the configuration (``trusted_models`` in the config file or
``MLOPS_JUPYTER_TRUSTED_MODELS``: entries ``name``, ``name:version`` or
``sha256:<hex>``). Nothing inside the file can grant trust. skops files are loaded
with skops' own type allowlist.

Trust binds to what was reviewed. ``name:version`` and ``sha256:<hex>`` name one
file. A bare ``name`` trusts only the versions of that name registered *from an
iteration* (``source == "iteration"``: ``log_model``, or ``register_model`` with
``iteration_id=``, by someone who can write the database); an uploaded version
(``POST models/{name}/versions``, which any API client with registry write access
can make, or ``register_model`` without an iteration) needs its own
``name:version`` or ``sha256:`` entry, so a later upload under a trusted name is
never loaded on the strength of the name.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import Any

from ..config import read_config_file
from ..errors import InvalidInput, Untrusted

ENV_TRUSTED = "MLOPS_JUPYTER_TRUSTED_MODELS"
FORMAT_BY_SUFFIX = {".pkl": "pickle", ".pickle": "pickle", ".joblib": "joblib",
                    ".skops": "skops"}


def dumps(model: Any, fmt: str = "joblib") -> bytes:
    """Serialize ``model`` with joblib (default), pickle or skops."""
    buf = io.BytesIO()
    if fmt == "joblib":
        import joblib

        joblib.dump(model, buf)
    elif fmt == "pickle":
        import pickle

        pickle.dump(model, buf, protocol=pickle.HIGHEST_PROTOCOL)
    elif fmt == "skops":
        try:
            import skops.io as sio
        except ImportError as e:
            raise InvalidInput("the skops format needs the skops package",
                               hint="pip install skops", field="format") from e
        return sio.dumps(model)
    else:
        raise InvalidInput(f"unknown model format {fmt!r}",
                           hint="use joblib, pickle or skops", field="format")
    return buf.getvalue()


def trusted_allowlist() -> set[str]:
    entries = set()
    env = os.environ.get(ENV_TRUSTED, "")
    entries.update(e.strip() for e in env.split(",") if e.strip())
    configured = read_config_file().get("trusted_models", [])
    if isinstance(configured, str):
        configured = [configured]
    entries.update(str(e).strip() for e in configured)
    return entries


def trust_keys(name: str, version: int, sha256: str, source: str | None = None) -> set[str]:
    """The allowlist entries that grant trust to one model version.

    The bare name is among them only for a version registered from an iteration:
    an upload is trusted by its version or its SHA-256, never by its name alone.
    """
    keys = {f"{name}:{version}", f"sha256:{sha256}"}
    if source == "iteration":
        keys.add(name)
    return keys


def is_trusted(name: str, version: int, sha256: str, source: str | None = None,
               allowlist: Iterable[str] = ()) -> bool:
    entries = trusted_allowlist() | set(allowlist)
    return bool(trust_keys(name, version, sha256, source) & entries)


def loads(data: bytes, fmt: str, *, name: str, version: int, sha256: str,
          trusted: bool = False, source: str | None = None,
          allowlist: Iterable[str] = ()) -> Any:
    """Deserialize verified bytes. Pickle-based formats need explicit trust.

    ``allowlist`` adds entries to the configuration's (the server's
    ``trusted_models`` trait); ``source`` is the version's, which decides whether a
    bare name entry applies.
    """
    allowlist = set(allowlist)
    if fmt == "skops":
        try:
            import skops.io as sio
        except ImportError as e:
            raise InvalidInput("loading a skops model needs the skops package",
                               hint="pip install skops") from e
        untrusted_types = sio.get_untrusted_types(data=data)
        if untrusted_types and not (trusted or is_trusted(name, version, sha256, source,
                                                          allowlist)):
            raise Untrusted(f"model {name!r} version {version} uses types skops does not "
                            f"trust by default: {', '.join(untrusted_types)}"
                            + _name_only(name, source, allowlist),
                            hint=_how_to_trust(name, version, sha256))
        return sio.loads(data, trusted=untrusted_types)
    if fmt not in ("pickle", "joblib"):
        raise InvalidInput(f"unknown model format {fmt!r}", field="format")
    if not (trusted or is_trusted(name, version, sha256, source, allowlist)):
        raise Untrusted(f"model {name!r} version {version} is a {fmt} file: loading it runs "
                        "code chosen by whoever wrote it, so it needs your explicit trust"
                        + _name_only(name, source, allowlist),
                        hint=_how_to_trust(name, version, sha256))
    if fmt == "joblib":
        import joblib

        return joblib.load(io.BytesIO(data))
    import pickle

    return pickle.loads(data)  # noqa: S301 - trust was given explicitly above


def _name_only(name: str, source: str | None, allowlist: set[str]) -> str:
    """Why a listed name did not apply (empty when the name is not listed)."""
    if source == "iteration" or name not in trusted_allowlist() | allowlist:
        return ""
    return (f"; {name!r} is trusted by name, but this version was uploaded, not registered "
            "from an iteration, and a name trusts only versions registered from an "
            "iteration")


def _how_to_trust(name: str, version: int, sha256: str) -> str:
    return (f"if you trust its author, pass trusted=True to load_model, or add "
            f"\"{name}:{version}\" (or \"sha256:{sha256}\") to trusted_models in "
            f"~/.mlops_jupyter/config.toml or to {ENV_TRUSTED}")


def format_for_filename(filename: str) -> str:
    """The format implied by an uploaded file's extension (.pkl, .joblib, .skops)."""
    suffix = os.path.splitext(filename or "")[1].lower()
    fmt = FORMAT_BY_SUFFIX.get(suffix)
    if fmt is None:
        raise InvalidInput(f"cannot tell the format of {filename!r}",
                           hint="upload a .pkl, .pickle, .joblib or .skops file", field="file")
    return fmt


def describe_model(model: Any) -> tuple[str, str]:
    """(flavor, class name) of a model object; pipelines spelled out."""
    cls = type(model)
    module = cls.__module__.split(".", 1)[0]
    steps = getattr(model, "steps", None)
    if isinstance(steps, list) and steps and all(isinstance(s, tuple) for s in steps):
        inner = ", ".join(type(step).__name__ for _, step in steps)
        return module, f"{cls.__name__}({inner})"
    return module, cls.__name__
