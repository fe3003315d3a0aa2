"""``%mlops compare``: the inline comparison widget of an experiment."""

from __future__ import annotations

from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments


@magic_arguments(name="mlops compare")
@argument("--project", "-p", default=None, help="Project (default: the current one).")
@argument("--experiment", "-e", default=None, help="Experiment (default: the current one).")
@argument("--metric", "-m", action="append", default=None, metavar="M",
          help="Metric to compare (repeatable; default: every metric). The first one "
               "colours the parallel coordinates.")
@argument("--limit", "-n", type=int, default=None,
          help="Most recent iterations to fetch (default: MlopsMagics.compare_limit).")
def run(magics: Any, args: Any) -> Any:
    """Compare iterations side by side: table (best values highlighted, differing
    params marked), bars per metric, parallel coordinates, learning curves."""
    from ...tracking import fluent
    from ...widgets.compare import CompareWidget

    return CompareWidget(
        project=args.project or fluent.current_project(),
        experiment=args.experiment or fluent.current_experiment(),
        metrics=list(args.metric or []),
        limit=args.limit or magics.compare_limit,
        curves_limit=magics.curves_limit,
    )
