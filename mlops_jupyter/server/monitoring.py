"""Monitoring routes (``mlops:monitoring``): ingest, labels, per-model reports, resources.

Batch ingest and labels go through the library's monitoring client (the same
binning a notebook's ``log_predictions`` does) and are written before the answer.
Reports are the rows of the client's ``drift``/``traffic``/``performance``
DataFrames; ``monitoring/models`` summarizes the last 24 hours of every model
with a production version from the per-minute bin counts.
"""

from __future__ import annotations

import json
import math
import time
from datetime import datetime, timezone
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from .. import wire
from ..entities import ModelVersion
from ..errors import Conflict, InvalidInput
from ..monitoring.client import ALL_TIME_MINUTES
from ..monitoring.profile import LATENCY, LATENCY_EDGES, STATUS, percentile_from_bins
from ..monitoring.windows import to_epoch, window_minutes
from ..store.sql_registry import check_model_name
from .base import INT32_MAX, MlopsHandler, field

MAX_RECORDS = 50_000
MAX_LABELS = 50_000
MAX_RECENT = 1000
DAY = 86_400.0
_STATUSES = ("ok", "error")


class MonitoringHandler(MlopsHandler):
    auth_resource = "mlops:monitoring"

    @property
    def core(self) -> Any:
        return self.settings["mlops_core"]

    def query_time(self, name: str, default: str | None) -> float | None:
        """``since``/``until``: a duration ago (``24h``), an ISO time, epoch seconds or
        ``all`` (no bound)."""
        text = self.get_query_argument(name, default)
        if text is None or text == "" or text == "all":
            return None
        return parse_time(text, name)

    def query_version(self) -> int | None:
        return self.query_int("version", None, lo=1)


def parse_time(value: Any, where: str) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        epoch = float(value)
    elif isinstance(value, str):
        try:
            epoch = float(value)
        except ValueError:
            try:
                when = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                try:
                    return float(to_epoch(value))  # a duration ago: "24h"
                except InvalidInput as e:
                    raise InvalidInput(f"{where}: cannot read {value!r:.40} as a time",
                                       hint="an ISO 8601 time, epoch seconds or a duration "
                                       "ago such as '24h'", field=where) from e
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            epoch = when.timestamp()
    else:
        raise InvalidInput(f"{where} must be an ISO 8601 time or epoch seconds", field=where)
    if not (math.isfinite(epoch) and 0 <= epoch < 1e11):
        raise InvalidInput(f"{where} must be a time after 1970, in epoch seconds",
                           field=where)
    return epoch


# -- ingest --------------------------------------------------------------------------
def _optional_number(record: dict[str, Any], key: str, i: int, lo: float | None = None,
                     hi: float | None = None) -> float | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(
            value) or (lo is not None and value < lo) or (hi is not None and value > hi):
        bounds = f" between {lo} and {hi}" if hi is not None else (
            f" >= {lo}" if lo is not None else "")
        raise InvalidInput(f"records[{i}].{key} must be a finite number{bounds} or null",
                           field="records")
    return float(value)


class ParsedRecords:
    """The columns of a ``POST monitoring/predictions`` body."""

    def __init__(self, records: list[Any], now: float):
        n = len(records)
        self.inputs: list[dict[str, Any]] = []
        self.outputs: list[Any] = []
        self.confidences: list[float | None] = []
        self.latencies: list[float | None] = []
        self.statuses: list[str] = []
        self.errors: list[str | None] = []
        self.at: list[float] = []
        ids: list[str] = []
        for i, r in enumerate(records):
            if type(r) is not dict:
                raise InvalidInput(f"records[{i}] must be an object", field="records")
            inputs = r.get("inputs")
            if type(inputs) is not dict:
                raise InvalidInput(f"records[{i}].inputs must be an object of feature values",
                                   field="records")
            self.inputs.append(inputs)
            self.outputs.append(r.get("output"))
            self.confidences.append(_optional_number(r, "confidence", i, 0.0, 1.0)
                                    if "confidence" in r else None)
            self.latencies.append(_optional_number(r, "latency_ms", i, 0.0)
                                  if "latency_ms" in r else None)
            status = r.get("status") or "ok"
            if status not in _STATUSES:
                raise InvalidInput(f"records[{i}].status must be 'ok' or 'error'",
                                   field="records")
            self.statuses.append(status)
            error = r.get("error")
            if error is not None and not isinstance(error, str):
                raise InvalidInput(f"records[{i}].error must be text", field="records")
            self.errors.append(error)
            at = r.get("at")
            self.at.append(now if at is None else parse_time(at, f"records[{i}].at"))
            rid = r.get("request_id")
            if rid is not None:
                if not isinstance(rid, str) or not 0 < len(rid) <= 64:
                    raise InvalidInput(f"records[{i}].request_id must be text of 1 to 64 "
                                       "characters", field="records")
                ids.append(rid)
        if ids and len(ids) != n:
            raise InvalidInput("give request_id for every record or for none",
                               field="records")
        if len(set(ids)) != len(ids):
            raise InvalidInput("request_id values repeat within the batch", field="records")
        self.request_ids: list[str] | None = ids or None


