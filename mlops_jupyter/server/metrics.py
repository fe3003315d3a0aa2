"""Prometheus metrics at ``{base_url}mlops/metrics`` and the process resource sampler.

One ``CollectorRegistry`` per extension (never the global one, so two servers in a
process or a test session do not collide):

- ``mlops_predictions_total{model,version}`` and
  ``mlops_prediction_errors_total{model,version}``: predictions this server logged
  (``POST models/{name}/predict`` and ``POST monitoring/predictions``);
- ``mlops_prediction_latency_seconds{model,version}``: a histogram of their latency;
- ``mlops_drift_score``/``mlops_drift_psi``/``mlops_drift_detected``
  ``{model,version,feature,test}``: drift of every production version in the hour
  window of its newest prediction, computed from the bin counts when scraped and
  reused for ``drift_cache_seconds``;
- ``mlops_process_cpu_percent``, ``mlops_process_resident_memory_bytes``,
  ``mlops_process_memory_percent``, ``mlops_process_threads``: the serving process,
  sampled with psutil every few seconds.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from tornado import web

from .base import MlopsHandler

log = logging.getLogger("mlops_jupyter")

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                   10.0)


class ResourceSampler:
    """CPU and memory of this process, sampled by a daemon thread every ``interval`` s."""

    def __init__(self, interval: float = 5.0):
        import psutil

        self.interval = interval
        self.process = psutil.Process(os.getpid())
        self.process.cpu_percent(None)  # the first call only starts the measurement
        self._latest: dict[str, Any] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.sample()

    def sample(self) -> dict[str, Any]:
        p = self.process
        with p.oneshot():
            memory = p.memory_info()
            sample = {"pid": p.pid, "cpu_percent": p.cpu_percent(None),
                      "memory_rss_bytes": memory.rss, "memory_vms_bytes": memory.vms,
                      "memory_percent": round(p.memory_percent(), 3),
                      "threads": p.num_threads(), "cpu_count": os.cpu_count() or 1,
                      "sampled_at": time.time()}
        with self._lock:
            self._latest = sample
        return sample

    def start(self) -> ResourceSampler:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="mlops-resources",
                                            daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.sample()
            except Exception as e:  # pragma: no cover - the process always exists
                log.debug("resource sample failed: %s", e)

    def latest(self) -> dict[str, Any]:
        with self._lock:
            sample = dict(self._latest)
        from datetime import datetime, timezone

        sample["sampled_at"] = datetime.fromtimestamp(sample["sampled_at"],
                                                      timezone.utc).isoformat()
        return sample

    def value(self, key: str) -> float:
        with self._lock:
            return float(self._latest.get(key, 0.0))

    def stop(self) -> None:
        self._stop.set()


class DriftCollector(Collector):
    """Drift gauges computed at scrape time (cached), from the core's bin counts."""

    def __init__(self, core: Any, ttl: float):
        self.core = core
        self.ttl = ttl
        self._cached: tuple[float, list[tuple[str, str, str, str, float, float, bool]]] | None
        self._cached = None
        self._lock = threading.Lock()

    def rows(self) -> list[tuple[str, str, str, str, float, float, bool]]:
        with self._lock:
            now = time.monotonic()
            if self._cached is not None and now - self._cached[0] < self.ttl:
                return self._cached[1]
            rows = self._compute()
            self._cached = (now, rows)
            return rows

    def _compute(self) -> list[tuple[str, str, str, str, float, float, bool]]:
        from .monitoring import latest_drift

        store = self.core.store
        self.core.flush_predictions()  # what the predict route logged a moment ago
        now = time.time()
        out = []
        production = [m for m in store.list_registered_models() if m.production_version]
        versions = [store.get_model_version(m.name, m.production_version) for m in production]
        last = store.last_prediction_at([v.id for v in versions])
        for mv in versions:
            frame = latest_drift(self.core, mv, last.get(mv.id), now)
            if frame is None:
                continue
            for r in frame.itertuples(index=False):
                out.append((mv.model_name, str(mv.version), str(r.feature), str(r.test),
                            float(r.statistic), float(r.psi), bool(r.drift)))
        return out

    def collect(self) -> Iterator[GaugeMetricFamily]:
        labels = ["model", "version", "feature", "test"]
        score = GaugeMetricFamily("mlops_drift_score", "Drift statistic of a feature in the "
                                  "latest hour window (KS, Wasserstein/std, chi-square or "
                                  "Jensen-Shannon)", labels=labels)
        psi = GaugeMetricFamily("mlops_drift_psi", "Population stability index of a feature "
                                "in the latest hour window", labels=labels)
        detected = GaugeMetricFamily("mlops_drift_detected", "1 when the feature drifted in "
                                     "the latest hour window", labels=labels)
        try:
            rows = self.rows()
        except Exception as e:  # a scrape must not fail because the database is down
            log.warning("mlops_jupyter: drift metrics unavailable: %s", e)
            rows = []
        for model, version, feature, test, stat, index, drift in rows:
            key = [model, version, feature, test]
            score.add_metric(key, stat)
            psi.add_metric(key, index)
            detected.add_metric(key, 1.0 if drift else 0.0)
        yield score
        yield psi
        yield detected

    def describe(self) -> list[Any]:
        return []


