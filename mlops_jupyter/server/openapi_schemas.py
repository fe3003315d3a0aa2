"""Building blocks of the OpenAPI document: schema shorthands and the shared schemas.

``openapi.py`` writes the paths with these; kept apart so that neither file grows
past a readable size.
"""

from __future__ import annotations

from typing import Any

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


SUMMARY_PROPS: dict[str, Any] = {
    "id": ID, "experiment_id": ID, "project_name": {"type": "string"},
    "experiment_name": {"type": "string"}, "name": {"type": "string"},
    "number": {"type": "integer"}, "status": STATUS, "started_at": TIME,
    "ended_at": NULL_TIME, "heartbeat_at": NULL_TIME, "duration": {
        "type": ["number", "null"],
        "description": "seconds from started_at to ended_at, rounded to 0.01; null while "
                       "running"},
    "model_name": NULL_STR, "params": {"type": "object"},
    "metrics": {"type": "object", "additionalProperties": NUMBER},
    "tags": {"type": "object", "additionalProperties": NULL_STR},
    "deleted": {"type": "boolean"}, "deleted_at": NULL_TIME,
}
SUMMARY_REQUIRED = ["id", "experiment_id", "project_name", "experiment_name", "name", "number",
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
    "IterationSummary": obj(SUMMARY_REQUIRED, SUMMARY_PROPS),
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


STR = {"type": "string"}
EVENT_STATUSES = ("pending", "sending", "sent", "failed", "suppressed", "held",
                   "digested")
ANY_OBJ = {"type": "object"}
TAGS = {"type": "object", "additionalProperties": {
    "type": ["string", "number", "boolean", "null"]}}
SOURCE = obj([], {"code": NULL_STR, "cell_hash": NULL_STR, "execution_count": NULL_INT,
                   "notebook_path": NULL_STR})
ITERATION_QUERY = [
    query("project_id", ID), query("experiment_id", ID),
    query("project", STR, "project name (alternative to project_id)"),
    query("experiment", STR, "experiment name (alternative to experiment_id)"),
    query("status", {"type": "array", "items": STATUS}, explode=True),
    query("q", STR, "name contains (case-insensitive)"),
    query("include_deleted", {"type": "boolean"}), query("deleted_only", {"type": "boolean"}),
    query("filter", {"type": "array", "items": STR},
          "`<field><op><value>`, e.g. `metrics.accuracy>=0.9`", explode=True),
    query("sort", {"type": "array", "items": STR},
          "`started_at`, `name`, `number`, `status`, `params.<key>`, `metrics.<key>`; "
          "`-` prefix: descending", explode=True),
    query("limit", {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}),
    query("cursor", STR, "opaque: `next_cursor` of the previous page"),
    query("id", {"type": "array", "items": ID}, "only these iterations", explode=True),
]
NAME_PARAM = path("name", {"type": "string", "minLength": 1})
REPORT_QUERY = [
    query("window", STR, "window length: `15min`, `1h`, `1d` or minutes (default 1h)"),
    query("since", STR, "a duration ago (`24h`, the default), an ISO time, epoch seconds "
          "or `all`"),
    query("until", STR, "same forms as since; default: now"),
    query("version", ID, "default: the production version"),
]


RULE_PROPS: dict[str, Any] = {
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
    "hysteresis": {"type": "number", "minimum": 0},
    "notebook": {**NULL_STR, "description": (
        "a retraining notebook run when the rule fires: a Jupyter contents path (relative "
        "to the server's root_dir) of an existing .ipynb file, without '..', not leaving "
        "the root through a symlink, not in the artifact store; saving a rule with one, "
        "or changing its notebook or parameters, needs the Authorizer's 'execute' "
        "permission on 'kernels' (else 403 forbidden)")},
    "parameters": ANY_OBJ, "enabled": {"type": "boolean"},
}
SCHEMAS.update({
    "AlertRuleDefinition": obj(["name", "trigger"], RULE_PROPS, extra=False),
    "AlertRuleChanges": obj([], {**RULE_PROPS, "since": {"type": ["string", "number"]}},
                            extra=False),
    "AlertRule": obj(["id", "name", "trigger", "enabled"], {
        "id": ID, "name": STR, "trigger": STR, "scope_kind": STR, "project": NULL_STR,
        "experiment": NULL_STR, "model": NULL_STR, "condition": ANY_OBJ, "channel": STR,
        "recipients": {"type": "array", "items": STR}, "webhook_url": NULL_STR,
        "cooldown_seconds": {"type": "number"}, "digest": {"type": "boolean"},
        "notebook": NULL_STR, "parameters": ANY_OBJ, "enabled": {"type": "boolean"},
        "created_at": TIME, "updated_at": TIME}),
    "AlertEvent": obj(["id", "rule_id", "kind", "status"], {
        "id": ID, "rule_id": ID, "rule_name": STR, "kind": STR, "subject": STR,
        "fired_at": TIME, "payload": ANY_OBJ, "status": {"type": "string",
                                                           "enum": list(EVENT_STATUSES)},
        "attempts": {"type": "integer"}, "next_attempt_at": {"type": ["string", "null"]},
        "sent_at": {"type": ["string", "null"]}, "last_error": NULL_STR,
        "run_outcome": {"type": ["object", "null"]}}),
    "Backtest": obj(["rule", "would_fire"], {
        "rule": STR, "since": {"type": "number"}, "would_fire": {"type": "integer"},
        "first": {"type": ["number", "null"]}, "last": {"type": ["number", "null"]}}),
})
