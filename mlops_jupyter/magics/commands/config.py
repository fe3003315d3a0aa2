"""``%mlops config [KEY [VALUE]]``: show or set the tracking URI and magics settings."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments

from ...errors import did_you_mean


@magic_arguments(name="mlops config")
@argument("key", nargs="?", default=None,
          help="A setting: tracking_uri, quiet, auto_capture, compare_limit, curves_limit.")
@argument("value", nargs="?", default=None,
          help="New value ('' or 'default' resets tracking_uri).")
def run(magics: Any, args: Any) -> None:
    """Show the settings (no KEY), one setting (KEY) or change it (KEY VALUE).

    The same settings are traitlets: ``%config MlopsMagics.quiet = True``.
    """
    names = sorted(magics.trait_names(config=True))
    if args.key is None:
        _show_all(magics, names)
        return
    if args.key not in names:
        hint = did_you_mean(args.key, names)
        raise UsageError(f"no setting {args.key!r}" + (f": {hint}" if hint else ""))
    if args.value is None:
        print(f"{args.key} = {getattr(magics, args.key)!r}")
        return
    trait = magics.traits()[args.key]
    value: Any = args.value
    if args.key == "tracking_uri" and value in ("", "default", "None"):
        value = None
    elif args.key != "tracking_uri":
        try:
            value = trait.from_string(value)
        except Exception as e:
            raise UsageError(f"{args.key}: {e}") from None
    try:
        setattr(magics, args.key, value)
    except Exception as e:  # traitlets.TraitError
        raise UsageError(f"{args.key}: {e}") from None
    print(f"{args.key} = {getattr(magics, args.key)!r}")


def _show_all(magics: Any, names: list[str]) -> None:
    from ... import config
    from ...tracking import fluent
    from ...tracking.fluent import get_tracking_uri

    settings = config.resolve(get_tracking_uri())
    print(f"tracking_uri = {settings.tracking_uri}  (from {settings.tracking_uri_source})")
    print(f"artifact_root = {settings.artifact_root}  (from {settings.artifact_root_source})")
    print(f"project = {fluent.current_project()}, experiment = {fluent.current_experiment()}")
    for name in names:
        if name != "tracking_uri":
            print(f"{name} = {getattr(magics, name)!r}")
