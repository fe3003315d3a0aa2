"""``POST models/{name}/predict`` (``mlops:monitoring``): serve the production version.

The model is loaded once through the library's ``load_version`` (SHA-256 checked;
pickle/joblib only when trusted: the ``trusted_models`` trait, the config file or
``MLOPS_JUPYTER_TRUSTED_MODELS``) and cached. Every ``production_check_seconds``
the production version is re-read (one indexed query, off the event loop); when it
changed, the new version is loaded and swapped in, no restart needed.

Inputs are checked against the model's ``feature_names_in_`` (else the features of
its reference profile): unknown or missing features, text where a number is
expected, and missing/NaN values a model cannot take are a 400 naming the feature.
Every request, failed ones included, is logged as a prediction (status ``error``
with the message) with its inputs, output, confidence (``predict_proba``'s highest
probability) and latency. The model runs in the worker pool.

Concurrent requests to one model are predicted together: while a model call runs,
the requests that arrive queue up, and the next call takes them all at once (at most
``MAX_INSTANCES`` rows). An idle server adds no wait; a busy one pays the model's
fixed per-call cost (input validation, for scikit-learn) once per batch instead of
once per request. When a batch fails, its requests are retried one by one, so one
request's problem is never another's error. ``batch_predictions = False`` turns this
off (for a model whose answer for a row depends on the other rows of the call).
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web

from .. import wire
from ..entities import ModelVersion
from ..errors import InvalidInput, MlopsError
from ..store.sql_registry import check_model_name
from .base import MlopsHandler, in_pool
from .base import field as body_field

MAX_INSTANCES = 10_000
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


@dataclass
class ServedModel:
    version: ModelVersion
    model: Any
    features: list[str] | None
    kinds: dict[str, str] = field(default_factory=dict)  # numeric | categorical
    allow_nan: bool = False
    has_proba: bool = False
    batcher: Batcher | None = field(default=None, repr=False, compare=False)

    @classmethod
    def build(cls, mv: ModelVersion, model: Any, profile: dict[str, Any] | None) -> ServedModel:
        profiled = (profile or {}).get("features") or []
        kinds = {f["name"]: f["kind"] for f in profiled}
        names = getattr(model, "feature_names_in_", None)
        features = [str(n) for n in names] if names is not None else (
            [f["name"] for f in profiled] or None)
        return cls(mv, model, features, kinds, _allows_nan(model),
                   callable(getattr(model, "predict_proba", None)))


def _allows_nan(model: Any) -> bool:
    """scikit-learn's ``allow_nan`` input tag (False when the model does not say)."""
    try:
        from sklearn.utils import get_tags

        return bool(get_tags(model).input_tags.allow_nan)
    except Exception:
        try:
            return bool(model._get_tags().get("allow_nan", False))
        except Exception:
            return False


