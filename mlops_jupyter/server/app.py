"""The ``mlops_jupyter`` server extension: settings as traitlets, the store built once."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from jupyter_server.extension.application import ExtensionApp
from jupyter_server.utils import url_path_join
from traitlets import Bool, Float, Int, List, Unicode, validate

from .. import config
from ..query import IterationQuery
from ..store import TrackingStore, open_store
from . import alerts, metrics, monitoring, openapi, predict, registry, tracking
from .core import ServerCore
from .placeholders import UnknownRouteHandler

API = "mlops/api"


def default_workers() -> int:
    """Worker threads for blocking store calls: DB waits overlap, CPU stays bounded."""
    return min(8, (os.cpu_count() or 1) * 2)


class MlopsExtensionApp(ExtensionApp):
    """Serve the mlops REST API under ``{base_url}mlops/api/``."""

    name = "mlops_jupyter"
    description = "Jupyter-native MLOps: tracking REST API and side panel backend."
    load_other_extensions = True

    tracking_uri = Unicode(
        "", config=True,
        help="Where tracking data lives: a database URL (sqlite:///..., postgresql://...). "
             "Empty: the MLOPS_JUPYTER_TRACKING_URI environment variable, then the "
             "config file, then ~/.mlops_jupyter/mlops.db.")
    artifact_root = Unicode(
        "", config=True,
        help="Directory or URL for artifacts and model files. Empty: "
             "MLOPS_JUPYTER_ARTIFACT_ROOT, the config file, then ~/.mlops_jupyter/artifacts.")
    heartbeat_timeout = Float(
        0.0, config=True,
        help="Seconds without a heartbeat after which a running iteration reads as killed "
             "(0: MLOPS_JUPYTER_HEARTBEAT_TIMEOUT, the config file, then 120).")
    workers = Int(
        0, config=True,
        help="Threads running blocking database calls off the event loop "
             "(0: twice the CPU count, at most 8).")
    keys_cache_seconds = Float(
        10.0, config=True,
        help="How long the param/metric key lists of a project or experiment are cached "
             "for the iterations table (0 disables the cache).")
    max_upload_bytes = Int(
        0, config=True,
        help="Largest model file accepted by POST models/{name}/versions, in bytes; larger "
             "uploads are refused with 413 before their body is read (0: "
             "MLOPS_JUPYTER_MAX_UPLOAD_BYTES, the config file, then 1 GiB).")
    trusted_models = List(
        Unicode(), config=True,
        help="Pickle/joblib models the predict route may load, besides the config file's "
             "trusted_models and MLOPS_JUPYTER_TRUSTED_MODELS: entries 'name:version', "
             "'sha256:<hex>', or 'name' (only the versions registered from an iteration, "
             "never an upload). Loading runs code chosen by the model's author, so list "
             "only models you trust.")
    @validate("trusted_models")
    def _one_name_per_entry(self, proposal: Any) -> list[str]:
        # Options of an extension given to `jupyter server` reach it as one deferred
        # string: `--MlopsExtensionApp.trusted_models=["a","b"]` arrives as the single
        # entry '["a","b"]'. Expand such an entry into the names it lists.
        names: list[str] = []
        for entry in proposal["value"]:
            text = str(entry).strip()
            if text.startswith("["):
                try:
                    listed = json.loads(text.replace("'", '"'))
                except ValueError:
                    listed = None
                if isinstance(listed, list):
                    names += [str(n) for n in listed]
                    continue
            names.append(text)
        return names

    production_check_seconds = Float(
        2.0, config=True,
        help="How often the predict route re-reads a model's production version; a "
             "promotion or rollback is served at most this many seconds later.")
    batch_predictions = Bool(
        True, config=True,
        help="Predict concurrent requests to one model in one model call (faster under "
             "load). Turn off for a model whose answer for a row depends on the other "
             "rows it is called with.")
    metrics_public = Bool(
        False, config=True,
        help="Serve the Prometheus metrics at {base_url}mlops/metrics without "
             "authentication (for scrapers that cannot send a token).")
    alerts_interval = Float(
        60.0, config=True,
        help="Seconds between evaluations of the windowed alert rules (drift, performance, "
             "latency) and deliveries of the alert outbox, retries included (0: never; "
             "POST mlops/api/alerts/evaluate still works).")
    drift_metrics_seconds = Float(
        30.0, config=True,
        help="How long the drift gauges of the Prometheus metrics are reused between "
             "scrapes.")

    def initialize_settings(self) -> None:
        settings = config.resolve(self.tracking_uri or None, self.artifact_root or None,
                                  self.heartbeat_timeout or None,
                                  max_upload_bytes=self.max_upload_bytes or None)
        if settings.tracking_uri.startswith(("http://", "https://")):
            from ..errors import InvalidInput

            raise InvalidInput("the server extension needs a database tracking URI, got an "
                               "http(s) URL", hint="set MlopsExtensionApp.tracking_uri to a "
                               "sqlite:/// or postgresql:// URL", field="tracking_uri")
        store = open_store(settings.tracking_uri, heartbeat_timeout=settings.heartbeat_timeout,
                           auto_upgrade=settings.is_default_database)
        self.store = store
        self.executor = ThreadPoolExecutor(self.workers or default_workers(),
                                           thread_name_prefix="mlops-store")
        self.core = ServerCore(store, settings, self.trusted_models)
        self.core.notebook_root = local_contents_root(self.serverapp.contents_manager)
        self.resources = metrics.ResourceSampler().start()
        self.alert_loop = alerts.AlertLoop(self.core, self.alerts_interval).start()
        self.log.info("mlops_jupyter: tracking data in %r", store)
        self.settings.update({
            "mlops_store": store,
            "mlops_settings": settings,
            "mlops_executor": self.executor,
            "mlops_keys": KeysCache(store, self.keys_cache_seconds),
            "mlops_core": self.core,
            "mlops_models": predict.ModelCache(self.core, self.production_check_seconds),
            "mlops_batch_predictions": self.batch_predictions,
            "mlops_metrics": metrics.PromMetrics(self.core, self.resources,
                                                 self.drift_metrics_seconds),
            "mlops_resources": self.resources,
        })

    def initialize_handlers(self) -> None:
        def api(path: str) -> str:  # ExtensionApp prepends base_url itself
            return url_path_join(API, path)

        iid = r"(?P<iteration_id>\d+)"
        model = r"models/(?P<name>[^/]+)"
        version = rf"{model}/versions/(?P<version>\d+)"
        watched = r"monitoring/models/(?P<name>[^/]+)"
        self.handlers.extend([
            (api("openapi.json"), openapi.OpenAPIHandler),
            (api("projects"), tracking.ProjectsHandler),
            (api(r"projects/(?P<project_id>\d+)"), tracking.ProjectHandler),
            (api("experiments"), tracking.ExperimentsHandler),
            (api(r"experiments/(?P<experiment_id>\d+)"), tracking.ExperimentHandler),
            (api("iterations"), tracking.IterationsHandler),
            (api(rf"iterations/{iid}"), tracking.IterationHandler),
            (api(rf"iterations/{iid}/restore"), tracking.RestoreHandler),
            (api(rf"iterations/{iid}/params"), tracking.ParamsHandler),
            (api(rf"iterations/{iid}/datasets"), tracking.DatasetsHandler),
            (api(rf"iterations/{iid}/metrics/(?P<key>[^/]+)"), tracking.MetricHistoryHandler),
            (api("metrics"), tracking.MetricsHandler),
            (api("heartbeats"), tracking.HeartbeatsHandler),
            (api("models"), registry.ModelsHandler),
            (api(model), registry.ModelHandler),
            (api(f"{model}/versions"), registry.VersionsHandler),
            (api(version), registry.VersionHandler),
            (api(f"{version}/file"), registry.ModelFileHandler),
            (api(f"{version}/stage"), registry.StageHandler),
            (api(f"{model}/rollback"), registry.RollbackHandler),
            (api(f"{model}/history"), registry.HistoryHandler),
            (api(rf"{model}/aliases/(?P<alias>[^/]+)"), registry.AliasHandler),
            (api(f"{model}/predict"), predict.PredictHandler),
            (api("monitoring/predictions"), monitoring.PredictionsHandler),
            (api("monitoring/labels"), monitoring.LabelsHandler),
            (api("monitoring/models"), monitoring.MonitoredModelsHandler),
            (api(f"{watched}/drift"), monitoring.DriftHandler),
            (api(f"{watched}/traffic"), monitoring.TrafficHandler),
            (api(f"{watched}/performance"), monitoring.PerformanceHandler),
            (api(f"{watched}/predictions"), monitoring.RecentPredictionsHandler),
            (api(f"{watched}/reference"), monitoring.ReferenceHandler),
            (api(f"{watched}/counts"), monitoring.FeatureCountsHandler),
            (api("monitoring/resources"), monitoring.ResourcesHandler),
            (api("alerts/rules"), alerts.RulesHandler),
            (api(r"alerts/rules/(?P<rule_id>\d+)"), alerts.RuleHandler),
            (api(r"alerts/rules/(?P<rule_id>\d+)/backtest"), alerts.BacktestHandler),
            (api("alerts/backtest"), alerts.DraftBacktestHandler),
            (api("alerts/events"), alerts.EventsHandler),
            (api("alerts/evaluate"), alerts.EvaluateHandler),
            (api("alerts/deliver"), alerts.DeliverHandler),
            (api("(.*)"), UnknownRouteHandler),
            ("mlops/metrics", metrics.PublicMetricsHandler if self.metrics_public
             else metrics.MetricsHandler),
        ])

    async def stop_extension(self) -> None:
        loop = getattr(self, "alert_loop", None)
        if loop is not None:
            loop.stop()
        resources = getattr(self, "resources", None)
        if resources is not None:
            resources.stop()
        core = getattr(self, "core", None)
        if core is not None:
            core.close()  # the last predictions logged by the predict route
        executor = getattr(self, "executor", None)
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)
        store = getattr(self, "store", None)
        if store is not None:
            store.close()


def local_contents_root(contents_manager: Any) -> Path | None:
    """The directory a file-backed contents manager serves (``None`` for any other
    kind: its paths are not local files a kernel could run)."""
    from jupyter_server.services.contents.fileio import FileManagerMixin

    if isinstance(contents_manager, FileManagerMixin) and contents_manager.root_dir:
        return Path(os.path.realpath(contents_manager.root_dir))
    return None


class KeysCache:
    """Param and metric keys per project/experiment scope, cached for a few seconds."""

    def __init__(self, store: TrackingStore, ttl: float):
        self.store = store
        self.ttl = ttl
        self._cache: dict[Any, tuple[float, tuple[list[str], list[str]]]] = {}
        self._lock = threading.Lock()

    def __call__(self, query: IterationQuery) -> tuple[list[str], list[str]]:
        scope = (query.project, query.experiment)
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(scope)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        keys = self._compute(query)
        with self._lock:
            if len(self._cache) > 256:
                self._cache.clear()
            self._cache[scope] = (now, keys)
        return keys

    def _compute(self, query: IterationQuery) -> tuple[list[str], list[str]]:
        compute: Callable[..., tuple[list[str], list[str]]] | None = None
        try:
            from ..store import sql_search

            compute = getattr(sql_search, "scope_keys", None)
        except ImportError:  # pragma: no cover
            pass
        if compute is None or not hasattr(self.store, "engine"):
            return [], []
        return compute(self.store, query)

