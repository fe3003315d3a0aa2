"""Retraining notebooks of alert rules: only the server's own notebooks, only for those
who may run kernels, checked when a rule is saved and again when it fires."""

from __future__ import annotations

import json
import os

import nbformat
import pytest
from jupyter_server.auth import Authorizer

from mlops_jupyter.alerts.rules import rule_fields
from mlops_jupyter.registry.artifacts import ArtifactStore
from tests.alerts.conftest import SmtpServer, smtp_port  # noqa: F401 - fixtures
from tests.server.test_registry_routes import multipart

RULE = {"name": "retrain", "trigger": "iteration_logged", "project": "wine",
        "recipients": ["ops@example.org"], "cooldown": 0}


def marker_notebook(marker) -> bytes:
    """A notebook whose only effect is to create ``marker``: proof that it ran."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"open({str(marker)!r}, 'w').write('ran')")]
    return nbformat.writes(nb).encode()


@pytest.fixture
def jp_server_config(jp_server_config):
    app = {**jp_server_config["MlopsExtensionApp"], "alerts_interval": 0.0}
    return {**jp_server_config, "MlopsExtensionApp": app}


@pytest.fixture
def core(jp_serverapp):
    core = jp_serverapp.web_app.settings["mlops_core"]
    core.alert_deliverer().paused = True  # the tests deliver with POST alerts/deliver
    return core


@pytest.fixture
def upload(jp_fetch):
    async def call(name, data, filename):
        body, boundary = multipart(data, filename)
        response = await jp_fetch(
            "mlops", "api", "models", name, "versions", method="POST", body=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            raise_error=False)
        return response.code, json.loads(response.body)
    return call


async def end_an_iteration(api, client):
    exp = client.experiment("wine", "scaling")
    code, it = await api("POST", "iterations", {"experiment_id": exp.id, "name": "degraded"})
    assert code == 201
    code, _ = await api("PATCH", f"iterations/{it['id']}", {"status": "finished"})
    assert code == 200


@pytest.fixture
def client(sqlite_url, artifact_root):
    import mlops_jupyter as mj

    c = mj.Client(sqlite_url, artifact_root=str(artifact_root))
    c.alert_deliverer().paused = True
    yield c
    c.close()


async def test_an_uploaded_notebook_cannot_become_a_retraining_run(
        api, upload, core, client, artifact_root, tmp_path):
    marker = tmp_path / "RAN"
    # Given a "model" whose bytes are a notebook, uploaded through the API
    code, mv = await upload("innocent", marker_notebook(marker), "model.pkl")
    assert code == 201
    stored = ArtifactStore(artifact_root).path_for(mv["sha256"])
    assert stored.is_file()
    # When a rule is asked to run it, by its stored path or a path climbing out
    refused = []
    for path in (str(stored), f"../artifacts/models/sha256/{mv['sha256'][:2]}/{mv['sha256']}",
                 str(stored) + ".ipynb"):
        code, err = await api("POST", "alerts/rules", {**RULE, "notebook": path})
        refused.append((code, err["reason"], err.get("field")))
    # Then every rule is refused with a reason, and none is stored
    assert refused == [(400, "invalid_input", "notebook")] * 3
    assert (await api("GET", "alerts/rules"))[1]["rules"] == []
    # And ending an iteration and delivering runs nothing
    await end_an_iteration(api, client)
    code, done = await api("POST", "alerts/deliver")
    assert code == 200 and done["delivered"] == {}
    assert not marker.exists()


async def test_a_rule_written_to_the_database_is_checked_when_it_fires(
        api, upload, core, client, artifact_root, tmp_path, monkeypatch):
    import mlops_jupyter as mj
    from mlops_jupyter.alerts.delivery import deliver_due

    marker = tmp_path / "RAN"
    code, mv = await upload("innocent", marker_notebook(marker), "model.pkl")
    stored = ArtifactStore(artifact_root).path_for(mv["sha256"])
    linked = tmp_path / "retrain.ipynb"  # a notebook name, but the artifact's bytes
    linked.symlink_to(stored)
    # Given rules written by the library straight to the database, around the checks
    # a server makes when a rule is saved: one through a symlink named like a notebook,
    # one stored before paths were checked at all (the artifact's own path)
    mj.alerts.add_rule("direct", **{k: v for k, v in RULE.items() if k != "name"},
                       notebook=str(linked), client=client)
    old = rule_fields(**{**RULE, "name": "old"})
    client.store.create_alert_rule({**old, "notebook": str(stored)})
    await end_an_iteration(api, client)
    # When the server delivers: outside its contents root, nothing runs
    code, done = await api("POST", "alerts/deliver")
    assert code == 200 and not marker.exists()
    _, events = await api("GET", "alerts/events")
    outcomes = [e["run_outcome"] for e in events["events"]]
    assert [o["status"] for o in outcomes] == ["refused", "refused"], outcomes
    reasons = sorted("outside the notebook root" if "outside the notebook root" in o["error"]
                     else "not a .ipynb file" if "not a .ipynb file" in o["error"]
                     else o["error"] for o in outcomes)
    assert reasons == ["not a .ipynb file", "outside the notebook root"]
    # And a notebook process whose root holds the artifact store refuses them too
    monkeypatch.setenv("MLOPS_JUPYTER_NOTEBOOK_ROOT", str(tmp_path))
    await end_an_iteration(api, client)
    deliver_due(client)
    assert not marker.exists()
    latest = [e.run_outcome for e in client.store.alert_events(limit=2)]
    assert [o["status"] for o in latest] == ["refused", "refused"]
    assert sorted("artifact store" if "artifact store" in o["error"] else o["error"][-17:]
                  for o in latest) == ["artifact store", "not a .ipynb file"], latest


class TestArtifactsInsideTheRoot:
    @pytest.fixture
    def artifact_root(self, jp_root_dir):
        return jp_root_dir / "artifacts"

    async def test_the_artifact_store_is_refused_even_inside_the_root(
            self, api, core, artifact_root, tmp_path):
        marker = tmp_path / "RAN"
        planted = artifact_root / "models" / "retrain.ipynb"
        planted.parent.mkdir(parents=True)
        planted.write_bytes(marker_notebook(marker))
        code, err = await api("POST", "alerts/rules",
                              {**RULE, "notebook": "artifacts/models/retrain.ipynb"})
        assert code == 400 and "artifact store" in err["message"]


async def test_a_notebook_of_the_contents_root_runs(api, core, client, jp_root_dir, tmp_path,
                                                    smtp_port):  # noqa: F811
    marker = tmp_path / "RAN"
    (jp_root_dir / "jobs").mkdir()
    (jp_root_dir / "jobs" / "retrain.ipynb").write_bytes(marker_notebook(marker))
    outside = tmp_path / "outside.ipynb"
    outside.write_bytes(marker_notebook(marker))
    os.symlink(outside, jp_root_dir / "jobs" / "escape.ipynb")
    # A hidden notebook is refused, as the contents manager hides it
    (jp_root_dir / ".jobs").mkdir()
    (jp_root_dir / ".jobs" / "retrain.ipynb").write_bytes(marker_notebook(marker))
    code, err = await api("POST", "alerts/rules", {**RULE, "notebook": ".jobs/retrain.ipynb"})
    assert code == 400 and "hidden" in err["message"]
    # A symlink out of the root is refused at creation
    code, err = await api("POST", "alerts/rules", {**RULE, "notebook": "jobs/escape.ipynb"})
    assert code == 400 and err["field"] == "notebook" and "outside" in err["message"]
    # A contents path is accepted (the leading "/" of an API path is ignored)
    code, rule = await api("POST", "alerts/rules", {**RULE, "notebook": "/jobs/retrain.ipynb"})
    assert code == 201 and rule["notebook"] == "jobs/retrain.ipynb"
    # Pointing it elsewhere through an update is checked the same way
    code, err = await api("PATCH", f"alerts/rules/{rule['id']}",
                          {"notebook": "jobs/../../outside.ipynb"})
    assert code == 400 and err["field"] == "notebook"
    server = SmtpServer(smtp_port)
    server.start()
    try:
        await end_an_iteration(api, client)
        code, done = await api("POST", "alerts/deliver")
        assert code == 200 and done["delivered"] == {"sent": 1}
    finally:
        server.stop()
    _, events = await api("GET", "alerts/events")
    assert events["events"][0]["run_outcome"]["status"] == "ok", events
    assert marker.read_text() == "ran"


class NoKernels(Authorizer):
    """Everything on mlops resources, but no kernel execution."""

    def is_authorized(self, handler, user, action, resource):
        return resource != "kernels"


class TestWithoutKernelRights:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        return {**jp_server_config, "ServerApp": {**jp_server_config["ServerApp"],
                                                  "authorizer_class": NoKernels}}

    async def test_a_caller_who_cannot_run_kernels_cannot_save_a_notebook_rule(
            self, api, core, jp_root_dir, tmp_path):
        (jp_root_dir / "retrain.ipynb").write_bytes(marker_notebook(tmp_path / "RAN"))
        code, err = await api("POST", "alerts/rules", {**RULE, "notebook": "retrain.ipynb"})
        assert code == 403 and err["reason"] == "forbidden" and "kernels" in err["message"]
        # The same rule without a notebook is theirs to save, but not to arm with one
        code, rule = await api("POST", "alerts/rules", RULE)
        assert code == 201
        code, err = await api("PATCH", f"alerts/rules/{rule['id']}",
                              {"notebook": "retrain.ipynb"})
        assert code == 403 and err["reason"] == "forbidden"

    async def test_they_may_switch_a_notebook_rule_but_not_change_what_it_runs(
            self, api, core, client, jp_root_dir, tmp_path):
        import mlops_jupyter as mj

        path = jp_root_dir / "retrain.ipynb"
        path.write_bytes(marker_notebook(tmp_path / "RAN"))
        rule = mj.alerts.add_rule("direct", **{k: v for k, v in RULE.items() if k != "name"},
                                  notebook=str(path), client=client)
        code, changed = await api("PATCH", f"alerts/rules/{rule.id}", {"enabled": False})
        assert code == 200 and not changed["enabled"]
        code, err = await api("PATCH", f"alerts/rules/{rule.id}",
                              {"parameters": {"threshold": 0.1}})
        assert code == 403 and err["reason"] == "forbidden"
