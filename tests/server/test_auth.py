"""Every route and method is authenticated and authorized."""

from __future__ import annotations

import json

import pytest
from jupyter_server.auth import Authorizer

from mlops_jupyter.server.openapi import PATHS

SAMPLE_PATH_VALUES = {"{iteration_id}": "1", "{project_id}": "1", "{experiment_id}": "1",
                      "{key}": "acc", "{name}": "churn", "{version}": "1",
                      "{alias}": "champion", "{rule_id}": "1"}


def all_routes():
    routes = [("GET", "openapi.json"), ("GET", "no/such/route"), ("POST", "no/such/route")]
    for template, methods in PATHS.items():
        path = template.lstrip("/")
        for placeholder, value in SAMPLE_PATH_VALUES.items():
            path = path.replace(placeholder, value)
        routes += [(method.upper(), path) for method in methods]
    return routes


ROUTES = all_routes()


def test_every_handler_is_documented(jp_serverapp):
    # Given the extension's route table
    [app] = jp_serverapp.extension_manager.extension_apps["mlops_jupyter"]
    handled = {h[0].split("mlops/api/", 1)[1] for h in app.handlers if "mlops/api/" in h[0]}
    # Then each route is in the OpenAPI paths (or is the document or the JSON 404)
    assert len(handled) == len(PATHS) + 2
    # And the only other route is the Prometheus endpoint
    assert [h[0] for h in app.handlers if "mlops/api/" not in h[0]] == ["mlops/metrics"]


async def request(jp_fetch, method, path, authorization):
    kwargs = {"method": method, "raise_error": False,
              "headers": {"Authorization": authorization}}
    if method in ("POST", "PATCH", "PUT"):
        kwargs["body"] = json.dumps({})
    if path == METRICS:
        return await jp_fetch(*path.split("/"), **kwargs)
    return await jp_fetch("mlops", "api", *path.split("/"), **kwargs)


METRICS = "mlops/metrics"  # outside the API prefix


@pytest.mark.parametrize("authorization", ["", "token not-the-token"],
                         ids=["no-token", "wrong-token"])
async def test_every_route_refuses_unauthenticated_requests(jp_fetch, authorization):
    refused = []
    for method, path in [*ROUTES, ("GET", METRICS)]:
        response = await request(jp_fetch, method, path, authorization)
        body = json.loads(response.body)
        assert "not-the-token" not in response.body.decode()
        assert set(body) >= {"message", "reason"}
        refused.append((method, path, response.code))
    assert all(code == 403 for _, _, code in refused), refused


class ReadOnlyAuthorizer(Authorizer):
    """Lets everyone read the mlops resources and no one write them."""

    checked: list[tuple[str, str]] = []

    def is_authorized(self, handler, user, action, resource):
        self.checked.append((action, resource))
        return action == "read"


@pytest.fixture
def jp_server_config(jp_server_config):
    return {**jp_server_config,
            "ServerApp": {**jp_server_config["ServerApp"],
                          "authorizer_class": ReadOnlyAuthorizer}}


async def test_a_read_only_user_can_read_but_not_write(jp_fetch):
    ReadOnlyAuthorizer.checked.clear()
    # Given a user the authorizer only lets read
    ok = await jp_fetch("mlops", "api", "projects")
    assert ok.code == 200
    # When they try every writing method
    writes = [(m, p) for m, p in ROUTES if m != "GET"]
    for method, path in writes:
        response = await jp_fetch("mlops", "api", *path.split("/"), method=method,
                                  raise_error=False, body=None if method == "DELETE" else "{}")
        # Then each is refused before anything is written
        assert response.code == 403, (method, path)
    projects = json.loads((await jp_fetch("mlops", "api", "projects")).body)["projects"]
    assert projects == []
    # And the resource checked is the mlops one, with the action matching the method
    assert ("write", "mlops:tracking") in ReadOnlyAuthorizer.checked
    assert ("read", "mlops:tracking") in ReadOnlyAuthorizer.checked


async def test_registry_and_monitoring_use_their_own_resources(jp_fetch):
    ReadOnlyAuthorizer.checked.clear()
    for path in ("models", "monitoring/models"):
        await jp_fetch("mlops", "api", *path.split("/"), raise_error=False)
    await jp_fetch("mlops", "api", "models", "churn", "predict", method="POST", body="{}",
                   raise_error=False)
    await jp_fetch("mlops", "metrics", raise_error=False)
    assert ReadOnlyAuthorizer.checked == [("read", "mlops:registry"),
                                          ("read", "mlops:monitoring"),
                                          ("write", "mlops:monitoring"),
                                          ("read", "mlops:monitoring")]


@pytest.mark.parametrize("method, path", [(m, p) for m, p in ROUTES
                                          if p.startswith("alerts")])
async def test_each_alert_route_checks_its_resource(jp_fetch, method, path):
    ReadOnlyAuthorizer.checked.clear()
    kwargs = {"method": method, "raise_error": False}
    if method in ("POST", "PUT", "PATCH"):
        kwargs["body"] = "{}"
    await jp_fetch("mlops", "api", *path.split("/"), **kwargs)
    action = "read" if method == "GET" else "write"
    assert ReadOnlyAuthorizer.checked == [(action, "mlops:alerts")]


@pytest.mark.parametrize("method, path", [(m, p) for m, p in ROUTES
                                          if p.startswith(("models", "monitoring"))])
async def test_each_registry_and_monitoring_route_checks_its_resource(jp_fetch, method, path):
    ReadOnlyAuthorizer.checked.clear()
    kwargs = {"method": method, "raise_error": False}
    if method in ("POST", "PUT"):
        kwargs["body"] = "{}"
    await jp_fetch("mlops", "api", *path.split("/"), **kwargs)
    expected = "mlops:monitoring" if path.startswith("monitoring") or path.endswith(
        "predict") else "mlops:registry"
    action = "read" if method == "GET" else "write"
    assert (action, expected) in ReadOnlyAuthorizer.checked
    assert {r for _, r in ReadOnlyAuthorizer.checked} == {expected}

