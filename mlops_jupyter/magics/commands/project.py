"""``%mlops project [NAME]``: choose (creating if needed) or show the current project."""

from __future__ import annotations

from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments


@magic_arguments(name="mlops project")
@argument("name", nargs="?", default=None, help="Project to work in (created if new).")
@argument("--description", default=None, help="Description for a new project.")
def run(magics: Any, args: Any) -> None:
    """Choose the project of the next iterations, or list projects (no NAME)."""
    from ...tracking import fluent
    from ...tracking.fluent import use

    client = fluent.get_client()
    if args.name is None:
        current = fluent.current_project()
        for summary in client.projects():
            p = summary.project
            mark = "*" if p.name == current else " "
            print(f"{mark} {p.name}  ({summary.experiment_count} experiments, "
                  f"{summary.iteration_count} iterations)")
        print(f"current project: {current}")
        return
    from ...errors import NotFound

    try:
        client.get_project(args.name)
    except NotFound:
        client.create_project(args.name, args.description)
    use(project=args.name)
    print(f"project: {args.name}")