class ModelCache:
    """The served model of each name, re-checked against production every ``ttl`` s."""

    def __init__(self, core: Any, ttl: float):
        self.core = core
        self.ttl = ttl
        self._entries: dict[str, tuple[float, ServedModel]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def fresh(self, name: str) -> ServedModel | None:
        """The cached model when checked less than ``ttl`` ago (cheap: event loop)."""
        hit = self._entries.get(name)
        if hit is not None and time.monotonic() - hit[0] < self.ttl:
            return hit[1]
        return None

    def refresh(self, name: str) -> ServedModel:
        """Re-read production; load and swap when it changed (blocking: worker pool)."""
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            served = self.fresh(name)
            if served is not None:
                return served
            mv = self.core.store.resolve_model_version(name, stage="production")
            hit = self._entries.get(name)
            if hit is not None and hit[1].version.id == mv.id:
                served = hit[1]
            else:
                model = self.core.load_served(mv)
                served = ServedModel.build(mv, model, self.core.store.get_reference_profile(
                    mv.id))
            self._entries[name] = (time.monotonic(), served)
            return served

    def clear(self) -> None:
        self._entries.clear()


def instances(body: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """The rows of a predict body and whether it was the single ``inputs`` form."""
    if ("inputs" in body) == ("instances" in body):
        raise InvalidInput('give either "inputs": {feature: value} or "instances": '
                           '[{...}, ...]', field="inputs")
    if "inputs" in body:
        return [body_field(body, "inputs", dict, required=True)], True
    rows = body_field(body, "instances", list, required=True)
    if not 0 < len(rows) <= MAX_INSTANCES:
        raise InvalidInput(f"instances must hold 1 to {MAX_INSTANCES:,} rows",
                           field="instances")
    for i, row in enumerate(rows):
        if type(row) is not dict:
            raise InvalidInput(f"instances[{i}] must be an object of feature values",
                               field="instances")
    return rows, False


def check_rows(served: ServedModel, rows: list[dict[str, Any]], where: str) -> list[dict]:
    """Rows with "NaN"/"Infinity" strings made floats; 400 naming the first problem."""
    expected = served.features
    known = set(expected) if expected else None
    out = []
    for i, row in enumerate(rows):
        at = f"{where}[{i}]" if where == "instances" else where
        if known is not None and row.keys() != known:
            missing = [f for f in expected or () if f not in row]
            unknown = sorted(k for k in row if k not in known)
            parts = []
            if missing:
                parts.append("missing feature" + ("s " if len(missing) > 1 else " ") +
                             ", ".join(repr(m) for m in missing[:10]))
            if unknown:
                parts.append("unknown feature" + ("s " if len(unknown) > 1 else " ") +
                             ", ".join(repr(u) for u in unknown[:10]))
            raise InvalidInput(f"{at}: {'; '.join(parts)} for model "
                               f"{served.version.model_name!r} v{served.version.version}",
                               hint="features: " + ", ".join((expected or [])[:30]),
                               field=where)
        clean = {}
        for key, value in row.items():
            if isinstance(value, str) and value in _NON_FINITE:
                value = _NON_FINITE[value]
            kind = served.kinds.get(key)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                if not served.allow_nan:
                    raise InvalidInput(f"{at}: feature {key!r} is missing (null/NaN) and "
                                       f"model {served.version.model_name!r} cannot take "
                                       "missing values", field=where)
                value = math.nan
            elif isinstance(value, (dict, list)):
                raise InvalidInput(f"{at}: feature {key!r} must be a single value",
                                   field=where)
            elif kind == "numeric" and (isinstance(value, (str, bool))):
                raise InvalidInput(f"{at}: feature {key!r} must be a number, got "
                                   f"{value!r:.40}", field=where)
            elif isinstance(value, float) and math.isinf(value):
                raise InvalidInput(f"{at}: feature {key!r} is infinite", field=where)
            clean[key] = value
        out.append(clean)
    return out


def run_model(served: ServedModel, rows: list[dict[str, Any]]) -> tuple[list, list | None]:
    """Predictions (and confidences) of the rows (blocking: worker pool)."""
    import numpy as np
    import pandas as pd

    frame = pd.DataFrame(rows, columns=served.features)
    model = served.model
    try:
        outputs = np.asarray(model.predict(frame))
        confidences = None
        if served.has_proba:
            confidences = np.asarray(model.predict_proba(frame)).max(axis=1).tolist()
    except (ValueError, TypeError) as e:  # scikit-learn's "bad input" errors
        raise InvalidInput(f"model {served.version.model_name!r} "
                           f"v{served.version.version} cannot predict these inputs: "
                           f"{str(e)[:300]}", field="inputs") from e
    return outputs.tolist(), confidences


Prediction = tuple[list[Any], list[float] | None]


class Batcher:
    """Runs the queued requests of one served model in as few model calls as possible.

    Lives on the event loop (no locks): ``predict`` queues a request's rows and waits;
    one drain task at a time hands everything queued to the worker pool in one call.
    """

    def __init__(self, served: ServedModel, call: Callable[..., Awaitable[Any]]):
        self.served = served
        self.call = call
        self.queue: list[tuple[list[dict[str, Any]], asyncio.Future[Prediction]]] = []
        self.draining = False
        self.calls = 0  # model calls made, for tests and diagnostics

    async def predict(self, rows: list[dict[str, Any]]) -> Prediction:
        future: asyncio.Future[Prediction] = asyncio.get_running_loop().create_future()
        self.queue.append((rows, future))
        if not self.draining:
            self.draining = True
            asyncio.ensure_future(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self.queue:
                batch, size = [], 0
                while self.queue and (not batch or
                                      size + len(self.queue[0][0]) <= MAX_INSTANCES):
                    rows, future = self.queue.pop(0)
                    batch.append((rows, future))
                    size += len(rows)
                await self._run(batch)
        finally:
            self.draining = False

    async def _run(self, batch: list[tuple[list[dict[str, Any]], asyncio.Future]]) -> None:
        rows = [row for part, _ in batch for row in part]
        try:
            self.calls += 1
            outputs, confidences = await self.call(run_model, self.served, rows)
        except Exception as e:
            if len(batch) == 1:
                _settle(batch[0][1], error=e)
                return
            for part, future in batch:  # whose rows broke it? each alone says
                try:
                    self.calls += 1
                    _settle(future, await self.call(run_model, self.served, part))
                except Exception as own:
                    _settle(future, error=own)
            return
        start = 0
        for part, future in batch:
            end = start + len(part)
            _settle(future, (outputs[start:end],
                             None if confidences is None else confidences[start:end]))
            start = end


def _settle(future: asyncio.Future, result: Any = None, error: BaseException | None = None
            ) -> None:
    if future.done():  # the client went away and the wait was cancelled
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


class PredictHandler(MlopsHandler):
    auth_resource = "mlops:monitoring"

    @web.authenticated
    @authorized
    async def post(self, name: str) -> None:
        name = check_model_name(name)
        cache: ModelCache = self.settings["mlops_models"]
        served = cache.fresh(name) or await self.call(cache.refresh, name)
        try:
            body = self.json_body()
        except InvalidInput as e:  # not JSON, or not an object: still a logged request
            await self._log_failure(served, [{}], str(e))
            raise
        try:
            rows, single = instances(body)
        except InvalidInput:
            raw = body.get("inputs") if isinstance(body.get("inputs"), dict) else None
            if raw is not None or not isinstance(body.get("instances"), list):
                await self._log_failure(served, [raw or {}], "invalid request body")
            raise
        where = "inputs" if single else "instances"
        try:
            clean = check_rows(served, rows, where)
            if not self.settings.get("mlops_batch_predictions", True):
                outputs, confidences = await self.call(run_model, served, clean)
            else:
                if served.batcher is None:
                    served.batcher = Batcher(served,
                                             in_pool(self.settings["mlops_executor"]))
                outputs, confidences = await served.batcher.predict(clean)
        except MlopsError as e:
            await self._log_failure(served, rows, str(e))
            raise
        except Exception:
            await self._log_failure(served, rows, "the model raised an unexpected error")
            raise
        latency = self.request.request_time() * 1000
        n = len(rows)
        ids = self._record(served, clean, outputs, confidences, [latency] * n, ["ok"] * n,
                           [None] * n)  # queued in memory: no worker thread needed
        answer: dict[str, Any] = {"model": name, "version": served.version.version,
                                  "request_ids": ids, "predictions": wire.plain(outputs)}
        if single:
            answer["request_id"] = ids[0]
        if confidences is not None:
            answer["confidences"] = [wire.num(float(c)) for c in confidences]
        self.reply(answer)

    def _record(self, served: ServedModel, rows: list[dict[str, Any]], outputs: list[Any],
             confidences: list[float] | None, latencies: list[float | None],
             statuses: list[str], errors: list[str | None]) -> list[str]:
        mv = served.version
        ids = self.settings["mlops_core"].log_served(mv, rows, outputs, confidences,
                                                     latencies, statuses, errors)
        self.settings["mlops_metrics"].observe(mv.model_name, mv.version, statuses, latencies)
        return ids

    async def _log_failure(self, served: ServedModel, rows: list[Any], message: str) -> None:
        n = len(rows)
        latency = self.request.request_time() * 1000
        safe = [r if isinstance(r, dict) else {} for r in rows]
        try:
            self._record(served, safe, [None] * n, None, [latency] * n, ["error"] * n,
                         [message[:2000]] * n)
        except Exception as e:  # logging must not hide the request's own error
            self.log.warning("mlops_jupyter: could not log a failed prediction: %s", e)
