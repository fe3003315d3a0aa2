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

ID = {"type": "integer", "minimum": 1, "maximum": 2147483647}
NULL_STR = {"type": ["string", "null"]}
NULL_INT = {"type": ["integer", "null"]}
TIME = {"type": "string", "format": "date-time"}
NULL_TIME = {"type": ["string", "null"], "format": "date-time"}
NUMBER = {"oneOf": [{"type": "number"}, {"type": "string", "enum": ["NaN", "Infinity",
                                                                    "-Infinity"]}]}
STATUS = {"type": "string", "enum": ["running", "finished", "failed", "killed"]}
STAGE = {"type": "string", "enum": ["none", "staging", "production", "archived"]}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def obj(required: list[str], props: dict[str, Any], extra: bool = True) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props,
            "additionalProperties": extra}


_SUMMARY_PROPS: dict[str, Any] = {
    "id": ID, "experiment_id": ID, "project_name": {"type": "string"},
    "experiment_name": {"type": "string"}, "name": {"type": "string"},
    "number": {"type": "integer"}, "status": STATUS, "started_at": TIME,
    "ended_at": NULL_TIME, "heartbeat_at": NULL_TIME, "duration": {"type": ["number", "null"]},
    "model_name": NULL_STR, "params": {"type": "object"},
    "metrics": {"type": "object", "additionalProperties": NUMBER},
    "tags": {"type": "object", "additionalProperties": NULL_STR},
    "deleted": {"type": "boolean"}, "deleted_at": NULL_TIME,
}
_SUMMARY_REQUIRED = ["id", "experiment_id", "project_name", "experiment_name", "name", "number",
                     "status", "started_at", "ended_at", "duration", "model_name", "params",
                     "metrics", "tags", "deleted"]

