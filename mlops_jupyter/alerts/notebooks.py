"""Which notebook a retraining rule may run: one inside the notebook root, never an artifact.

A rule's ``notebook`` is run with the full rights of whoever delivers the outbox (the
Jupyter server, or a notebook's own kernel), so it must be a notebook someone chose
to run, not a file an API client managed to put on disk. :func:`resolve_notebook`
is the one check, made when a rule is created through the server and again each
time a rule fires, wherever it was created:

- the path is relative to the *notebook root* (a leading ``/`` of a Jupyter
  contents path is ignored) or an absolute path inside it;
- it names an existing ``.ipynb`` file and has no ``..`` component;
- once every symlink is resolved it is still inside the root;
- it is not inside the artifact store, even when the store is inside the root:
  uploaded model files (any bytes, named by their SHA-256) live there.

The notebook root is the server's contents root (``ServerApp.root_dir``, the
directory the Jupyter file browser shows) when the server delivers; in a notebook
process it is ``notebook_root`` from ``MLOPS_JUPYTER_NOTEBOOK_ROOT`` or the config
file, else the process's working directory.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..config import read_config_file
from ..errors import InvalidInput

ENV_NOTEBOOK_ROOT = "MLOPS_JUPYTER_NOTEBOOK_ROOT"
_LIBRARY = object()  # a client that is not the server: the configured root applies


def configured_notebook_root() -> Path:
    """The notebook root of a library process (see the module docstring)."""
    value = os.environ.get(ENV_NOTEBOOK_ROOT) or read_config_file().get("notebook_root")
    return Path(os.path.expanduser(str(value))) if value else Path.cwd()


def notebook_root_of(client: Any) -> Path | None:
    """The root a client runs notebooks from; ``None``: it runs none (a server whose
    contents are not local files)."""
    root = getattr(client, "notebook_root", _LIBRARY)
    return configured_notebook_root() if root is _LIBRARY else root


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def check_notebook_syntax(path: Any) -> str | None:
    """What a rule may store as ``notebook``: an ``.ipynb`` path without ``..``."""
    if path is None or path == "":
        return None
    text = str(path)
    if "\x00" in text or any(c in text for c in "\r\n"):
        raise InvalidInput("the notebook path contains control characters", field="notebook")
    parts = text.replace("\\", "/").split("/")
    if ".." in parts:
        raise InvalidInput(f"notebook {text!r} may not contain '..'",
                           hint="give a path inside the notebook root", field="notebook")
    if not text.endswith(".ipynb"):
        raise InvalidInput(f"notebook {text!r} is not a .ipynb file", field="notebook")
    return text


def resolve_notebook(path: str, root: str | os.PathLike | None,
                     artifact_root: str | os.PathLike | None) -> Path:
    """The real path of the notebook ``path`` names, or ``InvalidInput`` saying why
    it may not run (see the module docstring for the rules)."""
    text = check_notebook_syntax(path)
    if text is None:
        raise InvalidInput("no notebook given", field="notebook")
    if root is None:
        raise InvalidInput("this server runs no retraining notebooks: its contents are "
                           "not local files", field="notebook")
    real_root = Path(os.path.realpath(os.path.expanduser(str(root))))
    given = Path(os.path.expanduser(text))
    if not given.is_absolute():
        given = real_root / text.lstrip("/")
    real = Path(os.path.realpath(given))
    if not _inside(real, real_root):
        raise InvalidInput(f"notebook {text!r} is outside the notebook root {str(real_root)!r}",
                           hint="retraining notebooks must live under the Jupyter root "
                           f"directory (or {ENV_NOTEBOOK_ROOT} for a notebook process); "
                           "symlinks leading out are refused", field="notebook")
    if artifact_root is not None and _inside(
            real, Path(os.path.realpath(os.path.expanduser(str(artifact_root))))):
        raise InvalidInput(f"notebook {text!r} is in the artifact store, which holds "
                           "uploaded files, not notebooks anyone chose to run",
                           field="notebook")
    if not real.is_file():
        raise InvalidInput(f"no notebook {text!r} in the notebook root {str(real_root)!r}",
                           field="notebook")
    return real
