"""The predict route with batch_predictions off: one model call per request."""

from __future__ import annotations

import asyncio

import pytest


@pytest.fixture
def jp_server_config(jp_server_config):
    app = {**jp_server_config["MlopsExtensionApp"], "trusted_models": ["wine"],
           "batch_predictions": False}
    return {**jp_server_config, "MlopsExtensionApp": app}


async def test_each_request_is_its_own_model_call(api, wine, sqlite_url, artifact_root,
                                                  jp_serverapp):
    import mlops_jupyter as mj

    model, X, _ = wine
    client = mj.Client(sqlite_url, artifact_root=str(artifact_root))
    with client.start_iteration("wine", "serve", "fit", capture_environment=False) as it:
        mv = it.log_model(model, "wine", reference=X)
    client.promote("wine", mv.version)
    client.close()
    sent = [{k: float(v) for k, v in X.iloc[i].items()} for i in range(20)]
    answers = await asyncio.gather(*[api("POST", "models/wine/predict", {"inputs": r})
                                     for r in sent])
    assert [a[1]["predictions"][0] for a in answers] == model.predict(X.iloc[:20]).tolist()
    entries = jp_serverapp.web_app.settings["mlops_models"]._entries
    assert entries["wine"][1].batcher is None  # never batched
