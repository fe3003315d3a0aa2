"""The storage interface of the model registry."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import Any

from ..entities import ModelVersion, RegisteredModel, StageTransition
from ..errors import InvalidInput


def check_one_selector(stage: str | None, version: int | None, alias: str | None) -> None:
    """A version is named by exactly one of a stage, a number or an alias."""
    if sum(x is not None for x in (stage, version, alias)) != 1:
        raise InvalidInput("give exactly one of stage=, version= or alias=",
                           hint="e.g. stage='production'")


class RegistryStore(ABC):
    """Registered models, their versions, aliases and the stage audit log."""

    @abstractmethod
    def create_registered_model(self, name: str,
                                description: str | None = None) -> RegisteredModel: ...

    @abstractmethod
    def get_registered_model(self, name: str) -> RegisteredModel: ...

    @abstractmethod
    def list_registered_models(self) -> list[RegisteredModel]: ...

    @abstractmethod
    def create_model_version(
        self, name: str, *, sha256: str, size: int, format: str, source: str,
        iteration_id: int | None = None, flavor: str | None = None,
        model_class: str | None = None, filename: str | None = None,
        description: str | None = None, metrics: Mapping[str, float] | None = None,
        params: Mapping[str, Any] | None = None, datasets: Sequence[Mapping[str, Any]] = (),
        actor: str | None = None,
    ) -> ModelVersion:
        """Add the next version of ``name`` (creating the registered model if needed)."""

    @abstractmethod
    def get_model_version(self, name: str, version: int) -> ModelVersion: ...

    @abstractmethod
    def list_model_versions(self, name: str) -> list[ModelVersion]: ...

    @abstractmethod
    def resolve_model_version(self, name: str, *, stage: str | None = None,
                              version: int | None = None,
                              alias: str | None = None) -> ModelVersion: ...

    @abstractmethod
    def transition_stage(self, name: str, version: int, stage: str, *, actor: str,
                         comment: str | None = None) -> ModelVersion:
        """Move a version to ``stage``; production is exclusive (one transaction)."""

    @abstractmethod
    def rollback_production(self, name: str, *, actor: str,
                            comment: str | None = None) -> ModelVersion: ...

    @abstractmethod
    def set_alias(self, name: str, alias: str, version: int) -> ModelVersion: ...

    @abstractmethod
    def delete_alias(self, name: str, alias: str) -> None: ...

    @abstractmethod
    def stage_history(self, name: str) -> list[StageTransition]:
        """Every transition of the model's versions, oldest first."""
