"""Registry routes: upload, inspect, stages, rollback, aliases, history, safety."""

from __future__ import annotations

import asyncio
import hashlib
import json
import pickle
import uuid
from pathlib import Path

import pytest
from jupyter_server.auth import IdentityProvider, User


class Boom:
    """Unpickling this object creates a marker file: proof that code ran."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def multipart(data: bytes, filename: str, description: str | None = None
              ) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
             f"filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
             .encode() + data + b"\r\n"]
    if description is not None:
        parts.append(f"--{boundary}\r\nContent-Disposition: form-data; "
                     f"name=\"description\"\r\n\r\n{description}\r\n".encode())
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), boundary


@pytest.fixture
def jp_server_config(jp_server_config):
    app = {**jp_server_config["MlopsExtensionApp"], "max_upload_bytes": 200_000}
    return {**jp_server_config, "MlopsExtensionApp": app}


@pytest.fixture
def upload(jp_fetch):
    async def call(name, data=b"\x80\x04K\x01.", filename="model.pkl", description=None,
                   **kwargs):
        body, boundary = multipart(data, filename, description)
        response = await jp_fetch(
            "mlops", "api", "models", name, "versions", method="POST", body=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
            raise_error=False, **kwargs)
        return response.code, json.loads(response.body) if response.body else None

    return call


async def test_a_malicious_pickle_is_never_unpickled_by_the_api(api, upload, tmp_path):
    marker = tmp_path / "PWNED"
    evil = pickle.dumps(Boom(str(marker)))
    # Uploaded, listed, inspected and promoted through the API
    code, mv = await upload("evil", evil, "evil.pkl", description="do not trust")
    assert code == 201, mv
    assert (mv["version"], mv["format"], mv["source"], mv["stage"]) == (1, "pickle", "upload",
                                                                        "none")
    assert mv["filename"] == "evil.pkl" and mv["description"] == "do not trust"
    assert mv["size"] == len(evil) and len(mv["sha256"]) == 64
    assert (await api("GET", "models"))[1]["models"][0]["name"] == "evil"
    code, model = await api("GET", "models/evil")
    assert code == 200 and [v["version"] for v in model["versions"]] == [1]
    assert (await api("GET", "models/evil/versions/1"))[0] == 200
    code, promoted = await api("POST", "models/evil/versions/1/stage", {"stage": "production"})
    assert code == 200 and promoted["stage"] == "production"
    # Then the marker never appeared
    assert not marker.exists()
    # And serving it is refused without trust
    code, err = await api("POST", "models/evil/predict", {"inputs": {"a": 1}})
    assert code == 403 and err["reason"] == "untrusted" and not marker.exists()


async def test_stages_rollback_history_and_the_actor(api, upload):
    for i in range(3):
        assert (await upload("churn", bytes([i]) * 10))[0] == 201
    for v in (1, 2, 3):
        code, mv = await api("POST", f"models/churn/versions/{v}/stage",
                             {"stage": "production", "comment": f"ship {v}"})
        assert code == 200 and mv["stage"] == "production"
    code, err = await api("POST", "models/churn/versions/3/stage", {"stage": "production"})
    assert code == 409 and err["reason"] == "conflict"
    # Rollback puts version 2 back
    code, mv = await api("POST", "models/churn/rollback", {"comment": "bad release"})
    assert code == 200 and mv["version"] == 2 and mv["stage"] == "production"
    _, model = await api("GET", "models/churn")
    assert model["production_version"] == 2
    assert [v["stage"] for v in model["versions"]] == ["archived", "production", "archived"]
    # History oldest first, with the Jupyter user as actor
    code, history = await api("GET", "models/churn/history")
    steps = [(t["version"], t["from_stage"], t["to_stage"]) for t in history["transitions"]]
    assert steps == [(1, "none", "production"), (1, "production", "archived"),
                     (2, "none", "production"), (2, "production", "archived"),
                     (3, "none", "production"), (3, "production", "archived"),
                     (2, "archived", "production")]
    assert history["transitions"][-1]["comment"] == "bad release"
    ids = [t["id"] for t in history["transitions"]]
    assert ids == sorted(ids)
    assert all(t["actor"] for t in history["transitions"])
    # Nothing earlier to roll back to on a fresh model
    await upload("fresh")
    code, err = await api("POST", "models/fresh/rollback")
    assert code == 409


async def test_one_token_is_one_actor_in_the_audit_log(api, upload, jp_serverapp):
    # Given five writes with the same token and no login cookie (an API client)
    assert (await upload("m"))[0] == 201
    assert (await upload("m", b"other"))[0] == 201
    for version in (1, 2):
        code, _ = await api("POST", f"models/m/versions/{version}/stage",
                            {"stage": "production"})
        assert code == 200
    assert (await api("POST", "models/m/rollback"))[0] == 200
    # Then the audit log and created_by name one actor, derived from the token
    _, history = await api("GET", "models/m/history")
    _, model = await api("GET", "models/m")
    actors = {t["actor"] for t in history["transitions"]}
    actors |= {v["created_by"] for v in model["versions"]}
    token = jp_serverapp.identity_provider.token
    assert actors == {"token:" + hashlib.sha256(token.encode()).hexdigest()[:12]}
    assert token not in str(history) + str(model)


class AdaIdentity(IdentityProvider):
    """Every authenticated request is the Jupyter user "ada"."""

    async def get_user(self, handler):
        user = await super().get_user(handler)
        return None if user is None else User(username="ada", name="Ada")


class TestActor:
    @pytest.fixture
    def jp_server_config(self, jp_server_config):
        return {**jp_server_config,
                "ServerApp": {**jp_server_config["ServerApp"],
                              "identity_provider_class": AdaIdentity}}

    async def test_the_actor_of_a_stage_change_is_the_jupyter_user(self, api, upload):
        await upload("m")
        await upload("m", b"other")
        await api("POST", "models/m/versions/1/stage", {"stage": "production"})
        await api("POST", "models/m/versions/2/stage", {"stage": "production"})
        await api("POST", "models/m/rollback")
        _, history = await api("GET", "models/m/history")
        assert {t["actor"] for t in history["transitions"]} == {"ada"}
        _, mv = await api("GET", "models/m/versions/1")
        assert mv["created_by"] == "ada"


async def test_concurrent_promotions_leave_one_production_version(api, upload):
    for i in range(6):
        await upload("race", bytes([i]) * 4)
    results = await asyncio.gather(*[
        api("POST", f"models/race/versions/{v}/stage", {"stage": "production"})
        for v in range(1, 7)])
    assert all(code in (200, 409) for code, _ in results), results
    _, model = await api("GET", "models/race")
    assert [v["stage"] for v in model["versions"]].count("production") == 1
    assert model["production_version"] is not None


async def test_aliases_move_and_are_deleted(api, upload):
    await upload("m", b"a")
    await upload("m", b"b")
    code, mv = await api("PUT", "models/m/aliases/champion", {"version": 1})
    assert code == 200 and mv["aliases"] == ["champion"]
    code, mv = await api("PUT", "models/m/aliases/champion", {"version": 2})
    assert code == 200 and mv["aliases"] == ["champion"]
    _, model = await api("GET", "models/m")
    assert model["aliases"] == {"champion": 2}
    assert [v["aliases"] for v in model["versions"]] == [[], ["champion"]]
    assert (await api("DELETE", "models/m/aliases/champion"))[0] == 204
    assert (await api("DELETE", "models/m/aliases/champion"))[0] == 404
    for bad in ("production", "12"):
        code, err = await api("PUT", f"models/m/aliases/{bad}", {"version": 1})
        assert code == 400 and err["field"] == "alias"
    assert (await api("PUT", "models/m/aliases/x", {"version": 9}))[0] == 404


async def test_an_upload_above_the_limit_is_413_and_stores_nothing(upload, api, artifact_root):
    code, err = await upload("big", b"x" * 300_000)
    assert code == 413 and err["reason"] == "too_large" and err["field"] == "file"
    assert (await api("GET", "models"))[1] == {"models": []}
    stored = artifact_root / "models" / "sha256"
    assert not stored.exists() or not any(stored.rglob("*"))
    # Just under the limit is fine
    assert (await upload("big", b"x" * 150_000))[0] == 201


@pytest.mark.parametrize("name", ["..%2F..%2Fetc", "%2e%2e", "%2Fetc%2Fpasswd", "a%00b",
                                  ".hidden", "a%5Cb", "%252e%252e"])
async def test_traversal_model_names_are_refused(upload, api, name, tmp_path, artifact_root):
    code, err = await upload(name)
    assert 400 <= code < 500, err
    code, _ = await api("GET", f"models/{name}")
    assert 400 <= code < 500
    assert (await api("GET", "models"))[1] == {"models": []}
    # nothing outside the artifact root (and nothing inside either)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "artifacts" in p.parts]
    assert written == []
    assert not (tmp_path.parent / "etc").exists()


@pytest.mark.parametrize("filename", ["../evil.pkl", "..\\evil.pkl", "/etc/cron.d/x.pkl",
                                      "a\x00.pkl", ".pkl", "model.exe", ""])
async def test_unsafe_file_names_are_refused(upload, api, filename, artifact_root):
    code, err = await upload("ok", filename=filename)
    assert code == 400 and err["field"] == "file", err
    assert (await api("GET", "models"))[1] == {"models": []}
    assert not artifact_root.exists() or not any(
        p.is_file() for p in artifact_root.rglob("*"))


async def test_traversal_aliases_are_refused(api, upload):
    await upload("m")
    for alias in ("..%2Fx", "%2e%2e", "a%00b", ".x"):
        code, err = await api("PUT", f"models/m/aliases/{alias}", {"version": 1})
        assert code == 400, (alias, err)


async def test_bad_requests(api, upload, jp_fetch):
    await upload("m")
    code, err = await api("POST", "models/m/versions/1/stage", {"stage": "prod"})
    assert code == 400 and err["field"] == "stage"
    assert (await api("GET", "models/m/versions/7"))[0] == 404
    assert (await api("GET", "models/nope"))[0] == 404
    response = await jp_fetch("mlops", "api", "models", "m", "versions", method="POST",
                              body=b"{}", raise_error=False)
    assert response.code == 400 and json.loads(response.body)["field"] == "file"
