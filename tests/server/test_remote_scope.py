"""What a server tracking URI offers, and a clear error for what it does not."""

from __future__ import annotations

import pytest

import mlops_jupyter as mj
from mlops_jupyter import alerts


def test_what_a_server_uri_does_not_offer_says_how_to_reach_it(remote_tracking_uri, wine):
    model = wine[0]
    client = mj.Client(remote_tracking_uri)
    try:
        it = client.start_iteration("p", "e")
        with pytest.raises(mj.InvalidInput) as err:  # uploading with lineage
            client.log_model(it.id, model, "m")
        assert "server tracking URI" in str(err.value) and "mlops/api" in str(err.value)
        with pytest.raises(mj.InvalidInput, match="server tracking URI"):
            alerts.add_rule("r", trigger="iteration_logged", client=client,
                            to=["a@example.org"])
        it.end()  # iteration rules are the server's to evaluate: no error here
    finally:
        client.close()


def test_registry_stages_aliases_and_history_through_a_server(remote_tracking_uri,
                                                              live_server, wine, tmp_path):
    model, X, _ = wine
    local = mj.Client(live_server.db_url, artifact_root=str(tmp_path / "artifacts"))
    with local.start_iteration("wine", "reg", "fit", capture_environment=False) as it:
        it.log_model(model, "wine")
        it.log_model(model, "wine")
    remote = mj.Client(remote_tracking_uri)
    try:
        assert [m.name for m in remote.models()] == ["wine"]
        assert [v.version for v in remote.model_versions("wine")] == [1, 2]
        remote.promote("wine", 1, comment="first")
        v2 = remote.promote("wine", 2)
        assert v2.stage == "production"
        assert remote.get_model_version("wine", version=1).stage == "archived"  # exclusive
        assert remote.get_model_version("wine", stage="production").version == 2
        with pytest.raises(mj.Conflict):
            remote.promote("wine", 2)  # already there
        assert remote.rollback("wine", comment="bad").version == 1
        remote.set_alias("wine", "champion", 1)
        assert remote.get_model_version("wine", alias="champion").version == 1
        remote.delete_alias("wine", "champion")
        with pytest.raises(mj.NotFound):
            remote.get_model_version("wine", alias="champion")
        history = remote.model_history("wine")
        assert [(t.version, t.to_stage) for t in history] == [
            (1, "production"), (1, "archived"), (2, "production"), (2, "archived"),
            (1, "production")]
        assert history[0].comment == "first" and history[-1].comment == "bad"
        # the same as the database says
        assert local.model_history("wine") == history
    finally:
        remote.close()
        local.close()


def test_a_model_is_loaded_through_a_server_after_its_hash_is_checked(
        remote_tracking_uri, live_server, wine, tmp_path):
    model, X, _ = wine
    server_artifacts = live_server.workdir / "home" / "artifacts"
    local = mj.Client(live_server.db_url, artifact_root=str(server_artifacts))
    with local.start_iteration("wine", "reg", "fit", capture_environment=False) as it:
        mv = it.log_model(model, "wine")
    local.promote("wine", mv.version)
    local.close()
    remote = mj.Client(remote_tracking_uri, artifact_root=str(tmp_path / "cache"))
    try:
        with pytest.raises(mj.Untrusted):  # a joblib file: trust is still the client's
            remote.load_model("wine")
        loaded = remote.load_model("wine", trusted=True)
        assert loaded.predict(X[:5]).tolist() == model.predict(X[:5]).tolist()
        # kept in the local content-addressed store: the next load needs no download
        assert (tmp_path / "cache" / "models" / "sha256" / mv.sha256[:2] / mv.sha256).exists()
        # bytes that do not match the registered hash are never unpickled
        stored = server_artifacts / "models" / "sha256" / mv.sha256[:2] / mv.sha256
        original = stored.read_bytes()
        stored.write_bytes(original + b"tampered")
        other = mj.Client(remote_tracking_uri, artifact_root=str(tmp_path / "other"))
        try:
            with pytest.raises(mj.StorageError, match="does not match"):
                other.load_model("wine", trusted=True)
        finally:
            other.close()
            stored.write_bytes(original)  # the server's store is shared by the session
    finally:
        remote.close()