class PromMetrics:
    """The extension's Prometheus registry and the hooks the routes call."""

    def __init__(self, core: Any, sampler: ResourceSampler, drift_cache_seconds: float = 30.0):
        self.registry = r = CollectorRegistry(auto_describe=False)
        labels = ["model", "version"]
        self.predictions = Counter("mlops_predictions", "Predictions logged by this server",
                                   labels, registry=r)
        self.errors = Counter("mlops_prediction_errors", "Failed predictions logged by this "
                              "server", labels, registry=r)
        self.latency = Histogram("mlops_prediction_latency_seconds", "Latency of the "
                                 "predictions logged by this server", labels,
                                 buckets=LATENCY_BUCKETS, registry=r)
        for name, key, what in (
                ("mlops_process_cpu_percent", "cpu_percent",
                 "CPU use of the serving process in percent of one core"),
                ("mlops_process_resident_memory_bytes", "memory_rss_bytes",
                 "Resident memory of the serving process"),
                ("mlops_process_memory_percent", "memory_percent",
                 "Resident memory of the serving process in percent of the machine's"),
                ("mlops_process_threads", "threads", "Threads of the serving process")):
            Gauge(name, what, registry=r).set_function(lambda k=key: sampler.value(k))
        self.drift = DriftCollector(core, drift_cache_seconds)
        r.register(self.drift)

    def observe(self, model: str, version: int, statuses: Sequence[str],
                latencies_ms: Sequence[float | None]) -> None:
        v = str(version)
        self.predictions.labels(model, v).inc(len(statuses))
        errors = self.errors.labels(model, v)
        failed = sum(1 for s in statuses if s == "error")
        if failed:
            errors.inc(failed)
        histogram = self.latency.labels(model, v)
        for ms in latencies_ms:
            if ms is not None:
                histogram.observe(ms / 1000.0)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _Scrape(MlopsHandler):
    auth_resource = "mlops:monitoring"

    async def scrape(self) -> None:
        body = await self.call(self.settings["mlops_metrics"].exposition)
        self.set_status(200)
        self.finish(body, set_content_type=CONTENT_TYPE_LATEST)


class MetricsHandler(_Scrape):
    """``GET {base_url}mlops/metrics`` for an authenticated, authorized scraper."""

    @web.authenticated
    @authorized
    async def get(self) -> None:
        await self.scrape()


class PublicMetricsHandler(_Scrape):
    """The same when ``metrics_public=True``: no token needed (keep it off public hosts)."""

    @allow_unauthenticated
    async def get(self) -> None:
        await self.scrape()
