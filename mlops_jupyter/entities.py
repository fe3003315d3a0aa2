"""Plain, immutable records returned by the store.

ORM rows never leave the store: every read returns one of these frozen dataclasses
(or a list of them), so callers cannot accidentally lazy-load or mutate database
state. Times are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

ITERATION_STATUSES = ("running", "finished", "failed", "killed")
DATASET_ROLES = ("train", "validation", "test", "reference", "other")


def utc_from_timestamp(ts: float | None) -> datetime | None:
    """Convert stored epoch seconds to an aware UTC datetime (None stays None)."""
    return None if ts is None else datetime.fromtimestamp(ts, tz=timezone.utc)


DURATION_DECIMALS = 2  # the one rounding rule of iteration durations, on every surface


def duration_between(started: datetime, ended: datetime | None) -> float | None:
    """An iteration's duration: stored end minus stored start, in seconds rounded to
    :data:`DURATION_DECIMALS` (None while running). The cell summary, ``mj.runs()``,
    ``%mlops runs``, the REST API and the panel all show this number."""
    if ended is None:
        return None
    return round((ended - started).total_seconds(), DURATION_DECIMALS)


def format_duration(seconds: float | None) -> str:
    """``6.9`` -> ``"6.90 s"`` (the panel's ``formatDuration`` is the same rule)."""
    return "" if seconds is None else f"{seconds:.{DURATION_DECIMALS}f} s"


@dataclass(frozen=True, slots=True)
class Project:
    id: int
    name: str
    description: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Experiment:
    id: int
    project_id: int
    project_name: str
    name: str
    description: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Source:
    """Where an iteration's code came from (a notebook cell or a script)."""

    code: str | None = None
    cell_hash: str | None = None
    execution_count: int | None = None
    notebook_path: str | None = None


@dataclass(frozen=True, slots=True)
class Iteration:
    """One run of an experiment.

    ``status`` is the *effective* status: a ``running`` iteration whose heartbeat is
    older than the store's heartbeat timeout reads as ``killed``.
    """

    id: int
    experiment_id: int
    project_name: str
    experiment_name: str
    name: str
    number: int
    status: str
    started_at: datetime
    ended_at: datetime | None
    heartbeat_at: datetime | None
    model_name: str | None = None
    source: Source = field(default_factory=Source)
    environment: dict[str, Any] = field(default_factory=dict)
    git: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    deleted_at: datetime | None = None

    @property
    def duration(self) -> float | None:
        """Seconds between start and end, rounded to 0.01 s (None while running)."""
        return duration_between(self.started_at, self.ended_at)


@dataclass(frozen=True, slots=True)
class Param:
    key: str
    value: Any
    value_type: str


@dataclass(frozen=True, slots=True)
class Metric:
    """One point of a metric series. ``value`` may be NaN or +/-inf."""

    key: str
    value: float
    step: int
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class DatasetRef:
    """A fingerprint of data used by an iteration: never the data itself."""

    uri: str
    name: str
    digest: str | None = None
    size: int | None = None
    rows: int | None = None
    columns: tuple[str, ...] | None = None
    kind: str = "file"  # file | directory | url


@dataclass(frozen=True, slots=True)
class Dataset:
    id: int
    name: str
    uri: str
    digest: str | None
    size: int | None
    rows: int | None
    columns: tuple[str, ...] | None
    kind: str
    role: str | None = None



STAGES = ("none", "staging", "production", "archived")


@dataclass(frozen=True, slots=True)
class RegisteredModel:
    id: int
    name: str
    description: str | None
    created_at: datetime
    updated_at: datetime
    latest_version: int
    production_version: int | None = None
    aliases: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModelVersion:
    """One stored model file, with where it came from (its lineage)."""

    id: int
    model_name: str
    version: int
    stage: str
    source: str  # iteration | upload
    iteration_id: int | None
    sha256: str
    size: int
    format: str
    flavor: str | None
    model_class: str | None
    filename: str | None
    description: str | None
    metrics: dict[str, float] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    datasets: tuple[dict[str, Any], ...] = ()
    created_at: datetime | None = None
    created_by: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StageTransition:
    """One entry of the registry's audit log."""

    id: int
    model_name: str
    version: int
    from_stage: str
    to_stage: str
    actor: str
    at: datetime
    comment: str | None


TRIGGERS = ("iteration_logged", "prediction_failed", "prediction_threshold", "drift",
            "performance", "latency")
EVENT_STATUSES = ("pending", "sending", "sent", "failed", "suppressed", "held", "digested")


@dataclass(frozen=True, slots=True)
class AlertRule:
    id: int
    name: str
    trigger: str
    scope_kind: str
    project: str | None
    experiment: str | None
    model: str | None
    condition: dict[str, Any]
    channel: str
    recipients: tuple[str, ...]
    webhook_url: str | None
    cooldown_seconds: float
    digest: bool
    notebook: str | None
    notebook_parameters: dict[str, Any]
    enabled: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AlertEvent:
    id: int
    rule_id: int
    rule_name: str
    kind: str  # firing | resolved
    subject: str
    fired_at: datetime
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    last_error: str | None
    run_outcome: dict[str, Any] | None
    # Set on the events a deliverer claimed: the token its later updates must present.
    claim_token: str | None = field(default=None, repr=False, compare=False)