SCHEMAS: dict[str, Any] = {
    "Error": obj(["message", "reason"], {"message": {"type": "string"},
                                         "reason": NULL_STR, "field": {"type": "string"}}),
    "Project": obj(["id", "name", "description", "created_at", "experiment_count",
                    "iteration_count"], {
        "id": ID, "name": {"type": "string"}, "description": NULL_STR, "created_at": TIME,
        "experiment_count": {"type": "integer"}, "iteration_count": {"type": "integer"}}),
    "Experiment": obj(["id", "project_id", "project_name", "name", "description", "created_at",
                       "iteration_count", "last_started_at"], {
        "id": ID, "project_id": ID, "project_name": {"type": "string"},
        "name": {"type": "string"}, "description": NULL_STR, "created_at": TIME,
        "iteration_count": {"type": "integer"}, "last_started_at": NULL_TIME}),
    "Dataset": obj(["id", "name", "uri", "digest", "size", "rows", "columns", "kind", "role"], {
        "id": {"type": "integer"}, "name": {"type": "string"}, "uri": {"type": "string"},
        "digest": NULL_STR, "size": NULL_INT, "rows": NULL_INT,
        "columns": {"type": ["array", "null"], "items": {"type": "string"}},
        "kind": {"type": "string"}, "role": NULL_STR}),
    "IterationSummary": obj(_SUMMARY_REQUIRED, _SUMMARY_PROPS),
    "IterationDetail": {"allOf": [ref("IterationSummary"), obj(
        ["params_typed", "latest_metrics", "datasets", "source", "environment", "git", "error",
         "heartbeat_at"], {
            "params_typed": {"type": "array", "items": obj(["key", "value", "value_type"], {
                "key": {"type": "string"}, "value": {}, "value_type": {"type": "string"}})},
            "latest_metrics": {"type": "array", "items": obj(
                ["key", "value", "step", "timestamp"], {
                    "key": {"type": "string"}, "value": NUMBER, "step": {"type": "integer"},
                    "timestamp": TIME})},
            "datasets": {"type": "array", "items": ref("Dataset")},
            "source": obj(["code", "cell_hash", "execution_count", "notebook_path"], {
                "code": NULL_STR, "cell_hash": NULL_STR, "execution_count": NULL_INT,
                "notebook_path": NULL_STR}),
            "environment": {"type": "object"}, "git": {"type": "object"}, "error": NULL_STR})]},
    "IterationPage": obj(["iterations", "total", "next_cursor", "param_keys", "metric_keys"], {
        "iterations": {"type": "array", "items": ref("IterationSummary")},
        "total": {"type": "integer", "minimum": 0}, "next_cursor": NULL_STR,
        "param_keys": {"type": "array", "items": {"type": "string"}},
        "metric_keys": {"type": "array", "items": {"type": "string"}}}),
    "MetricHistory": obj(["key", "points", "total", "downsampled"], {
        "key": {"type": "string"},
        "points": {"type": "array", "items": obj(["step", "value", "timestamp"], {
            "step": {"type": "integer"}, "value": NUMBER,
            "timestamp": {"type": ["string", "number"]}})},
        "total": {"type": "integer"}, "downsampled": {"type": "boolean"}}),
    "RegisteredModel": obj(["id", "name", "description", "created_at", "updated_at",
                            "latest_version", "production_version", "aliases"], {
        "id": ID, "name": {"type": "string"}, "description": NULL_STR, "created_at": TIME,
        "updated_at": TIME, "latest_version": {"type": "integer", "minimum": 0},
        "production_version": NULL_INT,
        "aliases": {"type": "object", "additionalProperties": {"type": "integer"}}}),
    "ModelVersion": obj(["id", "model_name", "version", "stage", "source", "iteration_id",
                         "sha256", "size", "format", "flavor", "model_class", "filename",
                         "description", "metrics", "params", "datasets", "created_at",
                         "created_by", "aliases"], {
        "id": ID, "model_name": {"type": "string"}, "version": ID, "stage": STAGE,
        "source": {"type": "string", "enum": ["iteration", "upload"]},
        "iteration_id": NULL_INT, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "size": {"type": "integer", "minimum": 0},
        "format": {"type": "string", "enum": ["joblib", "pickle", "skops"]},
        "flavor": NULL_STR, "model_class": NULL_STR, "filename": NULL_STR,
        "description": NULL_STR, "metrics": {"type": "object", "additionalProperties": NUMBER},
        "params": {"type": "object"},
        "datasets": {"type": "array", "items": {"type": "object"}},
        "created_at": NULL_TIME, "created_by": NULL_STR,
        "aliases": {"type": "array", "items": {"type": "string"}}}),
    "StageTransition": obj(["id", "model_name", "version", "from_stage", "to_stage", "actor",
                            "at", "comment"], {
        "id": ID, "model_name": {"type": "string"}, "version": ID, "from_stage": STAGE,
        "to_stage": STAGE, "actor": {"type": "string"}, "at": TIME, "comment": NULL_STR}),
    "MonitoredModel": obj(["name", "production_version", "predictions_24h", "errors_24h",
                           "error_rate_24h", "latency_p95_ms_24h", "drifted_features",
                           "last_prediction_at"], {
        "name": {"type": "string"}, "production_version": ID,
        "predictions_24h": {"type": "integer", "minimum": 0},
        "errors_24h": {"type": "integer", "minimum": 0},
        "error_rate_24h": {"type": ["number", "null"]},
        "latency_p95_ms_24h": {"type": ["number", "null"]},
        "drifted_features": {"type": "array", "items": {"type": "string"}},
        "last_prediction_at": NULL_TIME}),
    "Report": obj(["model", "version", "window_minutes", "since", "until", "rows"], {
        "model": {"type": "string"}, "version": ID,
        "window_minutes": {"type": "integer", "minimum": 1}, "since": NULL_TIME,
        "until": NULL_TIME, "rows": {"type": "array", "items": {"type": "object"}}}),
    "LoggedPrediction": obj(["request_id", "at", "inputs", "output", "confidence",
                             "latency_ms", "status", "error", "label"], {
        "request_id": {"type": "string"}, "at": TIME, "inputs": {"type": ["object", "null"]},
        "output": {}, "confidence": {"oneOf": [NUMBER, {"type": "null"}]},
        "latency_ms": {"oneOf": [NUMBER, {"type": "null"}]},
        "status": {"type": "string", "enum": ["ok", "error"]}, "error": NULL_STR,
        "label": {}}),
    "Prediction": obj(["model", "version", "request_ids", "predictions"], {
        "model": {"type": "string"}, "version": ID,
        "request_id": {"type": "string"},
        "request_ids": {"type": "array", "items": {"type": "string"}},
        "predictions": {"type": "array"},
        "confidences": {"type": "array", "items": NUMBER}}),
    "Resources": obj(["pid", "cpu_percent", "memory_rss_bytes", "memory_vms_bytes",
                      "memory_percent", "threads", "cpu_count", "sampled_at"], {
        "pid": {"type": "integer"}, "cpu_percent": {"type": "number"},
        "memory_rss_bytes": {"type": "integer"}, "memory_vms_bytes": {"type": "integer"},
        "memory_percent": {"type": "number"}, "threads": {"type": "integer"},
        "cpu_count": {"type": "integer"}, "sampled_at": TIME}),
}


