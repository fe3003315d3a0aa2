"""Trust of the predict route binds to what was reviewed, not to a model's name."""

from __future__ import annotations

import hashlib
import json
import pickle

import pytest

from tests.server.test_registry_routes import multipart


@pytest.fixture
def model_bytes(wine):
    model, _, _ = wine
    return pickle.dumps(model)


@pytest.fixture(params=["name", "name+sha256"])
def trusted(request, model_bytes):
    entries = ["m"]
    if request.param == "name+sha256":
        entries.append("sha256:" + hashlib.sha256(model_bytes).hexdigest())
    return entries


@pytest.fixture
def jp_server_config(jp_server_config, trusted):
    app = {**jp_server_config["MlopsExtensionApp"], "trusted_models": trusted}
    return {**jp_server_config, "MlopsExtensionApp": app}


async def test_an_upload_under_a_trusted_name_needs_its_own_entry(jp_fetch, api, model_bytes,
                                                                 wine, trusted):
    _, X, _ = wine
    # Given an API client uploads a pickle under the trusted name and promotes it
    body, boundary = multipart(model_bytes, "model.pkl")
    response = await jp_fetch("mlops", "api", "models", "m", "versions", method="POST",
                              body=body, raise_error=False,
                              headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert response.code == 201, response.body
    assert json.loads(response.body)["source"] == "upload"
    code, _ = await api("POST", "models/m/versions/1/stage", {"stage": "production"})
    assert code == 200
    # When it is asked to predict
    row = {k: float(v) for k, v in X.iloc[0].items()}
    code, answer = await api("POST", "models/m/predict", {"inputs": row})
    if trusted == ["m"]:
        # Then the name alone does not make the server unpickle an upload
        assert code == 403 and answer["reason"] == "untrusted"
        assert "trusted by name" in answer["message"] and "uploaded" in answer["message"]
    else:
        # Then its SHA-256 does
        assert code == 200, answer
        assert answer["predictions"] == wine[0].predict(X.iloc[:1]).tolist()