def ingest(core: Any, model: str, version: int | None, parsed: ParsedRecords) -> list[str]:
    """Log and write the batch (blocking: runs in the worker pool)."""
    import pandas as pd

    if parsed.request_ids:
        taken = core.store.known_request_ids(parsed.request_ids)
        if taken:
            raise Conflict(f"{len(taken)} request ids are already logged, e.g. "
                           f"{sorted(taken)[0]!r}; nothing was stored", field="records")
    frame = pd.DataFrame(parsed.inputs)  # one row per record, even for {} inputs
    ids = core.log_predictions(
        frame, parsed.outputs, model=model, version=version, confidences=parsed.confidences,
        latencies_ms=parsed.latencies, request_ids=parsed.request_ids,
        statuses=parsed.statuses, errors=parsed.errors, at=parsed.at)
    core.flush_predictions()
    return ids


class PredictionsHandler(MonitoringHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.json_body()
        model = check_model_name(field(body, "model", str, required=True))
        version = field(body, "version", int, lo=1, hi=INT32_MAX)
        records = field(body, "records", list, required=True)
        if not 0 < len(records) <= MAX_RECORDS:
            raise InvalidInput(f"records must hold 1 to {MAX_RECORDS:,} predictions, got "
                               f"{len(records):,}", field="records")
        parsed = ParsedRecords(records, time.time())
        mv = await self.call(self.core.version_for, model, version)
        ids = await self.call(ingest, self.core, model, mv.version, parsed)
        self.settings["mlops_metrics"].observe(model, mv.version, parsed.statuses,
                                               parsed.latencies)
        self.reply({"model": model, "version": mv.version, "request_ids": ids})


class LabelsHandler(MonitoringHandler):
    @web.authenticated
    @authorized
    async def post(self) -> None:
        labels = field(self.json_body(), "labels", list, required=True)
        if not 0 < len(labels) <= MAX_LABELS:
            raise InvalidInput(f"labels must hold 1 to {MAX_LABELS:,} entries",
                               field="labels")
        ids, values = [], []
        for i, entry in enumerate(labels):
            if type(entry) is not dict or not isinstance(entry.get("request_id"), str) \
                    or "label" not in entry:
                raise InvalidInput(f"labels[{i}] must be {{\"request_id\": text, \"label\": "
                                   "value}", field="labels")
            ids.append(entry["request_id"])
            values.append(entry["label"])
        matched = await self.call(self.core.log_labels, ids, values)
        self.reply({"labeled": matched})


# -- summaries and reports -----------------------------------------------------------
def summarize(core: Any, mv: ModelVersion, last_at: float | None, now: float) -> dict[str, Any]:
    """The 24-hour figures of one production version (blocking)."""
    store = core.store
    counts = store.bin_counts(mv.id, window_minutes=ALL_TIME_MINUTES,
                              since_minute=int((now - DAY) // 60), until_minute=None,
                              features=[STATUS, LATENCY])
    status = {b: c for _, f, b, c in counts if f == STATUS}
    latency = {b: c for _, f, b, c in counts if f == LATENCY}
    total, errors = sum(status.values()), status.get(1, 0)
    p95 = percentile_from_bins(LATENCY_EDGES, [latency.get(i, 0) for i in
                                               range(len(LATENCY_EDGES) + 1)], 0.95)
    return {"name": mv.model_name, "production_version": mv.version,
            "predictions_24h": total, "errors_24h": errors,
            "error_rate_24h": errors / total if total else None,
            "latency_p95_ms_24h": p95,
            "drifted_features": drifted_features(core, mv, last_at, now),
            "last_prediction_at": None if last_at is None else wire.iso(
                datetime.fromtimestamp(last_at, timezone.utc))}


def latest_drift(core: Any, mv: ModelVersion, last_at: float | None, now: float) -> Any:
    """The drift rows of the hour window holding the newest prediction (of the last
    24 hours), or None."""
    from ..monitoring.reports import drift_frame

    if last_at is None or last_at < now - DAY:
        return None
    profile = core.store.get_reference_profile(mv.id)
    if not profile:
        return None
    start = last_at // 3600 * 3600
    return drift_frame(core.store, mv, profile, 60, start, None)


def drifted_features(core: Any, mv: ModelVersion, last_at: float | None,
                     now: float) -> list[str]:
    frame = latest_drift(core, mv, last_at, now)
    if frame is None or frame.empty:
        return []
    hits = frame[frame["drift"].astype(bool) & ~frame["feature"].str.startswith("__")]
    return sorted(hits["feature"].unique().tolist())


def monitored_models(core: Any) -> list[dict[str, Any]]:
    now = time.time()
    store = core.store
    production = [m for m in store.list_registered_models() if m.production_version]
    versions = [store.get_model_version(m.name, m.production_version) for m in production]
    last = store.last_prediction_at([v.id for v in versions])
    return [summarize(core, v, last.get(v.id), now) for v in versions]


class MonitoredModelsHandler(MonitoringHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply({"models": await self.call(monitored_models, self.core)})


async def report(handler: MonitoringHandler, name: str, kind: str) -> None:
    name = check_model_name(name)
    minutes = window_minutes(handler.get_query_argument("window", "1h"))
    since = handler.query_time("since", "24h")
    until = handler.query_time("until", None)
    version = handler.query_version()
    every = handler.query_int("every", None, lo=1, hi=100_000) if kind == "drift" else None
    windows = handler.query_int("windows", 5, lo=1, hi=100) if kind == "drift" else 5
    core = handler.core

    def run() -> tuple[int, Any]:
        mv = core.version_for(name, version)
        if every is not None:  # windows of N predictions instead of periods of time
            return mv.version, core.drift(name, version=mv.version, every=every,
                                          windows=windows)
        frame = getattr(core, kind)(name, version=mv.version, window=minutes, since=since,
                                    until=until)
        return mv.version, frame

    number, frame = await handler.call(run)
    handler.reply({"model": name, "version": number, "window_minutes": minutes,
                   "since": _iso(since), "until": _iso(until), "rows": wire.frame_rows(frame)})


def _iso(epoch: float | None) -> str | None:
    return None if epoch is None else wire.iso(datetime.fromtimestamp(epoch, timezone.utc))


class DriftHandler(MonitoringHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        await report(self, name, "drift")


class TrafficHandler(MonitoringHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        await report(self, name, "traffic")


class PerformanceHandler(MonitoringHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        await report(self, name, "performance")


def _decoded(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return wire.plain(json.loads(text))
    except ValueError:
        return text


class RecentPredictionsHandler(MonitoringHandler):
    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        name = check_model_name(name)
        limit = self.query_int("limit", 100, lo=1, hi=MAX_RECENT)
        version = self.query_version()
        core = self.core

        def run() -> tuple[int, list[dict[str, Any]]]:
            core.flush_predictions()
            mv = core.version_for(name, version)
            return mv.version, core.store.recent_predictions(mv.id, limit)

        number, rows = await self.call(run)
        self.reply({"model": name, "version": number, "predictions": [{
            "request_id": r["request_id"],
            "at": _iso(r["at"]),
            "inputs": wire.plain(r["inputs"] if not isinstance(r["inputs"], str)
                                 else _decoded(r["inputs"])),
            "output": _decoded(r["output"]),
            "confidence": wire.num(r["confidence"]),
            "latency_ms": wire.num(r["latency_ms"]),
            "status": r["status"], "error": r["error"], "label": _decoded(r["label"]),
        } for r in rows]})


class ReferenceHandler(MonitoringHandler):
    """The reference profile of a version: bins and counts, never data."""

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        name = check_model_name(name)
        version = self.query_version()
        core = self.core

        def run() -> tuple[int, Any]:
            mv = core.version_for(name, version)
            return mv.version, core.store.get_reference_profile(mv.id)

        number, profile = await self.call(run)
        self.reply({"model": name, "version": number, "profile": wire.plain(profile)})


class FeatureCountsHandler(MonitoringHandler):
    """How many predictions fell in each reference bin of one feature, over a range."""

    @web.authenticated
    @authorized
    async def get(self, name: str) -> None:
        name = check_model_name(name)
        feature = self.get_query_argument("feature", "")
        if not feature:
            raise InvalidInput("give the feature to count", field="feature")
        since = self.query_time("since", "24h")
        until = self.query_time("until", None)
        version = self.query_version()
        core = self.core

        def run() -> tuple[int, dict[int, int]]:
            counts = core.feature_counts(name, feature, version=version, since=since,
                                         until=until)
            return core.version_for(name, version).version, counts

        number, counts = await self.call(run)
        self.reply({"model": name, "version": number, "feature": feature,
                    "counts": [[b, c] for b, c in sorted(counts.items())]})


class ResourcesHandler(MonitoringHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(self.settings["mlops_resources"].latest())