def ok(status: str, schema: dict[str, Any] | None, what: str) -> dict[str, Any]:
    answer: dict[str, Any] = {"description": what}
    if schema is not None:
        answer["content"] = {"application/json": {"schema": schema}}
    return {status: answer, "default": {"description": "an error", "content": {
        "application/json": {"schema": ref("Error")}}}}


def body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def path(name: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema or ID}


def query(name: str, schema: dict[str, Any], description: str = "",
          explode: bool | None = None, required: bool = False) -> dict[str, Any]:
    p: dict[str, Any] = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        p["description"] = description
    if explode is not None:
        p["explode"] = explode
    return p


def op(summary: str, responses: dict[str, Any], *, params: list[Any] | None = None,
       request: dict[str, Any] | None = None, tag: str = "tracking") -> dict[str, Any]:
    out: dict[str, Any] = {"summary": summary, "tags": [tag], "responses": responses,
                           "operationId": summary.lower().replace(" ", "_").replace(",", "")}
    if params:
        out["parameters"] = params
    if request:
        out["requestBody"] = request
    return out


_STR = {"type": "string"}
_EVENT_STATUSES = ("pending", "sending", "sent", "failed", "suppressed", "held",
                   "digested")
_ANY_OBJ = {"type": "object"}
_TAGS = {"type": "object", "additionalProperties": {
    "type": ["string", "number", "boolean", "null"]}}
_SOURCE = obj([], {"code": NULL_STR, "cell_hash": NULL_STR, "execution_count": NULL_INT,
                   "notebook_path": NULL_STR})
_ITERATION_QUERY = [
    query("project_id", ID), query("experiment_id", ID),
    query("project", _STR, "project name (alternative to project_id)"),
    query("experiment", _STR, "experiment name (alternative to experiment_id)"),
    query("status", {"type": "array", "items": STATUS}, explode=True),
    query("q", _STR, "name contains (case-insensitive)"),
    query("include_deleted", {"type": "boolean"}), query("deleted_only", {"type": "boolean"}),
    query("filter", {"type": "array", "items": _STR},
          "`<field><op><value>`, e.g. `metrics.accuracy>=0.9`", explode=True),
    query("sort", {"type": "array", "items": _STR},
          "`started_at`, `name`, `number`, `status`, `params.<key>`, `metrics.<key>`; "
          "`-` prefix: descending", explode=True),
    query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}),
    query("cursor", _STR, "opaque: `next_cursor` of the previous page"),
    query("id", {"type": "array", "items": ID}, "only these iterations", explode=True),
]
_NAME = path("name", {"type": "string", "minLength": 1})
_REPORT_QUERY = [
    query("window", _STR, "window length: `15min`, `1h`, `1d` or minutes (default 1h)"),
    query("since", _STR, "a duration ago (`24h`, the default), an ISO time, epoch seconds "
          "or `all`"),
    query("until", _STR, "same forms as since; default: now"),
    query("version", ID, "default: the production version"),
]

