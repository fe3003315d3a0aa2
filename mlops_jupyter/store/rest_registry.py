"""The model registry through the REST API (mixed into ``RestStore``).

Reading versions, stage changes, rollback, aliases and the audit log map onto the
registry routes; the actor of a change is the server's authenticated user, whatever
``actor`` says here. ``model_file`` downloads a version's bytes; the client checks
their SHA-256 and its own trust before loading them. Registering a model (which
uploads its file with its lineage) is not offered through a server URI.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .. import wire
from ..entities import ModelVersion, RegisteredModel, StageTransition
from ..errors import NotFound
from .registry_base import check_one_selector


class RestRegistryMixin:
    """Expects ``self._request(method, path, body=None, params=None, ...)``."""

    _request: Any

    def _model_path(self, name: str) -> str:
        return f"models/{quote(name, safe='')}"

    def list_registered_models(self) -> list[RegisteredModel]:
        return [wire.to_registered_model(m) for m in self._request("GET", "models")["models"]]

    def get_registered_model(self, name: str) -> RegisteredModel:
        return wire.to_registered_model(self._request("GET", self._model_path(name)))

    def get_model_version(self, name: str, version: int) -> ModelVersion:
        return wire.to_model_version(
            self._request("GET", f"{self._model_path(name)}/versions/{int(version)}"))

    def list_model_versions(self, name: str) -> list[ModelVersion]:
        answer = self._request("GET", self._model_path(name))
        return [wire.to_model_version(v) for v in answer.get("versions") or []]

    def resolve_model_version(self, name: str, *, stage: str | None = None,
                              version: int | None = None,
                              alias: str | None = None) -> ModelVersion:
        check_one_selector(stage, version, alias)
        if version is not None:
            return self.get_model_version(name, int(version))
        found = [v for v in self.list_model_versions(name)
                 if (v.stage == stage if stage is not None else alias in v.aliases)]
        if not found:
            what = f"in stage {stage!r}" if stage is not None else f"with alias {alias!r}"
            raise NotFound(f"model {name!r} has no version {what}")
        return max(found, key=lambda v: v.version)

    def transition_stage(self, name: str, version: int, stage: str, *, actor: str,
                         comment: str | None = None) -> ModelVersion:
        return wire.to_model_version(self._request(
            "POST", f"{self._model_path(name)}/versions/{int(version)}/stage",
            {"stage": stage, **({"comment": comment} if comment is not None else {})}))

    def rollback_production(self, name: str, *, actor: str,
                            comment: str | None = None) -> ModelVersion:
        return wire.to_model_version(self._request(
            "POST", f"{self._model_path(name)}/rollback",
            {"comment": comment} if comment is not None else {}))

    def set_alias(self, name: str, alias: str, version: int) -> ModelVersion:
        return wire.to_model_version(self._request(
            "PUT", f"{self._model_path(name)}/aliases/{quote(alias, safe='')}",
            {"version": int(version)}))

    def delete_alias(self, name: str, alias: str) -> None:
        self._request("DELETE", f"{self._model_path(name)}/aliases/{quote(alias, safe='')}")

    def stage_history(self, name: str) -> list[StageTransition]:
        answer = self._request("GET", f"{self._model_path(name)}/history")
        return [wire.to_stage_transition(t) for t in answer["transitions"]]

    def model_file(self, name: str, version: int) -> bytes:
        """The stored bytes of a version (unverified: the caller checks the hash)."""
        return self._request("GET", f"{self._model_path(name)}/versions/{int(version)}/file",
                             raw=True)
