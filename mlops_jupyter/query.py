"""Structured queries over iterations: filters and sort keys, never SQL strings.

A filter is ``(field, op, value)``; ``field`` is ``params.<key>``, ``metrics.<key>``,
``tags.<key>``, or one of the iteration attributes in ``ATTRIBUTE_FIELDS``. Text
such as ``"metrics.accuracy >= 0.9"`` is parsed into that structure by
:meth:`Filter.parse`; the store binds the key and value as SQL parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InvalidInput

OPERATORS = ("=", "!=", "<", "<=", ">", ">=", "contains")
ATTRIBUTE_FIELDS = ("name", "number", "status", "started_at", "ended_at", "model_name", "id")
PREFIXES = ("params", "metrics", "tags")

_FILTER_RE = re.compile(
    r"^\s*(?P<field>[^\s<>=!~]+)\s*(?P<op>>=|<=|!=|==|=|<|>|~)\s*(?P<value>.*?)\s*$"
)


def split_field(name: str) -> tuple[str, str]:
    """``"metrics.acc"`` -> ``("metrics", "acc")``; ``"name"`` -> ``("", "name")``."""
    prefix, dot, key = name.partition(".")
    if dot and prefix in PREFIXES:
        if not key:
            raise InvalidInput(f"field {name!r} has no key after {prefix!r}.", field="filter")
        return prefix, key
    if name in ATTRIBUTE_FIELDS:
        return "", name
    raise InvalidInput(
        f"unknown field {name!r}",
        hint="use params.<key>, metrics.<key>, tags.<key> or one of " + ", ".join(ATTRIBUTE_FIELDS),
        field="filter",
    )


def _literal(text: str) -> Any:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


class _FieldRef:
    """``prefix`` and ``key`` of a ``field`` such as ``metrics.accuracy``."""

    __slots__ = ()
    field: str

    @property
    def prefix(self) -> str:
        return split_field(self.field)[0]

    @property
    def key(self) -> str:
        return split_field(self.field)[1]


@dataclass(frozen=True, slots=True)
class Filter(_FieldRef):
    """One comparison on an iteration field."""

    field: str
    op: str
    value: Any

    def __post_init__(self) -> None:
        op = "=" if self.op == "==" else ("contains" if self.op == "~" else self.op)
        object.__setattr__(self, "op", op)
        if op not in OPERATORS:
            raise InvalidInput(f"unknown operator {self.op!r}",
                               hint="use one of " + " ".join(OPERATORS), field="filter")
        split_field(self.field)
        if op in ("<", "<=", ">", ">=") and self.prefix == "metrics" and not isinstance(
            self.value, (int, float)
        ):
            raise InvalidInput(f"metric filter {self.field} {op} needs a number, got "
                               f"{self.value!r}", field="filter")

    @classmethod
    def parse(cls, text: str) -> Filter:
        """Parse ``"<field> <op> <value>"``, e.g. ``"metrics.accuracy>=0.9"``."""
        m = _FILTER_RE.match(text)
        if not m:
            raise InvalidInput(f"cannot read filter {text!r}",
                               hint="write e.g. metrics.accuracy>=0.9 or params.scaler=minmax",
                               field="filter")
        return cls(m["field"], m["op"], _literal(m["value"]))

    @classmethod
    def coerce(cls, value: Filter | str | Sequence[Any] | dict[str, Any]) -> Filter:
        """Accept a Filter, a text filter, a ``(field, op, value)`` tuple or a dict."""
        if isinstance(value, Filter):
            return value
        if isinstance(value, str):
            return cls.parse(value)
        if isinstance(value, dict):
            return cls(value["field"], value.get("op", "="), value["value"])
        if isinstance(value, (tuple, list)) and len(value) == 3:
            return cls(*value)
        raise InvalidInput(f"cannot use {value!r} as a filter",
                           hint="give (field, op, value) or 'metrics.x>=1'", field="filter")


@dataclass(frozen=True, slots=True)
class Sort(_FieldRef):
    field: str
    descending: bool = False

    def __post_init__(self) -> None:
        split_field(self.field)

    @classmethod
    def parse(cls, text: str) -> Sort:
        """``"-metrics.accuracy"`` or ``"metrics.accuracy desc"`` -> descending."""
        text = text.strip()
        desc = text.startswith("-")
        text = text.lstrip("-+").strip()
        lowered = text.lower()
        if lowered.endswith(" desc"):
            desc, text = True, text[:-5].strip()
        elif lowered.endswith(" asc"):
            text = text[:-4].strip()
        return cls(text, desc)


@dataclass(frozen=True)
class IterationQuery:
    """What to search for: scope, filters, sort, and one page of results."""

    project: str | int | None = None
    experiment: str | int | None = None
    statuses: tuple[str, ...] = ()
    name_contains: str | None = None
    filters: tuple[Filter, ...] = ()
    sort: tuple[Sort, ...] = (Sort("started_at", True),)
    limit: int | None = None
    offset: int = 0
    include_deleted: bool = False
    deleted_only: bool = False
    ids: tuple[int, ...] | None = None


def build_query(
    *,
    project: str | int | None = None,
    experiment: str | int | None = None,
    status: str | Iterable[str] | None = None,
    name_contains: str | None = None,
    filters: Iterable[Any] | Any = (),
    sort: str | Iterable[str] | None = None,
    limit: int | None = None,
    offset: int = 0,
    include_deleted: bool = False,
    deleted_only: bool = False,
    ids: Iterable[int] | None = None,
) -> IterationQuery:
    """Validate loose user arguments into an :class:`IterationQuery`."""
    from .entities import ITERATION_STATUSES

    statuses: tuple[str, ...] = ()
    if status is not None:
        statuses = (status,) if isinstance(status, str) else tuple(status)
        for s in statuses:
            if s not in ITERATION_STATUSES:
                raise InvalidInput(f"unknown status {s!r}",
                                   hint="use one of " + ", ".join(ITERATION_STATUSES),
                                   field="status")
    if isinstance(filters, (str, Filter, dict)):
        filters = [filters]
    parsed = tuple(Filter.coerce(f) for f in (filters or ()))
    if sort is None:
        sorts: tuple[Sort, ...] = (Sort("started_at", True),)
    else:
        sorts = tuple(Sort.parse(s) for s in ([sort] if isinstance(sort, str) else sort))
    if limit is not None and (not isinstance(limit, int) or limit < 0):
        raise InvalidInput("limit must be a non-negative integer", field="limit")
    if not isinstance(offset, int) or offset < 0:
        raise InvalidInput("offset must be a non-negative integer", field="offset")
    return IterationQuery(
        project=project,
        experiment=experiment,
        statuses=statuses,
        name_contains=name_contains or None,
        filters=parsed,
        sort=sorts,
        limit=limit,
        offset=offset,
        include_deleted=include_deleted,
        deleted_only=deleted_only,
        ids=tuple(ids) if ids is not None else None,
    )
