"""Every tracking route through jp_fetch: happy paths, pagination, filters, bad input."""

from __future__ import annotations

import pytest


async def make_experiment(api):
    _, project = await api("POST", "projects", {"name": "wine", "description": "red"})
    _, exp = await api("POST", "experiments", {"project_id": project["id"], "name": "scaling"})
    return exp


async def make_runs(api, experiment):
    """Five iterations: accuracy 0.1 .. 0.5, param C = 0..4, the third one failed."""
    ids = []
    for i in range(5):
        _, it = await api("POST", "iterations", {"experiment_id": experiment["id"],
                                                 "name": f"run {i}", "tags": {"team": "a"}})
        await api("POST", f"iterations/{it['id']}/params", {"params": {"C": i, "scaler": "minmax"}})
        await api("POST", "metrics", {"points": [[it["id"], "accuracy", (i + 1) / 10, 0, 1.7e9]]})
        ids.append(it["id"])
    await api("PATCH", f"iterations/{ids[2]}", {"status": "failed", "error": "boom"})
    return ids


async def test_projects_and_experiments(api):
    experiment = await make_experiment(api)
    # Given a project with one experiment
    code, data = await api("GET", "projects")
    assert code == 200
    [project] = data["projects"]
    assert project["name"] == "wine" and project["experiment_count"] == 1
    # When it is read by id
    code, one = await api("GET", f"projects/{project['id']}")
    # Then the answer matches the listing
    assert code == 200 and one == project
    code, data = await api("GET", "experiments", params={"project_id": project["id"]})
    assert [e["name"] for e in data["experiments"]] == ["scaling"]
    code, exp = await api("GET", f"experiments/{experiment['id']}")
    assert code == 200 and exp["project_name"] == "wine" and exp["iteration_count"] == 0


async def test_duplicate_project_is_409(api):
    await make_experiment(api)
    code, err = await api("POST", "projects", {"name": "wine"})
    assert code == 409 and err["reason"] == "already_exists" and "traceback" not in err


@pytest.mark.parametrize("path", ["projects/999", "experiments/999", "iterations/999",
                                  "iterations/99999999999", "iterations/999/metrics/acc"])
async def test_unknown_ids_are_404(api, path):
    code, err = await api("GET", path)
    assert code == 404 and err["reason"] == "not_found"


async def test_iteration_detail(api):
    experiment = await make_experiment(api)
    # Given an iteration with params, metrics, a dataset and its source
    _, it = await api("POST", "iterations", {
        "experiment_id": experiment["id"], "name": "first",
        "source": {"code": "fit()", "cell_hash": "abc", "execution_count": 3,
                   "notebook_path": "wine.ipynb"},
        "environment": {"python": "3.11"}, "git": {"commit": "deadbeef", "dirty": False}})
    iid = it["id"]
    assert (await api("POST", f"iterations/{iid}/params", {"params": {"lr": 0.1}}))[0] == 204
    code, ds = await api("POST", f"iterations/{iid}/datasets", {
        "uri": "s3://bucket/wine.csv", "name": "wine", "rows": 10, "columns": ["a", "b"],
        "kind": "url", "role": "train"})
    assert code == 201 and ds["role"] == "train"
    await api("POST", "metrics", {"points": [[iid, "loss", 1.0, 0, 1.7e9],
                                             [iid, "loss", "Infinity", 1, 1.7e9 + 1]]})
    # When it is read
    code, d = await api("GET", f"iterations/{iid}")
    # Then every part is there, non-finite values as strings
    assert code == 200
    assert d["source"]["notebook_path"] == "wine.ipynb" and d["git"]["commit"] == "deadbeef"
    assert d["params"] == {"lr": 0.1}
    assert d["params_typed"] == [{"key": "lr", "value": 0.1, "value_type": "float"}]
    assert d["latest_metrics"][0]["value"] == "Infinity" and d["metrics"] == {"loss": "Infinity"}
    assert d["datasets"][0]["columns"] == ["a", "b"] and d["environment"] == {"python": "3.11"}


async def test_rename_tags_end_delete_restore(api):
    experiment = await make_experiment(api)
    runs = await make_runs(api, experiment)
    iid = runs[0]
    code, d = await api("PATCH", f"iterations/{iid}", {"name": "renamed",
                                                       "tags": {"team": None, "best": "yes"}})
    assert code == 200 and d["name"] == "renamed" and d["tags"] == {"best": "yes"}
    code, d = await api("PATCH", f"iterations/{iid}", {"status": "finished"})
    assert d["status"] == "finished" and d["ended_at"] is not None
    assert (await api("DELETE", f"iterations/{iid}"))[0] == 204
    _, page = await api("GET", "iterations")
    assert iid not in [r["id"] for r in page["iterations"]] and page["total"] == 4
    _, page = await api("GET", "iterations", params={"deleted_only": "true"})
    assert [r["id"] for r in page["iterations"]] == [iid]
    code, d = await api("POST", f"iterations/{iid}/restore")
    assert code == 200 and d["deleted"] is False


