"""``%mlops monitor NAME``: the monitoring dashboard of a registered model."""

from __future__ import annotations

from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic_arguments import argument, magic_arguments


@magic_arguments(name="mlops monitor")
@argument("name", help="Registered model.")
@argument("--window", "-w", default="1h",
          help="Window length: 5min, 15min, 1h (default), 6h, 1d, or minutes.")
@argument("--since", "-s", default="24h",
          help="How far back: 24h (default), 7d, ... or 'all'.")
@argument("--version", "-v", type=int, default=None,
          help="Version to monitor (default: the current production version).")
@argument("--feature", "-f", default=None,
          help="Feature whose reference and current distributions are drawn "
               "(default: the one that moved most in the latest window).")
@argument("--live", type=float, default=None, metavar="SECONDS",
          help="Refresh every SECONDS (the 'live' toggle of the widget turns it off).")
def run(magics: Any, args: Any) -> Any:
    """The monitoring dashboard of a registered model version (production by default).

    Per window: prediction volume and errors, error rate, latency p50/p95/p99; a
    drift heatmap of windows x features (coloured by PSI or the test statistic,
    drifted cells marked x); the reference against one window's distribution of a
    chosen feature; accuracy (or error) per window once labels were logged. A
    refresh button, and live refresh with --live SECONDS or the widget's toggle.

    Examples
    --------
    ::

        %mlops monitor wine-classifier
        %mlops monitor wine-classifier --window 15min --since 6h --feature alcohol
        %mlops monitor wine-classifier --version 2 --live 30
    """
    from ...monitoring.windows import to_epoch, window_minutes
    from ...tracking import fluent

    window_minutes(args.window)  # InvalidInput -> UsageError, with the accepted forms
    if args.since != "all":
        to_epoch(args.since)
    if args.live is not None and not args.live >= 1:
        raise UsageError(f"--live takes a number of seconds >= 1, not {args.live:g}")
    fluent.get_client().model_versions(args.name)  # NotFound (did you mean ...) first

    from ...widgets.monitoring import MonitorWidget

    return MonitorWidget(args.name, version=args.version, window=args.window,
                         since=args.since, feature=args.feature or "",
                         live=args.live is not None, interval=args.live or 30.0)
