"""Registry operations of :class:`~mlops_jupyter.tracking.client.Client`."""

from __future__ import annotations

import hashlib
import logging
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..entities import ModelVersion, RegisteredModel, StageTransition
from ..environment import current_user
from ..errors import InvalidInput, NotFound
from ..store.sql_registry import check_model_name
from .artifacts import ArtifactStore, HashMismatch
from .serialization import describe_model, dumps, format_for_filename, loads

log = logging.getLogger("mlops_jupyter")

if TYPE_CHECKING:
    from ..store.sql_store import SqlStore
    from ..tracking.buffer import MetricBuffer


class RegistryClientMixin:
    """Model registry methods; expects ``self.store``, ``self.settings``, ``self.buffer``."""

    store: SqlStore
    buffer: MetricBuffer
    _artifacts: ArtifactStore | None = None

    @property
    def artifacts(self) -> ArtifactStore:
        if self._artifacts is None:
            settings = self.settings  # type: ignore[attr-defined]
            self._artifacts = ArtifactStore(settings.artifact_root, settings.max_upload_bytes)
        return self._artifacts

    def log_model(self, iteration_id: int, model: Any, name: str, *, format: str = "joblib",
                  description: str | None = None, reference: Any = None) -> ModelVersion:
        """Store ``model`` as the next version of ``name``, with its iteration's lineage.

        The drift reference is profiled from ``reference`` (a DataFrame) or, when not
        given, from the iteration's local ``train`` dataset restricted to the model's
        ``feature_names_in_``. Only the profile is kept, never the data.
        """
        name = check_model_name(name)
        data = dumps(model, format)
        stored = self.artifacts.put_bytes(data)
        flavor, model_class = describe_model(model)
        self.buffer.flush()
        metrics = {m.key: m.value for m in self.store.get_latest_metrics(iteration_id)}
        params = {p.key: p.value for p in self.store.get_params(iteration_id)}
        datasets = [{"name": d.name, "uri": d.uri, "digest": d.digest, "role": d.role,
                     "rows": d.rows, "columns": list(d.columns) if d.columns else None}
                    for d in self.store.get_datasets(iteration_id)]
        version = self.store.create_model_version(
            name, sha256=stored.sha256, size=stored.size, format=format, source="iteration",
            iteration_id=iteration_id, flavor=flavor, model_class=model_class,
            description=description, metrics=metrics, params=_jsonable(params),
            datasets=datasets, actor=current_user())
        self.store.update_iteration(iteration_id, model_name=model_class)
        self._attach_reference(version, model, reference)
        return version

    def _attach_reference(self, version: ModelVersion, model: Any, reference: Any) -> None:
        from ..monitoring.profile import build_profile, reference_from_datasets

        source = "frame"
        try:
            if reference is None and model is not None:
                reference, source = reference_from_datasets(version.datasets, model)
            if reference is not None:
                self.store.set_reference_profile(
                    version.id, build_profile(reference, model=model), source)
        except Exception as e:  # a missing reference must not lose the registration
            log.warning("no drift reference for %s v%s: %s", version.model_name,
                        version.version, e)

    def register_model(self, path: str | os.PathLike, name: str, *,
                       description: str | None = None, iteration_id: int | None = None,
                       reference: Any = None) -> ModelVersion:
        """Register a model file (.pkl, .joblib, .skops) as the next version of ``name``.

        The file is copied into the artifact store and hashed; it is never unpickled.
        """
        name = check_model_name(name)
        source = Path(path).expanduser()
        fmt = format_for_filename(source.name)
        try:
            with source.open("rb") as f:
                stored = self.artifacts.put_file(f)
        except FileNotFoundError as e:
            raise InvalidInput(f"no model file at {str(path)!r}", field="path") from e
        version = self.store.create_model_version(
            name, sha256=stored.sha256, size=stored.size, format=fmt,
            source="iteration" if iteration_id else "upload", iteration_id=iteration_id,
            filename=source.name[:255], description=description, actor=current_user())
        if reference is not None:  # no model object: the file is never unpickled
            self._attach_reference(version, None, reference)
        return version

    def promote(self, name: str, version: int, stage: str = "production", *,
                comment: str | None = None) -> ModelVersion:
        """Move ``version`` of ``name`` to ``stage`` (production archives the previous one)."""
        return self.store.transition_stage(name, int(version), stage, actor=current_user(),
                                           comment=comment)

    def rollback(self, name: str, *, comment: str | None = None) -> ModelVersion:
        """Put the previous production version back into production."""
        return self.store.rollback_production(name, actor=current_user(), comment=comment)

    def set_alias(self, name: str, alias: str, version: int) -> ModelVersion:
        return self.store.set_alias(name, alias, int(version))

    def delete_alias(self, name: str, alias: str) -> None:
        self.store.delete_alias(name, alias)

    def models(self) -> list[RegisteredModel]:
        return self.store.list_registered_models()

    def model_versions(self, name: str) -> list[ModelVersion]:
        return self.store.list_model_versions(name)

    def model_history(self, name: str) -> list[StageTransition]:
        return self.store.stage_history(name)

    def get_model_version(self, name: str, *, stage: str | None = None,
                          version: int | None = None, alias: str | None = None) -> ModelVersion:
        return self.store.resolve_model_version(name, stage=stage, version=version, alias=alias)

    def load_model(self, name: str, *, stage: str | None = None, version: int | None = None,
                   alias: str | None = None, trusted: bool = False) -> Any:
        """Load a registered model after checking its SHA-256.

        With none of ``stage``/``version``/``alias``, loads the production version.
        Pickle and joblib files need ``trusted=True`` or a ``trusted_models`` entry.
        """
        if stage is None and version is None and alias is None:
            stage = "production"
        mv = self.get_model_version(name, stage=stage, version=version, alias=alias)
        return self.load_version(mv, trusted=trusted)

    def load_version(self, mv: ModelVersion, *, trusted: bool = False,
                     allowlist: Iterable[str] = ()) -> Any:
        """Load a version's file after checking its SHA-256 (and trust, for pickles).

        With a server tracking URI the file is downloaded once into the local
        artifact store (content-addressed, so it doubles as a cache).
        """
        download = getattr(self.store, "model_file", None)
        try:
            data = self.artifacts.read_verified(mv.sha256)
        except NotFound as e:
            if download is None:
                raise NotFound(f"the file of model {mv.model_name!r} version {mv.version} "
                               f"is missing: {e.message}", hint=e.hint) from e
            data = None
        if data is None:
            data = download(mv.model_name, mv.version)
            if hashlib.sha256(data).hexdigest() != mv.sha256:  # nothing is unpickled
                raise HashMismatch(f"the file of model {mv.model_name!r} version "
                                   f"{mv.version} sent by the server does not match its "
                                   "SHA-256; it was not loaded")
            self.artifacts.put_bytes(data)
        return loads(data, mv.format, name=mv.model_name, version=mv.version, sha256=mv.sha256,
                     trusted=trusted, source=mv.source, allowlist=allowlist)


def _jsonable(params: dict[str, Any]) -> dict[str, Any]:
    return {k: (repr(v) if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in params.items()}
