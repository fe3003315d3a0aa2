"""``%mlops experiment [NAME]``: choose (creating if needed) or list experiments."""

from __future__ import annotations

from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments


@magic_arguments(name="mlops experiment")
@argument("name", nargs="?", default=None, help="Experiment to work in (created if new).")
@argument("--project", "-p", default=None,
          help="Project of the experiment (default: the current one; it becomes current).")
@argument("--description", default=None, help="Description for a new experiment.")
def run(magics: Any, args: Any) -> None:
    """Choose the experiment of the next iterations, or list the project's (no NAME)."""
    from ...errors import NotFound
    from ...tracking import fluent
    from ...tracking.fluent import use

    client = fluent.get_client()
    project = args.project or fluent.current_project()
    if args.name is None:
        current = fluent.current_experiment()
        try:
            summaries = client.experiments(project)
        except NotFound:
            summaries = []
        for summary in summaries:
            e = summary.experiment
            mark = "*" if e.name == current else " "
            print(f"{mark} {e.name}  ({summary.iteration_count} iterations)")
        print(f"current: {project} / {current}")
        return
    try:
        client.get_experiment(project, args.name)
    except NotFound:
        client.create_experiment(project, args.name, args.description)
    use(project=project, experiment=args.name)
    print(f"experiment: {project} / {args.name}")
