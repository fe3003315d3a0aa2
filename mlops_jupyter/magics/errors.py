"""Domain errors become ``UsageError`` with the hint: a message, never a traceback."""

from __future__ import annotations

import contextlib
import shlex
import warnings
from collections.abc import Iterator
from typing import Any

from IPython.core.error import UsageError

from ..errors import MlopsError


def parse(func: Any, line: str) -> Any:
    """Parse a magic's arguments shell-style (quotes group words and are removed,
    unlike IPython's ``parse_argstring``): ``%mlops experiment "scaling methods"``."""
    try:
        argv = shlex.split(line)
    except ValueError as e:  # unbalanced quotes
        raise UsageError(f"cannot read the arguments: {e}") from None
    return func.parser.parse_args(_glue_dashed_values(argv))


_DASHED_VALUES = ("--sort", "-s")  # "--sort -metrics.acc": descending, not an option


def _glue_dashed_values(argv: list[str]) -> list[str]:
    out: list[str] = []
    for token in argv:
        if out and out[-1] in _DASHED_VALUES and token.startswith("-") and len(token) > 1:
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


class TrackingWarning(UserWarning):
    """Something was not recorded; the user's cell ran and its result stands."""


@contextlib.contextmanager
def usage_errors() -> Iterator[None]:
    """Translate the core's errors for the magics (once, here)."""
    try:
        yield
    except MlopsError as e:
        raise UsageError(str(e)) from None


def warn(message: str) -> None:
    """Always shown (not once per location as Python's default filter would)."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", TrackingWarning)
        warnings.warn(f"mlops-jupyter: {message}", TrackingWarning, stacklevel=3)
