"""``%mlops runs``: the iterations as a table widget; ``df = %mlops runs`` keeps the frame."""

from __future__ import annotations

from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments


@magic_arguments(name="mlops runs")
@argument("--project", "-p", default=None, help="Project (default: current; '*' for all).")
@argument("--experiment", "-e", default=None,
          help="Experiment (default: current; '*' for every experiment of the project).")
@argument("--filter", "-f", action="append", default=None, metavar="EXPR",
          help="e.g. 'metrics.accuracy>=0.9' or 'params.scaler=minmax'. Repeatable.")
@argument("--sort", "-s", default=None, metavar="FIELD",
          help="e.g. -metrics.accuracy (leading '-': descending). Default: newest first.")
@argument("--status", default=None, help="running, finished, failed or killed.")
@argument("--limit", "-n", type=int, default=None, help="At most this many rows.")
def run(magics: Any, args: Any) -> Any:
    """Iterations with their params and metrics.

    Shown as a sortable, filterable table; ``df = %mlops runs`` binds the pandas
    DataFrame (displaying ``df`` shows the table again).
    """
    from ...widgets.runs_table import RunsFrame, RunsQuery

    query = RunsQuery(project=args.project, experiment=args.experiment,
                      filters=tuple(args.filter or ()), sort=args.sort, status=args.status,
                      limit=args.limit)
    return RunsFrame.fetch(query)
