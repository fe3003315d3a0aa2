"""The one domain error hierarchy.

Every surface translates these once: the server maps ``http_status``, the magics
raise ``UsageError`` with ``hint``, widgets show ``str(error)``. Messages say what
went wrong *and* what to do about it.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class MlopsError(Exception):
    """Base class of every error the core raises on purpose."""

    code = "error"
    http_status = 500

    def __init__(self, message: str, *, hint: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InvalidInput(MlopsError):
    """A value given by the user is malformed or out of range."""

    code = "invalid_input"
    http_status = 400


class NotFound(MlopsError):
    """A named or numbered thing does not exist."""

    code = "not_found"
    http_status = 404


class AlreadyExists(MlopsError):
    """Creating something whose unique name is taken."""

    code = "already_exists"
    http_status = 409


class Conflict(MlopsError):
    """The request contradicts the stored state (e.g. changing a logged param)."""

    code = "conflict"
    http_status = 409


class Untrusted(MlopsError):
    """Loading an artifact that needs explicit trust which was not given."""

    code = "untrusted"
    http_status = 403


class SchemaOutdated(MlopsError):
    """The database schema is older (or newer) than this version of the package."""

    code = "schema_outdated"
    http_status = 503


class StorageError(MlopsError):
    """The backing store failed (database down, disk full, server unreachable)."""

    code = "storage_error"
    http_status = 503


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """Return a hint naming the closest candidates to ``name``, or None."""
    choices = list(candidates)
    close = difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    if choices and len(choices) <= 10:
        return "known: " + ", ".join(repr(c) for c in sorted(choices))
    return None
