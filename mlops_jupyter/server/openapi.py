"""The OpenAPI 3.1 description of the REST API, served at ``mlops/api/openapi.json``.

Written as a Python dict (schemas reused by reference, no YAML dependency);
``tests/server/test_openapi.py`` runs schemathesis against a live server so the
document stays true. ``servers`` is filled in per request from the base URL.
"""

from __future__ import annotations

import copy
from typing import Any

from jupyter_server.auth.decorator import authorized
from jupyter_server.utils import url_path_join
from tornado import web

from .._version import __version__
from .base import MlopsHandler
from .openapi_schemas import (
    ANY_OBJ,
    EVENT_STATUSES,
    ID,
    ITERATION_QUERY,
    NAME_PARAM,
    NULL_INT,
    NULL_STR,
    REPORT_QUERY,
    SCHEMAS,
    SOURCE,
    STAGE,
    STATUS,
    STR,
    TAGS,
    body,
    obj,
    ok,
    op,
    path,
    query,
    ref,
)

PATHS: dict[str, Any] = {
    "/projects": {
        "get": op("List projects", ok("200", obj(["projects"], {
            "projects": {"type": "array", "items": ref("Project")}}), "all projects")),
        "post": op("Create project", ok("201", ref("Project"), "the new project"),
                   request=body(obj(["name"], {"name": STR, "description": NULL_STR}))),
    },
    "/projects/{project_id}": {"get": op("Get project", ok("200", ref("Project"), "a project"),
                                         params=[path("project_id")])},
    "/experiments": {
        "get": op("List experiments", ok("200", obj(["experiments"], {
            "experiments": {"type": "array", "items": ref("Experiment")}}), "experiments"),
            params=[query("project_id", ID)]),
        "post": op("Create experiment", ok("201", ref("Experiment"), "the new experiment"),
                   request=body(obj(["project_id", "name"], {
                       "project_id": ID, "name": STR, "description": NULL_STR}))),
    },
    "/experiments/{experiment_id}": {"get": op(
        "Get experiment", ok("200", ref("Experiment"), "an experiment"),
        params=[path("experiment_id")])},
    "/iterations": {
        "get": op("Search iterations", ok("200", ref("IterationPage"), "one page"),
                  params=ITERATION_QUERY),
        "post": op("Create iteration", ok("201", ref("IterationDetail"), "a running iteration"),
                   request=body(obj(["experiment_id"], {
                       "experiment_id": ID, "name": NULL_STR, "model_name": NULL_STR,
                       "source": SOURCE,
                       "environment": ANY_OBJ, "git": ANY_OBJ, "tags": TAGS}))),
    },
    "/iterations/{iteration_id}": {
        "get": op("Get iteration", ok("200", ref("IterationDetail"), "details"),
                  params=[path("iteration_id")]),
        "patch": op("Update iteration", ok("200", ref("IterationDetail"), "details"),
                    params=[path("iteration_id")], request=body(obj([], {
                        "name": STR, "tags": TAGS, "status": STATUS, "error": NULL_STR,
                        "model_name": NULL_STR, "source": SOURCE, "environment": ANY_OBJ,
                        "git": ANY_OBJ}, extra=False))),
        "delete": op("Delete iteration", ok("204", None, "soft deleted"),
                     params=[path("iteration_id")]),
    },
    "/iterations/{iteration_id}/restore": {"post": op(
        "Restore iteration", ok("200", ref("IterationDetail"), "restored"),
        params=[path("iteration_id")])},
    "/iterations/{iteration_id}/params": {"post": op(
        "Log params", ok("204", None, "logged"), params=[path("iteration_id")],
        request=body(obj(["params"], {"params": ANY_OBJ})))},
    "/iterations/{iteration_id}/datasets": {"post": op(
        "Log dataset", ok("201", ref("Dataset"), "linked"), params=[path("iteration_id")],
        request=body(obj(["uri", "name"], {
            "uri": STR, "name": STR, "digest": NULL_STR, "size": NULL_INT, "rows": NULL_INT,
            "columns": {"type": ["array", "null"], "items": STR},
            "kind": {"type": "string", "enum": ["file", "directory", "url"]},
            "role": {"type": "string", "enum": ["train", "validation", "test", "reference",
                                                "other"]}})))},
    "/iterations/{iteration_id}/metrics/{key}": {"get": op(
        "Metric history", ok("200", ref("MetricHistory"), "the series, downsampled"),
        params=[path("iteration_id"), path("key", {"type": "string", "minLength": 1}),
                query("max_points", {"oneOf": [{"const": 0}, {"type": "integer", "minimum": 3,
                                                              "maximum": 100000}]},
                      "at most this many points (default 2000); 0: every point"),
                query("timestamps", {"type": "string", "enum": ["iso", "epoch"]})])},
    "/metrics": {"post": op(
        "Log metrics", ok("200", obj(["accepted"], {"accepted": {"type": "integer"}}),
                          "stored"),
        request=body(obj(["points"], {"points": {"type": "array", "maxItems": 100000,
                                                 "items": {"type": "array", "minItems": 5,
                                                           "maxItems": 5}}})))},
    "/heartbeats": {"post": op(
        "Heartbeat", ok("204", None, "recorded"),
        request=body(obj(["iteration_ids"], {"iteration_ids": {"type": "array",
                                                               "items": ID}})))},
    "/models": {"get": op("List models", ok("200", obj(["models"], {
        "models": {"type": "array", "items": ref("RegisteredModel")}}), "registered models"),
        tag="registry")},
    "/models/{name}": {"get": op(
        "Get model", ok("200", {"allOf": [ref("RegisteredModel"), obj(["versions"], {
            "versions": {"type": "array", "items": ref("ModelVersion")}})]},
            "the model and its versions"), params=[NAME_PARAM], tag="registry")},
    "/models/{name}/versions": {"post": op(
        "Upload model version", ok("201", ref("ModelVersion"), "the new version (413 above "
                                   "max_upload_bytes)"),
        params=[NAME_PARAM], tag="registry", request={"required": True, "content": {
            "multipart/form-data": {"schema": obj(["file"], {
                "file": {"type": "string", "format": "binary",
                         "description": "a .pkl, .pickle, .joblib or .skops file"},
                "description": STR})}}})},
    "/models/{name}/versions/{version}": {"get": op(
        "Get model version", ok("200", ref("ModelVersion"), "one version"),
        params=[NAME_PARAM, path("version")], tag="registry")},
    "/models/{name}/versions/{version}/file": {"get": op(
        "Download model file", {**ok("200", None, ""), "200": {
            "description": "the stored bytes (never unpickled by the server); check them "
                           "against the X-Model-Sha256 header before loading",
            "content": {"application/octet-stream": {"schema": {
                "type": "string", "format": "binary"}}}}},
        params=[NAME_PARAM, path("version")], tag="registry")},
    "/models/{name}/versions/{version}/stage": {"post": op(
        "Change stage", ok("200", ref("ModelVersion"), "moved (409 if already there)"),
        params=[NAME_PARAM, path("version")], tag="registry",
        request=body(obj(["stage"], {"stage": STAGE, "comment": NULL_STR})))},
    "/models/{name}/rollback": {"post": op(
        "Roll back production", ok("200", ref("ModelVersion"), "the version now in production "
                                   "(409 if none to roll back to)"),
        params=[NAME_PARAM], tag="registry", request={"required": False, "content": {
            "application/json": {"schema": obj([], {"comment": NULL_STR})}}})},
    "/models/{name}/history": {"get": op(
        "Stage history", ok("200", obj(["transitions"], {
            "transitions": {"type": "array", "items": ref("StageTransition")}}),
            "every transition, oldest first"), params=[NAME_PARAM], tag="registry")},
    "/models/{name}/aliases/{alias}": {
        "put": op("Set alias", ok("200", ref("ModelVersion"), "the version now aliased"),
                  params=[NAME_PARAM, path("alias", {"type": "string", "minLength": 1})],
                  tag="registry", request=body(obj(["version"], {"version": ID}))),
        "delete": op("Delete alias", ok("204", None, "removed"),
                     params=[NAME_PARAM, path("alias", {"type": "string", "minLength": 1})],
                     tag="registry"),
    },
    "/models/{name}/predict": {"post": op(
        "Predict", ok("200", ref("Prediction"), "predictions of the production version"),
        params=[NAME_PARAM], tag="monitoring", request=body({"oneOf": [
            obj(["inputs"], {"inputs": ANY_OBJ}, extra=False),
            obj(["instances"], {"instances": {"type": "array", "minItems": 1,
                                              "maxItems": 10000, "items": ANY_OBJ}},
                extra=False)]}))},
    "/monitoring/predictions": {"post": op(
        "Log predictions", ok("200", obj(["model", "version", "request_ids"], {
            "model": STR, "version": ID,
            "request_ids": {"type": "array", "items": STR}}), "written"),
        tag="monitoring", request=body(obj(["model", "records"], {
            "model": STR, "version": ID,
            "records": {"type": "array", "minItems": 1, "maxItems": 50000, "items": obj(
                ["inputs"], {"inputs": ANY_OBJ, "output": {},
                             "confidence": {"type": ["number", "null"], "minimum": 0,
                                            "maximum": 1},
                             "latency_ms": {"type": ["number", "null"], "minimum": 0},
                             "request_id": {"type": "string", "minLength": 1,
                                            "maxLength": 64},
                             "status": {"type": "string", "enum": ["ok", "error"]},
                             "error": NULL_STR,
                             "at": {"type": ["string", "number"]}})}})))},
    "/monitoring/labels": {"post": op(
        "Log labels", ok("200", obj(["labeled"], {"labeled": {"type": "integer"}}),
                         "attached (404 if any request id is unknown)"),
        tag="monitoring", request=body(obj(["labels"], {"labels": {
            "type": "array", "minItems": 1, "maxItems": 50000,
            "items": obj(["request_id", "label"], {"request_id": STR, "label": {}})}})))},
    "/monitoring/models": {"get": op("Monitored models", ok("200", obj(["models"], {
        "models": {"type": "array", "items": ref("MonitoredModel")}}),
        "models with a production version, last 24 hours"), tag="monitoring")},
    "/monitoring/models/{name}/drift": {"get": op(
        "Drift report", ok("200", ref("Report"), "per window and feature"),
        params=[NAME_PARAM, *REPORT_QUERY,
                query("every", {"type": "integer", "minimum": 1, "maximum": 100000},
                      "windows of this many predictions instead of periods of time"),
                query("windows", {"type": "integer", "minimum": 1, "maximum": 100},
                      "with every: how many of the latest such windows (default 5)")],
        tag="monitoring")},
    "/monitoring/models/{name}/traffic": {"get": op(
        "Traffic report", ok("200", ref("Report"), "per window"),
        params=[NAME_PARAM, *REPORT_QUERY], tag="monitoring")},
    "/monitoring/models/{name}/performance": {"get": op(
        "Performance report", ok("200", ref("Report"), "per window, labeled predictions"),
        params=[NAME_PARAM, *REPORT_QUERY], tag="monitoring")},
    "/monitoring/models/{name}/predictions": {"get": op(
        "Recent predictions", ok("200", obj(["model", "version", "predictions"], {
            "model": STR, "version": ID,
            "predictions": {"type": "array", "items": ref("LoggedPrediction")}}),
            "newest first"),
        params=[NAME_PARAM, query("limit", {"type": "integer", "minimum": 1, "maximum": 1000,
                                       "default": 100}), query("version", ID)],
        tag="monitoring")},
    "/monitoring/models/{name}/reference": {"get": op(
        "Reference profile", ok("200", obj(["model", "version", "profile"], {
            "model": STR, "version": ID, "profile": {"type": ["object", "null"]}}),
            "bins and counts of the training data (null: no reference)"),
        params=[NAME_PARAM, query("version", ID, "default: the production version")],
        tag="monitoring")},
    "/monitoring/models/{name}/counts": {"get": op(
        "Feature bin counts", ok("200", obj(["model", "version", "feature", "counts"], {
            "model": STR, "version": ID, "feature": STR,
            "counts": {"type": "array", "items": {"type": "array", "items": {
                "type": "integer"}, "minItems": 2, "maxItems": 2}}}),
            "[reference bin, predictions] pairs"),
        params=[NAME_PARAM, query("feature", {"type": "string", "minLength": 1},
                             "a feature of the reference profile, or __prediction__ / "
                             "__confidence__", required=True),
                *REPORT_QUERY[1:]], tag="monitoring")},
    "/alerts/rules": {
        "get": op("List alert rules", ok("200", obj(["rules"], {
            "rules": {"type": "array", "items": ref("AlertRule")}}), "every rule"),
            tag="alerts"),
        "post": op("Create alert rule", ok("201", ref("AlertRule"), "created"), tag="alerts",
                   request=body(ref("AlertRuleDefinition"))),
    },
    "/alerts/rules/{rule_id}": {
        "get": op("Get alert rule", ok("200", ref("AlertRule"), "the rule"),
                  params=[path("rule_id")], tag="alerts"),
        "patch": op("Update alert rule", ok("200", ref("AlertRule"), "updated"),
                    params=[path("rule_id")], tag="alerts",
                    request=body(ref("AlertRuleChanges"))),
        "delete": op("Delete alert rule", ok("204", None, "deleted"),
                     params=[path("rule_id")], tag="alerts"),
    },
    "/alerts/rules/{rule_id}/backtest": {"get": op(
        "Backtest alert rule", ok("200", ref("Backtest"), "how often it would have fired"),
        params=[path("rule_id"), query("since", {"type": "string"},
                                       "a duration ago (30d) or epoch seconds")],
        tag="alerts")},
    "/alerts/backtest": {"post": op(
        "Backtest draft rule", ok("200", ref("Backtest"), "how often it would have fired"),
        tag="alerts", request=body(ref("AlertRuleChanges")))},
    "/alerts/events": {"get": op(
        "List alert events", ok("200", obj(["events"], {
            "events": {"type": "array", "items": ref("AlertEvent")}}), "newest first"),
        params=[query("status", {"type": "string", "enum": list(EVENT_STATUSES)}),
                query("rule_id", ID),
                query("limit", {"type": "integer", "minimum": 1, "maximum": 1000})],
        tag="alerts")},
    "/alerts/evaluate": {"post": op(
        "Evaluate windowed alert rules", ok("200", obj(["event_ids", "delivered"], {
            "event_ids": {"type": "array", "items": ID}, "delivered": ANY_OBJ}),
            "what fired and what was delivered"), tag="alerts")},
    "/alerts/deliver": {"post": op(
        "Deliver alert outbox", ok("200", obj(["delivered"], {"delivered": ANY_OBJ}),
                                   "counts by outcome: sent, retry (back in the outbox "
                                   "with a backoff), failed (reason in the event's "
                                   "last_error), lost (claim taken over by another "
                                   "deliverer)"), tag="alerts")},
    "/monitoring/resources": {"get": op(
        "Server resources", ok("200", ref("Resources"), "CPU and memory of the serving "
                               "process, sampled every few seconds"), tag="monitoring")},
}


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "mlops-jupyter REST API", "version": __version__,
             "description": "Tracking data of mlops-jupyter, served by its Jupyter server "
                            "extension. Authenticate with `Authorization: token <token>`."},
    "servers": [{"url": "/mlops/api"}],
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {"token": {"type": "apiKey", "in": "header",
                                      "name": "Authorization",
                                      "description": "`token <jupyter server token>`"}},
    },
    "security": [{"token": []}],
}


def document(base_url: str = "/") -> dict[str, Any]:
    """The OpenAPI document with ``servers`` pointing under ``base_url``."""
    doc = copy.deepcopy(DOCUMENT)
    doc["servers"] = [{"url": url_path_join(base_url, "mlops/api")}]
    return doc


class OpenAPIHandler(MlopsHandler):
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(document(self.base_url))
