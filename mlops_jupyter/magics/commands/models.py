"""``%mlops models [NAME]``: registered models and versions; ``df = %mlops models``."""

from __future__ import annotations

from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments


@magic_arguments(name="mlops models")
@argument("name", nargs="?", default=None,
          help="A registered model: its versions (with metrics) and stage history.")
def run(magics: Any, args: Any) -> Any:
    """Registered models and their versions: name, version, stage, aliases, source
    iteration (or uploaded file), format, size, created.

    With NAME, that model's versions with their metrics, then its stage history
    (the audit log). ``df = %mlops models`` binds the pandas DataFrame; for one
    model ``df.history`` is the history.
    """
    from ...widgets.models_table import ModelsFrame

    return ModelsFrame.fetch(args.name)
