"""The OpenAPI document stays true: schemathesis fuzzes a live server with it."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from mlops_jupyter.server.openapi import document
from mlops_jupyter.store.rest_store import RestStore

schema = schemathesis.openapi.from_dict(document("/"))
CHECKS = [checks.not_a_server_error, checks.status_code_conformance,
          checks.content_type_conformance, checks.response_schema_conformance]


@pytest.fixture(scope="module")
def seeded_server(live_server):
    """The live server with ids 1 existing, so fuzzed ids hit real rows too."""
    live_server.reset()
    store = RestStore(live_server.url, token=live_server.token)
    project = store.create_project("fuzz")
    exp = store.create_experiment(project.id, "fuzz")
    it = store.create_iteration(exp.id, "fuzz", tags={"t": "1"})
    store.log_params(it.id, {"C": 1.0})
    store.log_metrics([(it.id, "acc", 0.5, 0, 1.7e9), (it.id, "acc", float("nan"), 1, 1.7e9)])
    store.close()
    return live_server


def test_the_document_is_served_with_servers_under_the_base_url(seeded_server):
    served = seeded_server.get("openapi.json")
    assert served["openapi"] == "3.1.0" and served["servers"] == [{"url": "/mlops/api"}]
    assert served["paths"] == document("/")["paths"]


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_conforms_to_its_document(case, seeded_server):
    case.call_and_validate(base_url=f"{seeded_server.url}mlops/api",
                           headers={"Authorization": f"token {seeded_server.token}"},
                           checks=CHECKS, timeout=20)
