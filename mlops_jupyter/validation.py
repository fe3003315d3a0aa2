"""Input rules shared by every surface: names, keys, param and metric values."""

from __future__ import annotations

import json
import math
import numbers
from typing import Any

from .errors import InvalidInput
from .store.models import KEY_LENGTH, NAME_LENGTH

PARAM_VALUE_LENGTH = 100_000
_PARAM_TYPES = {bool: "bool", int: "int", float: "float", str: "str", type(None): "none"}


def check_name(value: Any, what: str) -> str:
    """A display name: non-empty text of at most 255 characters (any unicode)."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} name must be text, got {type(value).__name__}", field=what)
    name = value.strip()
    if not name:
        raise InvalidInput(f"{what} name is empty", hint=f"give the {what} a name", field=what)
    if len(name) > NAME_LENGTH:
        raise InvalidInput(f"{what} name is {len(name)} characters long; the limit is "
                           f"{NAME_LENGTH}", field=what)
    if "\x00" in name:
        raise InvalidInput(f"{what} name contains a NUL character", field=what)
    return name


def check_key(value: Any, what: str = "key") -> str:
    """A param/metric/tag key: non-empty text of at most 250 characters."""
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text, got {type(value).__name__}: {value!r}",
                           field=what)
    if not value or not value.strip():
        raise InvalidInput(f"{what} is empty", field=what)
    if len(value) > KEY_LENGTH:
        raise InvalidInput(f"{what} {value[:40]!r}... is {len(value)} characters long; the "
                           f"limit is {KEY_LENGTH}", field=what)
    if "\x00" in value:
        raise InvalidInput(f"{what} contains a NUL character", field=what)
    return value


def metric_value(key: str, value: Any) -> float:
    """A metric value as float. Real numbers only (NaN and +/-inf are kept)."""
    if type(value) is float:  # the hot path: no isinstance chain
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        # NumPy 0-d arrays and scalars that are not numbers.Real still convert cleanly.
        item = getattr(value, "item", None)
        if item is not None and not isinstance(value, bool):
            try:
                inner = item()
            except (TypeError, ValueError):
                inner = None
            if isinstance(inner, numbers.Real) and not isinstance(inner, bool):
                return float(inner)
        raise InvalidInput(
            f"metric {key!r} must be a real number, got {type(value).__name__}: {value!r:.60}",
            hint="log text or booleans as params or tags" if isinstance(value, (str, bool))
            else "convert it with float(...)",
            field=key,
        )
    return float(value)


MAX_STEP = 2**31 - 1  # a 32-bit INTEGER column on PostgreSQL


def metric_step(key: str, step: Any) -> int:
    if isinstance(step, bool) or not isinstance(step, numbers.Integral):
        item = getattr(step, "item", None)
        if item is not None and isinstance(item(), int):
            step = item()
        else:
            raise InvalidInput(f"step of metric {key!r} must be an integer, got {step!r}",
                               field="step")
    step = int(step)
    if not -MAX_STEP <= step <= MAX_STEP:
        raise InvalidInput(f"step of metric {key!r} is out of range: {step}",
                           hint=f"steps go from -{MAX_STEP} to {MAX_STEP}", field="step")
    return step


def param_value(key: str, value: Any) -> tuple[str | None, str]:
    """Serialize a param value to (text, type name). JSON-able scalars and lists only."""
    value = _unwrap_numpy(value)
    kind = _PARAM_TYPES.get(type(value))
    if kind is None:
        if isinstance(value, (list, tuple, dict)):
            try:
                text = json.dumps(value, allow_nan=True, default=_json_default)
            except (TypeError, ValueError) as e:
                raise InvalidInput(f"param {key!r} holds a value that is not JSON-able: {e}",
                                   field=key) from e
            kind = "json"
        else:
            raise InvalidInput(
                f"param {key!r} must be a number, text, bool, None or a list of them; got "
                f"{type(value).__name__}",
                hint="pass str(value) to record its text",
                field=key,
            )
    elif kind == "none":
        text = None
    elif kind == "float" and not math.isfinite(value):
        text = repr(value)
    else:
        text = str(value)
    if text is not None and len(text) > PARAM_VALUE_LENGTH:
        raise InvalidInput(f"param {key!r} is {len(text)} characters long; the limit is "
                           f"{PARAM_VALUE_LENGTH}", field=key)
    return text, kind


def parse_param(text: str | None, kind: str) -> Any:
    """Inverse of :func:`param_value`."""
    if kind == "none" or text is None:
        return None
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    if kind == "bool":
        return text == "True"
    if kind == "json":
        return json.loads(text)
    return text


def _unwrap_numpy(value: Any) -> Any:
    if type(value) in _PARAM_TYPES:
        return value
    item = getattr(value, "item", None)
    if item is not None and getattr(value, "shape", None) == ():
        try:
            return item()
        except (TypeError, ValueError):
            return value
    return value


def _json_default(value: Any) -> Any:
    unwrapped = _unwrap_numpy(value)
    if unwrapped is not value:
        return unwrapped
    tolist = getattr(value, "tolist", None)
    if tolist is not None:
        return tolist()
    raise TypeError(f"{type(value).__name__} is not JSON-able")
