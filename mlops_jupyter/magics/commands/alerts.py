"""``%mlops alerts``: the alert rules widget (rules, backtest, delivery log)."""

from __future__ import annotations

from typing import Any

from IPython.core.magic_arguments import argument, magic_arguments


@magic_arguments(name="mlops alerts")
@argument("--rule", default=None, help="Select this rule in the widget.")
@argument("--deliver", action="store_true",
          help="Deliver every due alert now and print what happened (no widget).")
def run(magics: Any, args: Any) -> Any:
    """Alert rules by email or webhook: list them, enable/disable, create one with a
    backtest first ("how often would it have fired in the last 30 days?"), and see
    recent events with their delivery status (failures highlighted with the reason).

    Rules are created from code with ``mj.alerts.add_rule(...)`` too. SMTP comes from
    ``[smtp]`` in ~/.mlops_jupyter/config.toml or MLOPS_JUPYTER_SMTP_* variables.

    Examples
    --------
    ::

        %mlops alerts
        %mlops alerts --deliver
    """
    from ... import alerts
    from ...widgets.alert_rules import AlertsWidget

    if args.deliver:
        done = alerts.deliver()
        print("delivered: " + (", ".join(f"{k} {v}" for k, v in done.items())
                               or "nothing was due"))
        return None
    widget = AlertsWidget()
    if args.rule:
        widget.selected = args.rule
        widget.refresh()
    return widget
