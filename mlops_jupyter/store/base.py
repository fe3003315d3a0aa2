"""The storage interface every backend implements (SQL here, HTTP for remote use).

Surfaces and the tracking library only talk to this interface. All methods take and
return plain values and entities from :mod:`mlops_jupyter.entities`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..entities import Dataset, DatasetRef, Experiment, Iteration, Metric, Param, Project, Source
from ..errors import AlreadyExists, NotFound
from ..query import IterationQuery

# (iteration_id, key, value, step, timestamp): the unit the metric buffer flushes.
MetricPoint = tuple[int, str, float, int, float]


@dataclass(frozen=True)
class ProjectSummary:
    project: Project
    experiment_count: int
    iteration_count: int


@dataclass(frozen=True)
class ExperimentSummary:
    experiment: Experiment
    iteration_count: int
    last_started_at: float | None


@dataclass(frozen=True)
class SearchResult:
    """One page of iterations plus their params, latest metrics and tags."""

    iterations: list[Iteration]
    total: int
    params: dict[int, dict[str, Any]] = field(default_factory=dict)
    metrics: dict[int, dict[str, float]] = field(default_factory=dict)
    tags: dict[int, dict[str, str | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class MetricSeries:
    key: str
    steps: list[int]
    values: list[float]
    timestamps: list[float]
    total: int
    downsampled: bool = False


class TrackingStore(ABC):
    """Projects, experiments, iterations and everything logged to them."""

    uri: str

    # -- projects and experiments -------------------------------------------------
    @abstractmethod
    def create_project(self, name: str, description: str | None = None) -> Project: ...

    def get_or_create_project(self, name: str) -> Project:
        """The project ``name``, created when missing (safe against concurrent creators)."""
        try:
            return self.get_project(name)
        except NotFound:
            pass
        try:
            return self.create_project(name)
        except AlreadyExists:  # created concurrently by another process
            return self.get_project(name)

    @abstractmethod
    def get_project(self, ref: str | int) -> Project: ...

    @abstractmethod
    def list_projects(self) -> list[ProjectSummary]: ...

    @abstractmethod
    def create_experiment(
        self, project_id: int, name: str, description: str | None = None
    ) -> Experiment: ...

    def get_or_create_experiment(self, project_id: int, name: str) -> Experiment:
        """The experiment ``name`` of a project, created when missing."""
        try:
            return self.get_experiment(name, project_id)
        except NotFound:
            pass
        try:
            return self.create_experiment(project_id, name)
        except AlreadyExists:
            return self.get_experiment(name, project_id)

    @abstractmethod
    def get_experiment(self, ref: str | int, project: str | int | None = None) -> Experiment: ...

    @abstractmethod
    def list_experiments(self, project: str | int | None = None) -> list[ExperimentSummary]: ...

    # -- iterations ---------------------------------------------------------------
    @abstractmethod
    def create_iteration(
        self,
        experiment_id: int,
        name: str | None = None,
        *,
        source: Source | None = None,
        environment: Mapping[str, Any] | None = None,
        git: Mapping[str, Any] | None = None,
        model_name: str | None = None,
        tags: Mapping[str, Any] | None = None,
    ) -> Iteration: ...

    @abstractmethod
    def update_iteration(self, iteration_id: int, **fields: Any) -> Iteration:
        """Change ``name``, ``model_name``, ``source``, ``environment`` or ``git``."""

    @abstractmethod
    def end_iteration(self, iteration_id: int, status: str,
                      error: str | None = None) -> float | None:
        """Record the end; returns the stored end time (epoch seconds) when known."""

    @abstractmethod
    def heartbeat(self, iteration_ids: Iterable[int]) -> None: ...

    @abstractmethod
    def get_iteration(self, iteration_id: int) -> Iteration: ...

    @abstractmethod
    def delete_iteration(self, iteration_id: int) -> None:
        """Soft delete: hidden from searches until restored."""

    @abstractmethod
    def restore_iteration(self, iteration_id: int) -> Iteration: ...

    # -- logged data --------------------------------------------------------------
    @abstractmethod
    def log_params(self, iteration_id: int, params: Mapping[str, Any]) -> None: ...

    @abstractmethod
    def log_metrics(self, points: Sequence[MetricPoint]) -> int:
        """Store metric points (validated already); returns how many were stored."""

    @abstractmethod
    def set_tags(self, iteration_id: int, tags: Mapping[str, Any]) -> None:
        """Set tags; a value of None deletes the tag."""

    @abstractmethod
    def log_dataset(self, iteration_id: int, ref: DatasetRef, role: str) -> Dataset: ...

    @abstractmethod
    def get_params(self, iteration_id: int) -> list[Param]: ...

    @abstractmethod
    def get_latest_metrics(self, iteration_id: int) -> list[Metric]: ...

    @abstractmethod
    def get_tags(self, iteration_id: int) -> dict[str, str | None]: ...

    @abstractmethod
    def get_datasets(self, iteration_id: int) -> list[Dataset]: ...

    @abstractmethod
    def metric_history(
        self, iteration_id: int, key: str, max_points: int | None = None
    ) -> MetricSeries: ...

    # -- search -------------------------------------------------------------------
    @abstractmethod
    def search(self, query: IterationQuery) -> SearchResult: ...

    @abstractmethod
    def close(self) -> None: ...