PATHS: dict[str, Any] = {
    "/projects": {
        "get": op("List projects", ok("200", obj(["projects"], {
            "projects": {"type": "array", "items": ref("Project")}}), "all projects")),
        "post": op("Create project", ok("201", ref("Project"), "the new project"),
                   request=body(obj(["name"], {"name": _STR, "description": NULL_STR}))),
    },
    "/projects/{project_id}": {"get": op("Get project", ok("200", ref("Project"), "a project"),
                                         params=[path("project_id")])},
    "/experiments": {
        "get": op("List experiments", ok("200", obj(["experiments"], {
            "experiments": {"type": "array", "items": ref("Experiment")}}), "experiments"),
            params=[query("project_id", ID)]),
        "post": op("Create experiment", ok("201", ref("Experiment"), "the new experiment"),
                   request=body(obj(["project_id", "name"], {
                       "project_id": ID, "name": _STR, "description": NULL_STR}))),
    },
    "/experiments/{experiment_id}": {"get": op(
        "Get experiment", ok("200", ref("Experiment"), "an experiment"),
        params=[path("experiment_id")])},
    "/iterations": {
        "get": op("Search iterations", ok("200", ref("IterationPage"), "one page"),
                  params=_ITERATION_QUERY),
        "post": op("Create iteration", ok("201", ref("IterationDetail"), "a running iteration"),
                   request=body(obj(["experiment_id"], {
                       "experiment_id": ID, "name": NULL_STR, "model_name": NULL_STR,
                       "source": _SOURCE,
                       "environment": _ANY_OBJ, "git": _ANY_OBJ, "tags": _TAGS}))),
    },
    "/iterations/{iteration_id}": {
        "get": op("Get iteration", ok("200", ref("IterationDetail"), "details"),
                  params=[path("iteration_id")]),
        "patch": op("Update iteration", ok("200", ref("IterationDetail"), "details"),
                    params=[path("iteration_id")], request=body(obj([], {
                        "name": _STR, "tags": _TAGS, "status": STATUS, "error": NULL_STR,
                        "model_name": NULL_STR, "source": _SOURCE, "environment": _ANY_OBJ,
                        "git": _ANY_OBJ}, extra=False))),
        "delete": op("Delete iteration", ok("204", None, "soft deleted"),
                     params=[path("iteration_id")]),
    },
    "/iterations/{iteration_id}/restore": {"post": op(
        "Restore iteration", ok("200", ref("IterationDetail"), "restored"),
        params=[path("iteration_id")])},
    "/iterations/{iteration_id}/params": {"post": op(
        "Log params", ok("204", None, "logged"), params=[path("iteration_id")],
        request=body(obj(["params"], {"params": _ANY_OBJ})))},
    "/iterations/{iteration_id}/datasets": {"post": op(
        "Log dataset", ok("201", ref("Dataset"), "linked"), params=[path("iteration_id")],
        request=body(obj(["uri", "name"], {
            "uri": _STR, "name": _STR, "digest": NULL_STR, "size": NULL_INT, "rows": NULL_INT,
            "columns": {"type": ["array", "null"], "items": _STR},
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
            "the model and its versions"), params=[_NAME], tag="registry")},
    "/models/{name}/versions": {"post": op(
        "Upload model version", ok("201", ref("ModelVersion"), "the new version (413 above "
                                   "max_upload_bytes)"),
        params=[_NAME], tag="registry", request={"required": True, "content": {
            "multipart/form-data": {"schema": obj(["file"], {
                "file": {"type": "string", "format": "binary",
                         "description": "a .pkl, .pickle, .joblib or .skops file"},
                "description": _STR})}}})},
    "/models/{name}/versions/{version}": {"get": op(
        "Get model version", ok("200", ref("ModelVersion"), "one version"),
        params=[_NAME, path("version")], tag="registry")},
    "/models/{name}/versions/{version}/stage": {"post": op(
        "Change stage", ok("200", ref("ModelVersion"), "moved (409 if already there)"),
        params=[_NAME, path("version")], tag="registry",
        request=body(obj(["stage"], {"stage": STAGE, "comment": NULL_STR})))},
    "/models/{name}/rollback": {"post": op(
        "Roll back production", ok("200", ref("ModelVersion"), "the version now in production "
                                   "(409 if none to roll back to)"),
        params=[_NAME], tag="registry", request={"required": False, "content": {
            "application/json": {"schema": obj([], {"comment": NULL_STR})}}})},
    "/models/{name}/history": {"get": op(
        "Stage history", ok("200", obj(["transitions"], {
            "transitions": {"type": "array", "items": ref("StageTransition")}}),
            "every transition, oldest first"), params=[_NAME], tag="registry")},
    "/models/{name}/aliases/{alias}": {
        "put": op("Set alias", ok("200", ref("ModelVersion"), "the version now aliased"),
                  params=[_NAME, path("alias", {"type": "string", "minLength": 1})],
                  tag="registry", request=body(obj(["version"], {"version": ID}))),
        "delete": op("Delete alias", ok("204", None, "removed"),
                     params=[_NAME, path("alias", {"type": "string", "minLength": 1})],
                     tag="registry"),
    },
    "/models/{name}/predict": {"post": op(
        "Predict", ok("200", ref("Prediction"), "predictions of the production version"),
        params=[_NAME], tag="monitoring", request=body({"oneOf": [
            obj(["inputs"], {"inputs": _ANY_OBJ}, extra=False),
            obj(["instances"], {"instances": {"type": "array", "minItems": 1,
                                              "maxItems": 10000, "items": _ANY_OBJ}},
                extra=False)]}))},
    "/monitoring/predictions": {"post": op(
        "Log predictions", ok("200", obj(["model", "version", "request_ids"], {
            "model": _STR, "version": ID,
            "request_ids": {"type": "array", "items": _STR}}), "written"),
        tag="monitoring", request=body(obj(["model", "records"], {
            "model": _STR, "version": ID,
            "records": {"type": "array", "minItems": 1, "maxItems": 50000, "items": obj(
                ["inputs"], {"inputs": _ANY_OBJ, "output": {},
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
            "items": obj(["request_id", "label"], {"request_id": _STR, "label": {}})}})))},
    "/monitoring/models": {"get": op("Monitored models", ok("200", obj(["models"], {
        "models": {"type": "array", "items": ref("MonitoredModel")}}),
        "models with a production version, last 24 hours"), tag="monitoring")},
    "/monitoring/models/{name}/drift": {"get": op(
        "Drift report", ok("200", ref("Report"), "per window and feature"),
        params=[_NAME, *_REPORT_QUERY,
                query("every", {"type": "integer", "minimum": 1, "maximum": 100000},
                      "windows of this many predictions instead of periods of time"),
                query("windows", {"type": "integer", "minimum": 1, "maximum": 100},
                      "with every: how many of the latest such windows (default 5)")],
        tag="monitoring")},
    "/monitoring/models/{name}/traffic": {"get": op(
        "Traffic report", ok("200", ref("Report"), "per window"),
        params=[_NAME, *_REPORT_QUERY], tag="monitoring")},
    "/monitoring/models/{name}/performance": {"get": op(
        "Performance report", ok("200", ref("Report"), "per window, labeled predictions"),
        params=[_NAME, *_REPORT_QUERY], tag="monitoring")},
    "/monitoring/models/{name}/predictions": {"get": op(
        "Recent predictions", ok("200", obj(["model", "version", "predictions"], {
            "model": _STR, "version": ID,
            "predictions": {"type": "array", "items": ref("LoggedPrediction")}}),
            "newest first"),
        params=[_NAME, query("limit", {"type": "integer", "minimum": 1, "maximum": 1000,
                                       "default": 100}), query("version", ID)],
        tag="monitoring")},
    "/monitoring/models/{name}/reference": {"get": op(
        "Reference profile", ok("200", obj(["model", "version", "profile"], {
            "model": _STR, "version": ID, "profile": {"type": ["object", "null"]}}),
            "bins and counts of the training data (null: no reference)"),
        params=[_NAME, query("version", ID, "default: the production version")],
        tag="monitoring")},
    "/monitoring/models/{name}/counts": {"get": op(
        "Feature bin counts", ok("200", obj(["model", "version", "feature", "counts"], {
            "model": _STR, "version": ID, "feature": _STR,
            "counts": {"type": "array", "items": {"type": "array", "items": {
                "type": "integer"}, "minItems": 2, "maxItems": 2}}}),
            "[reference bin, predictions] pairs"),
        params=[_NAME, query("feature", {"type": "string", "minLength": 1},
                             "a feature of the reference profile, or __prediction__ / "
                             "__confidence__", required=True),
                *_REPORT_QUERY[1:]], tag="monitoring")},
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
        params=[query("status", {"type": "string", "enum": list(_EVENT_STATUSES)}),
                query("rule_id", ID),
                query("limit", {"type": "integer", "minimum": 1, "maximum": 1000})],
        tag="alerts")},
    "/alerts/evaluate": {"post": op(
        "Evaluate windowed alert rules", ok("200", obj(["event_ids", "delivered"], {
            "event_ids": {"type": "array", "items": ID}, "delivered": _ANY_OBJ}),
            "what fired and what was delivered"), tag="alerts")},
    "/alerts/deliver": {"post": op(
        "Deliver alert outbox", ok("200", obj(["delivered"], {"delivered": _ANY_OBJ}),
                                   "counts by outcome"), tag="alerts")},
    "/monitoring/resources": {"get": op(
        "Server resources", ok("200", ref("Resources"), "CPU and memory of the serving "
                               "process, sampled every few seconds"), tag="monitoring")},
}

_RULE_PROPS: dict[str, Any] = {
    "name": {"type": "string", "minLength": 1, "maxLength": 255},
    "trigger": {"type": "string", "enum": ["iteration_logged", "prediction_failed",
                                           "prediction_threshold", "drift", "performance",
                                           "latency"]},
    "project": NULL_STR, "experiment": NULL_STR, "model": NULL_STR, "condition": NULL_STR,
    "recipients": {"type": "array", "items": {"type": "string"}},
    "channel": {"type": "string", "enum": ["email", "webhook"]}, "webhook_url": NULL_STR,
    "cooldown": {"type": ["string", "integer", "null"]}, "digest": {"type": "boolean"},
    "feature": NULL_STR, "metric": NULL_STR, "above": {"type": ["number", "null"]},
    "below": {"type": ["number", "null"]}, "window": {"type": ["string", "integer"]},
    "hysteresis": {"type": "number", "minimum": 0}, "notebook": NULL_STR,
    "parameters": _ANY_OBJ, "enabled": {"type": "boolean"},
}
SCHEMAS.update({
    "AlertRuleDefinition": obj(["name", "trigger"], _RULE_PROPS, extra=False),
    "AlertRuleChanges": obj([], {**_RULE_PROPS, "since": {"type": ["string", "number"]}},
                            extra=False),
    "AlertRule": obj(["id", "name", "trigger", "enabled"], {
        "id": ID, "name": _STR, "trigger": _STR, "scope_kind": _STR, "project": NULL_STR,
        "experiment": NULL_STR, "model": NULL_STR, "condition": _ANY_OBJ, "channel": _STR,
        "recipients": {"type": "array", "items": _STR}, "webhook_url": NULL_STR,
        "cooldown_seconds": {"type": "number"}, "digest": {"type": "boolean"},
        "notebook": NULL_STR, "parameters": _ANY_OBJ, "enabled": {"type": "boolean"},
        "created_at": TIME, "updated_at": TIME}),
    "AlertEvent": obj(["id", "rule_id", "kind", "status"], {
        "id": ID, "rule_id": ID, "rule_name": _STR, "kind": _STR, "subject": _STR,
        "fired_at": TIME, "payload": _ANY_OBJ, "status": {"type": "string",
                                                           "enum": list(_EVENT_STATUSES)},
        "attempts": {"type": "integer"}, "next_attempt_at": {"type": ["string", "null"]},
        "sent_at": {"type": ["string", "null"]}, "last_error": NULL_STR,
        "run_outcome": {"type": ["object", "null"]}}),
    "Backtest": obj(["rule", "would_fire"], {
        "rule": _STR, "since": {"type": "number"}, "would_fire": {"type": "integer"},
        "first": {"type": ["number", "null"]}, "last": {"type": ["number", "null"]}}),
})

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
