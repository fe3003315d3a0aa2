"""The JSON wire format of the REST API, shared by the handlers and ``RestStore``.

Pure functions over entities and plain values (standard library only), so the
remote store can decode exactly what the server encodes. Non-finite floats travel
as the strings ``"NaN"``, ``"Infinity"`` and ``"-Infinity"``; times as ISO 8601.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from .entities import (
    Dataset,
    Iteration,
    Metric,
    ModelVersion,
    Param,
    RegisteredModel,
    Source,
    StageTransition,
)
from .errors import InvalidInput

_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def num(value: float | None) -> float | str | None:
    """A float for JSON: finite numbers as they are, NaN and +/-inf as strings."""
    if value is None or not isinstance(value, float) or math.isfinite(value):
        return value
    if value != value:
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def unnum(value: Any, field: str = "value") -> float:
    """Inverse of :func:`num`; rejects anything that is not a number."""
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a number, got {value!r}", field=field)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str) and value in _NON_FINITE:
        return _NON_FINITE[value]
    raise InvalidInput(f"{field} must be a number (or \"NaN\", \"Infinity\", \"-Infinity\"), "
                       f"got {value!r:.60}", field=field)


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def parse_time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def plain(value: Any) -> Any:
    """A param value (possibly nested) with non-finite floats made JSON-safe."""
    if isinstance(value, float):
        return num(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


# -- cursors --------------------------------------------------------------------------
def encode_cursor(offset: int) -> str:
    """An opaque page cursor (today an offset; clients must not rely on that)."""
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        prefix, _, text = raw.partition(":")
        offset = int(text)
        if prefix != "o" or offset < 0:
            raise ValueError(raw)
    except (binascii.Error, UnicodeDecodeError, ValueError) as e:
        raise InvalidInput("cursor is not one this server handed out",
                           hint="pass next_cursor from the previous page", field="cursor") from e
    return offset


# -- entities -> JSON -----------------------------------------------------------------
def iteration_summary(it: Iteration, params: Mapping[str, Any] | None = None,
                      metrics: Mapping[str, float] | None = None,
                      tags: Mapping[str, str | None] | None = None) -> dict[str, Any]:
    return {
        "id": it.id,
        "experiment_id": it.experiment_id,
        "project_name": it.project_name,
        "experiment_name": it.experiment_name,
        "name": it.name,
        "number": it.number,
        "status": it.status,
        "started_at": iso(it.started_at),
        "ended_at": iso(it.ended_at),
        "heartbeat_at": iso(it.heartbeat_at),
        "duration": it.duration,
        "model_name": it.model_name,
        "params": {k: plain(v) for k, v in (params or {}).items()},
        "metrics": {k: num(v) for k, v in (metrics or {}).items()},
        "tags": dict(tags or {}),
        "deleted": it.deleted_at is not None,
        "deleted_at": iso(it.deleted_at),
    }


def dataset(d: Dataset) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "uri": d.uri, "digest": d.digest, "size": d.size,
            "rows": d.rows, "columns": list(d.columns) if d.columns is not None else None,
            "kind": d.kind, "role": d.role}


def iteration_detail(it: Iteration, params: list[Param], latest: list[Metric],
                     datasets: list[Dataset], tags: Mapping[str, str | None]) -> dict[str, Any]:
    out = iteration_summary(it, {p.key: p.value for p in params},
                            {m.key: m.value for m in latest}, tags)
    out.update({
        "params_typed": [{"key": p.key, "value": plain(p.value), "value_type": p.value_type}
                         for p in params],
        "latest_metrics": [{"key": m.key, "value": num(m.value), "step": m.step,
                            "timestamp": iso(m.timestamp)} for m in latest],
        "datasets": [dataset(d) for d in datasets],
        "source": {"code": it.source.code, "cell_hash": it.source.cell_hash,
                   "execution_count": it.source.execution_count,
                   "notebook_path": it.source.notebook_path},
        "environment": dict(it.environment or {}),
        "git": dict(it.git or {}),
        "error": it.error,
    })
    return out


# -- JSON -> entities (the remote store's side) ------------------------------------------
def to_iteration(d: Mapping[str, Any]) -> Iteration:
    src = d.get("source") or {}
    return Iteration(
        id=d["id"], experiment_id=d["experiment_id"], project_name=d["project_name"],
        experiment_name=d["experiment_name"], name=d["name"], number=d["number"],
        status=d["status"], started_at=parse_time(d["started_at"]),
        ended_at=parse_time(d.get("ended_at")), heartbeat_at=parse_time(d.get("heartbeat_at")),
        model_name=d.get("model_name"),
        source=Source(src.get("code"), src.get("cell_hash"), src.get("execution_count"),
                      src.get("notebook_path")),
        environment=d.get("environment") or {}, git=d.get("git") or {}, error=d.get("error"),
        deleted_at=parse_time(d.get("deleted_at")),
    )


def to_param(d: Mapping[str, Any]) -> Param:
    value = d["value"]
    if d["value_type"] == "float":
        value = unnum(value)
    return Param(d["key"], value, d["value_type"])


def to_metric(d: Mapping[str, Any]) -> Metric:
    return Metric(d["key"], unnum(d["value"]), d["step"], parse_time(d["timestamp"]))


def to_dataset(d: Mapping[str, Any]) -> Dataset:
    cols = d.get("columns")
    return Dataset(d["id"], d["name"], d["uri"], d.get("digest"), d.get("size"), d.get("rows"),
                   tuple(cols) if cols is not None else None, d["kind"], d.get("role"))


# -- registry -------------------------------------------------------------------------
_REPR_NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def registry_number(value: Any) -> Any:
    """A version's metric: floats via :func:`num`; the registry's ``repr`` of NaN/inf too."""
    if isinstance(value, str):
        return _REPR_NON_FINITE.get(value, value)
    return num(value) if isinstance(value, float) else value


def registered_model(m: RegisteredModel) -> dict[str, Any]:
    return {"id": m.id, "name": m.name, "description": m.description,
            "created_at": iso(m.created_at), "updated_at": iso(m.updated_at),
            "latest_version": m.latest_version, "production_version": m.production_version,
            "aliases": dict(m.aliases)}


_LINEAGE_KEYS = ("name", "uri", "digest", "role", "rows", "columns")


def model_version(v: ModelVersion) -> dict[str, Any]:
    return {"id": v.id, "model_name": v.model_name, "version": v.version, "stage": v.stage,
            "source": v.source, "iteration_id": v.iteration_id, "sha256": v.sha256,
            "size": v.size, "format": v.format, "flavor": v.flavor,
            "model_class": v.model_class, "filename": v.filename,
            "description": v.description,
            "metrics": {k: registry_number(x) for k, x in v.metrics.items()},
            "params": plain(dict(v.params)),
            "datasets": [{k: d.get(k) for k in _LINEAGE_KEYS} for d in v.datasets],
            "created_at": iso(v.created_at), "created_by": v.created_by,
            "aliases": list(v.aliases)}


def to_registered_model(d: Mapping[str, Any]) -> RegisteredModel:
    """Inverse of :func:`registered_model`."""
    return RegisteredModel(
        id=d["id"], name=d["name"], description=d.get("description"),
        created_at=parse_time(d["created_at"]), updated_at=parse_time(d["updated_at"]),
        latest_version=d["latest_version"], production_version=d.get("production_version"),
        aliases=dict(d.get("aliases") or {}))


def to_stage_transition(d: Mapping[str, Any]) -> StageTransition:
    """Inverse of :func:`stage_transition`."""
    return StageTransition(
        id=d["id"], model_name=d["model_name"], version=d["version"],
        from_stage=d["from_stage"], to_stage=d["to_stage"], actor=d["actor"],
        at=parse_time(d["at"]), comment=d.get("comment"))


def to_model_version(d: Mapping[str, Any]) -> ModelVersion:
    """Inverse of :func:`model_version` (metrics' non-finite strings back to floats)."""
    return ModelVersion(
        id=d["id"], model_name=d["model_name"], version=d["version"], stage=d["stage"],
        source=d["source"], iteration_id=d.get("iteration_id"), sha256=d["sha256"],
        size=d["size"], format=d["format"], flavor=d.get("flavor"),
        model_class=d.get("model_class"), filename=d.get("filename"),
        description=d.get("description"),
        metrics={k: unnum(v, k) if isinstance(v, str) else v
                 for k, v in (d.get("metrics") or {}).items()},
        params=dict(d.get("params") or {}), datasets=tuple(d.get("datasets") or ()),
        created_at=parse_time(d.get("created_at")), created_by=d.get("created_by"),
        aliases=tuple(d.get("aliases") or ()))


def stage_transition(t: StageTransition) -> dict[str, Any]:
    return {"id": t.id, "model_name": t.model_name, "version": t.version,
            "from_stage": t.from_stage, "to_stage": t.to_stage, "actor": t.actor,
            "at": iso(t.at), "comment": t.comment}


# -- monitoring -----------------------------------------------------------------------
def cell(value: Any) -> Any:
    """One value of a report DataFrame as JSON: times ISO, NaN/inf as strings."""
    if value is None:
        return None
    if hasattr(value, "isoformat"):  # datetime and pandas.Timestamp (NaT has none)
        try:
            return value.isoformat()
        except ValueError:
            return None
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        value = value.item()  # numpy scalars
    if isinstance(value, float):
        return num(value)
    if value.__class__.__name__ == "NaTType":
        return None
    return value


def frame_rows(frame: Any) -> list[dict[str, Any]]:
    """The rows of a report DataFrame as JSON objects."""
    columns = [str(c) for c in frame.columns]
    return [{c: cell(v) for c, v in zip(columns, row, strict=True)}
            for row in frame.itertuples(index=False, name=None)]