async def test_pagination_walks_every_row_once(api):
    experiment = await make_experiment(api)
    await make_runs(api, experiment)
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": "2", "sort": "name"}
        if cursor:
            params["cursor"] = cursor
        code, page = await api("GET", "iterations", params=params)
        assert code == 200 and page["total"] == 5
        seen += [r["name"] for r in page["iterations"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"run {i}" for i in range(5)] and pages == 3


async def test_limit_edges(api):
    experiment = await make_experiment(api)
    await make_runs(api, experiment)
    _, page = await api("GET", "iterations", params={"limit": "5"})
    assert len(page["iterations"]) == 5 and page["next_cursor"] is None
    for bad in ("0", "501", "x"):
        code, err = await api("GET", "iterations", params={"limit": bad})
        assert code == 400 and err["field"] == "limit"
    code, err = await api("GET", "iterations", params={"cursor": "garbage!"})
    assert code == 400 and err["field"] == "cursor"


async def test_sort_by_metric_and_param(api):
    experiment = await make_experiment(api)
    await make_runs(api, experiment)
    _, page = await api("GET", "iterations", params={"sort": "-metrics.accuracy"})
    assert [r["metrics"]["accuracy"] for r in page["iterations"]] == [0.5, 0.4, 0.3, 0.2, 0.1]
    _, page = await api("GET", "iterations", params={"sort": "params.C"})
    assert [r["params"]["C"] for r in page["iterations"]] == [0, 1, 2, 3, 4]
    assert page["param_keys"] == ["C", "scaler"] and page["metric_keys"] == ["accuracy"]


async def test_filters(api):
    experiment = await make_experiment(api)
    await make_runs(api, experiment)
    async def names(**params):
        code, page = await api("GET", "iterations", params=params)
        assert code == 200, page
        return sorted(r["name"] for r in page["iterations"])

    assert await names(filter="metrics.accuracy>=0.4") == ["run 3", "run 4"]
    assert await names(filter="params.C<2") == ["run 0", "run 1"]
    assert await names(status="failed") == ["run 2"]
    assert await names(q="RUN 1") == ["run 1"]
    code, err = await api("GET", "iterations", params={"filter": "metrics.accuracy>=high"})
    assert code == 400 and err["field"] == "filter"
    code, err = await api("GET", "iterations", params={"status": "sleeping"})
    assert code == 400 and err["field"] == "status"


async def test_metric_history_is_downsampled_keeping_extremes(api):
    experiment = await make_experiment(api)
    _, it = await api("POST", "iterations", {"experiment_id": experiment["id"]})
    points = [[it["id"], "loss", float(i % 97), i, 1.7e9 + i] for i in range(3000)]
    points[1234][2] = -50.0
    assert (await api("POST", "metrics", {"points": points}))[1] == {"accepted": 3000}
    code, h = await api("GET", f"iterations/{it['id']}/metrics/loss",
                        params={"max_points": "100"})
    assert code == 200 and h["downsampled"] and h["total"] == 3000
    assert len(h["points"]) <= 100
    assert -50.0 in [p["value"] for p in h["points"]]
    steps = [p["step"] for p in h["points"]]
    assert steps == sorted(steps) and steps[0] == 0 and steps[-1] == 2999


@pytest.mark.parametrize("path, body, field", [
    ("projects", {"name": ""}, "project"),
    ("projects", {}, "name"),
    ("experiments", {"project_id": "1", "name": "x"}, "project_id"),
    ("iterations", {"experiment_id": 1, "environment": [1]}, "environment"),
    ("metrics", {"points": [[1, "acc", "high", 0, 1.7e9]]}, "points"),
    ("metrics", {"points": [[1, "acc", 1.0]]}, "points"),
    ("metrics", {"points": "many"}, "points"),
    ("heartbeats", {"iteration_ids": ["a"]}, "iteration_ids"),
    ("projects", {"name": "a\u0000b"}, "name"),
])
async def test_bad_input_is_400_naming_the_field(api, path, body, field):
    await make_experiment(api)
    code, err = await api("POST", path, body)
    assert code == 400, err
    assert err["reason"] == "invalid_input" and err["field"] == field


async def test_body_must_be_a_json_object(api, jp_fetch):
    response = await jp_fetch("mlops", "api", "projects", method="POST", body=b"[1, 2",
                              raise_error=False)
    assert response.code == 400 and b'"field":"body"' in response.body.replace(b" ", b"")


async def test_param_conflict_is_409(api):
    experiment = await make_experiment(api)
    runs = await make_runs(api, experiment)
    code, err = await api("POST", f"iterations/{runs[0]}/params", {"params": {"C": 99}})
    assert code == 409 and err["reason"] == "conflict"


async def test_metrics_for_a_missing_iteration_are_404(api):
    experiment = await make_experiment(api)
    await make_runs(api, experiment)
    code, err = await api("POST", "metrics", {"points": [[4242, "acc", 1.0, 0, 1.7e9]]})
    assert code == 404 and err["reason"] == "not_found"


async def test_heartbeats(api):
    experiment = await make_experiment(api)
    runs = await make_runs(api, experiment)
    assert (await api("POST", "heartbeats", {"iteration_ids": runs}))[0] == 204
