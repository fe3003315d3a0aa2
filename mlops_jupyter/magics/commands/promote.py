"""``%mlops promote NAME``: the promote widget, or a direct promotion/rollback."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments


@magic_arguments(name="mlops promote")
@argument("name", help="Registered model.")
@argument("--version", "-v", type=int, default=None, help="Version to promote.")
@argument("--stage", "-s", default="production",
          help="Target stage: production (default), staging, archived or none.")
@argument("--comment", "-c", default=None, help="Why (kept in the stage history).")
@argument("--rollback", action="store_true",
          help="Put the previous production version back into production.")
@argument("--yes", "-y", action="store_true",
          help="With --version or --rollback: act now, without the widget's confirmation.")
def run(magics: Any, args: Any) -> Any:
    """Promote a version of a registered model, or roll production back.

    Without --yes, shows the promote widget (versions, the candidate against
    production, Promote/Rollback with a confirmation step, the stage history);
    --version/--rollback pre-select the action there. With --yes and --version N
    (or --rollback) it acts directly and prints the result. Promoting to
    production archives the previous production version.
    """
    from ...tracking import fluent

    if args.rollback and args.version is not None:
        raise UsageError("--rollback puts the previous production version back: "
                         "drop --version (or drop --rollback to promote that version)")
    client = fluent.get_client()
    versions = client.model_versions(args.name)  # NotFound (did you mean ...) first
    if args.yes:
        if args.rollback:
            before = next((v.version for v in versions if v.stage == "production"), None)
            mv = client.rollback(args.name, comment=args.comment)
            print(f"{args.name}: rolled back from version {before} to version {mv.version}, "
                  "now in production")
            return None
        if args.version is None:
            raise UsageError("--yes needs --version N or --rollback "
                             f"(e.g. %mlops promote {args.name} --version 2 --yes)")
        mv = client.promote(args.name, args.version, args.stage, comment=args.comment)
        print(f"{args.name}: version {mv.version} is now in {mv.stage}")
        return None
    from ...widgets.promotion import STAGES, PromoteWidget

    if args.stage not in STAGES:
        raise UsageError(f"the promote widget moves versions to {' or '.join(STAGES)}, not "
                         f"{args.stage!r} (use --version N --stage {args.stage} --yes)")

    widget = PromoteWidget(args.name, version=args.version, stage=args.stage,
                           comment=args.comment or "")
    if args.rollback:
        widget.ask("rollback")
    elif args.version is not None:
        widget.ask("promote")
    return widget
