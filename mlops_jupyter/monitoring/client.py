"""Monitoring operations of the tracking :class:`Client`.

Predictions are buffered and written in batches like metric points (the same
flush window). A model is named by its registered name: predictions are attributed
to its current production version unless ``version=`` is given; the production
version is re-read at most every few seconds, so a promotion is picked up without
a restart.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..entities import ModelVersion
from ..errors import InvalidInput, NotFound
from ..tracking.buffer import BatchBuffer
from .windows import to_epoch, window_minutes

if TYPE_CHECKING:
    import pandas as pd

    from ..store.sql_store import SqlStore
    from .ingest import PredictionBatch
    from .remote import RemoteMonitoring

PRODUCTION_TTL = 5.0  # seconds a resolved production version is reused
ALL_TIME_MINUTES = 10**9  # a window length that puts every counter in one window


class MonitoringClientMixin:
    """Expects ``self.store`` (a SqlStore) and registry methods on ``self``."""

    store: SqlStore
    _predictions: BatchBuffer[Any] | None = None  # PredictionBatch or RemoteBatch

    # -- resolution and references ----------------------------------------------------
    def _monitoring_state(self) -> dict[str, Any]:
        state = self.__dict__.get("_monitoring")
        if state is None:
            state = self.__dict__["_monitoring"] = {
                "lock": threading.Lock(), "versions": {}, "profiles": {}, "models": {}}
            # "versions": (model, version or None for production) -> (read at, ModelVersion)
        return state

    def _remote(self) -> RemoteMonitoring | None:
        """The REST path when the store is a server (``http(s)://`` URI), else None."""
        state = self._monitoring_state()
        if "remote" not in state:
            from ..store.rest_store import RestStore
            from .remote import RemoteMonitoring

            state["remote"] = (RemoteMonitoring(self.store)  # type: ignore[arg-type]
                               if isinstance(self.store, RestStore) else None)
        return state["remote"]

    def _version_for(self, model: str, version: int | None) -> ModelVersion:
        """The named version, or production; reused for ``PRODUCTION_TTL`` seconds so that
        logging one prediction at a time does not read the registry each time."""
        key = (model, None if version is None else int(version))
        state = self._monitoring_state()
        hit = state["versions"].get(key)
        now = time.monotonic()
        if hit is not None and now - hit[0] < PRODUCTION_TTL:
            return hit[1]
        mv = (self.store.resolve_model_version(model, stage="production") if key[1] is None
              else self.store.get_model_version(model, key[1]))
        state["versions"][key] = (now, mv)
        return mv

    def _profile(self, version_id: int) -> dict[str, Any] | None:
        profiles = self._monitoring_state()["profiles"]
        if version_id not in profiles:
            profiles[version_id] = self.store.get_reference_profile(version_id)
        return profiles[version_id]

    def set_reference(self, model: str, frame: Any, *, version: int | None = None,
                      model_object: Any = None, source: str = "frame") -> dict[str, Any]:
        """Profile ``frame`` as the reference of a version (production by default)."""
        from .profile import build_profile

        mv = self._version_for(model, version)
        profile = build_profile(frame, model=model_object)
        self.store.set_reference_profile(mv.id, profile, source)
        self._monitoring_state()["profiles"].pop(mv.id, None)
        return profile

    def reference_profile(self, model: str, *, version: int | None = None) -> dict | None:
        """The reference profile of a version (production by default), or None."""
        if (remote := self._remote()) is not None:
            return remote.reference_profile(model, version)
        return self.store.get_reference_profile(self._version_for(model, version).id)

    # -- logging ----------------------------------------------------------------------
    def _prediction_buffer(self) -> BatchBuffer[Any]:
        if self._predictions is None:
            with self._monitoring_state()["lock"]:
                if self._predictions is None:
                    remote = self._remote()
                    buffer: BatchBuffer[Any] = BatchBuffer(
                        self._write_predictions if remote is None else remote.post,
                        interval=0.1, max_batch=64)
                    buffer.what = "predictions"
                    self._predictions = buffer
        return self._predictions

    def _write_predictions(self, batches: Sequence[PredictionBatch]) -> int:
        from .ingest import rows_and_bins

        rows: list[tuple] = []
        counts: Counter = Counter()
        for batch in batches:
            schema_id = self.store.input_schema_id(list(batch.inputs.columns))
            r, c = rows_and_bins(batch, self._profile(batch.version_id), schema_id)
            rows.extend(r)
            counts.update(c)
        written = self.store.insert_predictions(rows, counts)
        self._alert_on_predictions(rows)
        return written

    def _alert_on_predictions(self, rows: list[tuple]) -> None:
        from ..alerts.firing import on_predictions

        models = self._monitoring_state()["models"]
        try:
            for version_id in {r[0] for r in rows} - set(models):
                models[version_id] = self.store.model_name_of_version(version_id)
            if on_predictions(self, rows, models):
                self.alert_deliverer().kick()  # type: ignore[attr-defined]
        except Exception as e:  # alerting must never lose the predictions
            import logging

            logging.getLogger("mlops_jupyter").warning("alert rules not evaluated: %s", e)

    def log_predictions(self, frame: Any, outputs: Sequence[Any], *, model: str,
                        confidences: Sequence[float | None] | None = None,
                        latencies_ms: Sequence[float | None] | None = None,
                        request_ids: Sequence[str] | None = None,
                        statuses: Sequence[str] | None = None,
                        errors: Sequence[str | None] | None = None,
                        version: int | None = None, at: Any = None) -> list[str]:
        """Log a batch of predictions (one row of ``frame`` each); returns request ids."""
        import numpy as np
        import pandas as pd

        from .ingest import PredictionBatch, new_request_ids

        remote = self._remote()
        if not isinstance(frame, pd.DataFrame):
            if remote is not None:
                raise InvalidInput("with a server tracking URI, inputs need their feature "
                                   "names: a mapping (log_prediction) or a DataFrame "
                                   "(log_predictions)", field="inputs")
            frame = self._as_frame(frame, self._version_for(model, version))
        n = len(frame)
        outputs = list(outputs)
        for name, column in (("outputs", outputs), ("confidences", confidences),
                             ("latencies_ms", latencies_ms), ("request_ids", request_ids),
                             ("statuses", statuses), ("errors", errors)):
            if column is not None and len(column) != n:
                raise InvalidInput(f"{name} has {len(column)} values for {n} inputs",
                                   field=name)
        if statuses is not None and any(s not in ("ok", "error") for s in statuses):
            raise InvalidInput("statuses must be 'ok' or 'error'", field="statuses")
        ids = list(request_ids) if request_ids is not None else new_request_ids(n)
        if at is None:
            when: Any = time.time()
        elif np.ndim(at) == 0:
            when = to_epoch(at)
        else:  # one time per row
            when = [to_epoch(a) for a in at]
            if len(when) != n:
                raise InvalidInput(f"at has {len(when)} values for {n} inputs", field="at")
        stamps = np.asarray(when if np.ndim(when) else [when] * n, dtype=float)
        frame = frame.rename(columns=str).reset_index(drop=True)
        if remote is not None:
            number = self._version_for(model, version).version  # fails now when unknown
            self._prediction_buffer().add(remote.batch(
                model, number, frame, outputs, stamps, ids, confidences, latencies_ms,
                statuses, errors))
            return ids
        mv = self._version_for(model, version)
        batch = PredictionBatch(mv.id, frame, outputs, stamps, ids, _listed(confidences),
                                _listed(latencies_ms), _listed(statuses), _listed(errors))
        self._prediction_buffer().add(batch)
        return ids

    def log_prediction(self, model: str, inputs: Any, output: Any, *,
                       confidence: float | None = None, latency_ms: float | None = None,
                       request_id: str | None = None, status: str = "ok",
                       error: str | None = None, version: int | None = None,
                       at: Any = None) -> str:
        """Log one prediction; returns its request id (for labels later)."""
        import pandas as pd

        version = self._version_for(model, version).version  # fails early when unknown
        frame = (pd.DataFrame([dict(inputs)]) if isinstance(inputs, Mapping)
                 else [inputs])
        return self.log_predictions(
            frame, [output], model=model, version=version,
            confidences=[confidence], latencies_ms=[latency_ms],
            request_ids=[request_id] if request_id else None, statuses=[status],
            errors=[error], at=at)[0]

    def _as_frame(self, rows: Any, mv: ModelVersion) -> pd.DataFrame:
        import numpy as np
        import pandas as pd

        arr = np.asarray(rows, dtype=object)
        if arr.ndim != 2:
            raise InvalidInput("inputs must be a mapping of feature names to values, a "
                               "DataFrame, or rows of values", field="inputs")
        profile = self._profile(mv.id) or {}
        names = [f["name"] for f in profile.get("features", [])]
        if names and len(names) != arr.shape[1]:
            raise InvalidInput(f"inputs have {arr.shape[1]} values per row but model "
                               f"{mv.model_name!r} v{mv.version} has {len(names)} features",
                               hint="features: " + ", ".join(names[:20]), field="inputs")
        return pd.DataFrame(arr.tolist(), columns=names or None)

    def flush_predictions(self) -> int:
        return self._predictions.flush() if self._predictions is not None else 0

    def log_labels(self, request_ids: Sequence[str], labels: Sequence[Any]) -> int:
        """Attach ground truth to logged predictions; all ids must be known."""
        ids = [str(r) for r in request_ids]
        labels = list(labels)
        if len(ids) != len(labels):
            raise InvalidInput(f"{len(ids)} request ids but {len(labels)} labels",
                               field="labels")
        self.flush_predictions()
        remote = self._remote()
        if remote is not None:  # the server checks the ids the same way
            return remote.log_labels(ids, labels)
        missing = [r for r in ids if r not in self.store.known_request_ids(ids)]
        if missing:
            raise NotFound(f"{len(missing)} of {len(ids)} request ids are unknown, e.g. "
                           f"{missing[0]!r}; no label was stored",
                           hint="use the ids returned by log_prediction(s)",
                           field="request_ids")
        encoded = [(r, json.dumps(_plain(label))) for r, label in zip(ids, labels, strict=True)]
        return self.store.set_labels(encoded)

    # -- reading ----------------------------------------------------------------------
    def _remote_report(self, kind: str, model: str, version: int | None, window: Any,
                       since: Any, until: Any) -> pd.DataFrame | None:
        """The report from the server's route (None with a database tracking URI)."""
        remote = self._remote()
        if remote is None:
            return None
        self.flush_predictions()
        return remote.report(kind, model, version=version, window=window, since=since,
                             until=until)

    def _scope(self, model: str, version: int | None, window: Any, since: Any,
               until: Any) -> tuple[ModelVersion, int, float | None, float | None]:
        self.flush_predictions()
        mv = self._version_for(model, version)
        return mv, window_minutes(window), to_epoch(since), to_epoch(until)

    def drift(self, model: str, *, version: int | None = None, window: Any = "1h",
              since: Any = None, until: Any = None, every: int | None = None,
              windows: int = 5) -> pd.DataFrame:
        """Per window and feature: the test, its statistic and p-value, PSI, and a verdict.

        Windows are periods of time (``window="1h"``), or, with ``every=N``, the last
        ``windows`` runs of N predictions each (``window_start`` is each run's first
        prediction time).
        """
        from .reports import drift_frame, drift_frame_by_count

        if every is not None:
            if isinstance(every, bool) or not isinstance(every, int) or every < 1:
                raise InvalidInput("every must be a positive number of predictions",
                                   field="every")
            if isinstance(windows, bool) or not isinstance(windows, int) or windows < 1:
                raise InvalidInput("windows must be a positive integer", field="windows")
            self.flush_predictions()
            if self._remote() is not None:
                return self._remote().report("drift", model, version=version, window=window,
                                             since=since, until=until, every=every,
                                             windows=windows)
            mv = self._version_for(model, version)
            return drift_frame_by_count(self.store, mv, self._profile(mv.id), every, windows)
        if (remote := self._remote_report("drift", model, version, window, since, until)) \
                is not None:
            return remote
        mv, minutes, start, end = self._scope(model, version, window, since, until)
        return drift_frame(self.store, mv, self._profile(mv.id), minutes, start, end)

    def feature_counts(self, model: str, feature: str, *, version: int | None = None,
                       since: Any = None, until: Any = None) -> dict[int, int]:
        """Predictions per reference bin of ``feature`` (or ``__prediction__``,
        ``__confidence__``) from ``since`` to ``until``, to minute resolution."""
        self.flush_predictions()
        if (remote := self._remote()) is not None:
            return remote.feature_counts(model, feature, version, since, until)
        mv = self._version_for(model, version)
        start, end = to_epoch(since), to_epoch(until)
        rows = self.store.bin_counts(
            mv.id, window_minutes=ALL_TIME_MINUTES,
            since_minute=None if start is None else int(start // 60),
            until_minute=None if end is None else int(-(-end // 60)), features=[feature])
        counts: dict[int, int] = {}
        for _, _, b, c in rows:
            counts[b] = counts.get(b, 0) + c
        return counts

    def traffic(self, model: str, *, version: int | None = None, window: Any = "1h",
                since: Any = None, until: Any = None) -> pd.DataFrame:
        """Per window: predictions, errors, error rate, latency p50/p95/p99 (ms)."""
        from .reports import traffic_frame

        if (remote := self._remote_report("traffic", model, version, window, since, until)) \
                is not None:
            return remote
        mv, minutes, start, end = self._scope(model, version, window, since, until)
        return traffic_frame(self.store, mv, minutes, start, end)

    def performance(self, model: str, *, version: int | None = None, window: Any = "1h",
                    since: Any = None, until: Any = None) -> pd.DataFrame:
        """Per window, once labels arrived: classifier or regressor quality metrics."""
        from .reports import performance_frame

        if (remote := self._remote_report("performance", model, version, window, since,
                                          until)) is not None:
            return remote
        mv, minutes, start, end = self._scope(model, version, window, since, until)
        return performance_frame(self.store, mv, self._profile(mv.id), minutes, start, end)


def _listed(values: Sequence[Any] | None) -> list[Any]:
    return [] if values is None else list(values)


def _plain(value: Any) -> Any:
    if hasattr(value, "item") and getattr(value, "shape", None) == ():
        return value.item()
    return value
