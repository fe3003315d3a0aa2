"""Time windows for monitoring queries: ``"15min"``, ``"1h"``, ``"1d"`` or minutes."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from typing import Any

from ..errors import InvalidInput

_UNITS = {"": 1, "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1, "h": 60, "hour": 60,
          "hours": 60, "d": 1440, "day": 1440, "days": 1440}
_WINDOW_RE = re.compile(r"^\s*(\d+)\s*([a-z]*)\s*$")  # no unit: minutes


def window_minutes(window: Any) -> int:
    """A window length in whole minutes (the resolution of the bin counts)."""
    if isinstance(window, bool):
        raise InvalidInput("window must be a duration such as '1h'", field="window")
    if isinstance(window, int):
        minutes = window
    elif isinstance(window, timedelta):
        minutes = int(window.total_seconds() // 60)
    else:
        m = _WINDOW_RE.match(str(window).lower())
        if not m or m[2] not in _UNITS:
            raise InvalidInput(f"cannot read window {window!r}",
                               hint="use e.g. '15min', '1h', '1d' or a number of minutes",
                               field="window")
        minutes = int(m[1]) * _UNITS[m[2]]
    if minutes < 1:
        raise InvalidInput("window must be at least one minute", field="window")
    return minutes


def to_epoch(value: Any, *, now: float | None = None) -> float | None:
    """Epoch seconds of ``value``: None, a datetime, epoch seconds, or a duration ago."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, (str, timedelta)):
        return (now or time.time()) - window_minutes(value) * 60
    raise InvalidInput(f"cannot read time {value!r}",
                       hint="give a datetime, epoch seconds, or a duration ago such as '24h'",
                       field="since")
