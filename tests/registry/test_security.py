"""Model files: never unpickled without explicit trust, hash-checked, no traversal."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from mlops_jupyter import InvalidInput, Untrusted
from mlops_jupyter.registry.artifacts import HashMismatch, TooLarge


class Boom:
    """Unpickling this object creates a marker file: proof that code ran."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


@pytest.fixture
def evil_pickle(tmp_path):
    marker = tmp_path / "PWNED"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(Boom(str(marker))))
    return path, marker


def test_a_malicious_pickle_never_runs_without_trust(registry, evil_pickle):
    path, marker = evil_pickle
    # Upload, list, inspect, promote: none of them unpickles
    mv = registry.register_model(path, "evil")
    assert (mv.format, mv.source, mv.filename) == ("pickle", "upload", "model.pkl")
    registry.models()
    registry.model_versions("evil")
    registry.get_model_version("evil", version=1)
    registry.promote("evil", 1)
    assert not marker.exists()
    # Loading without trust is refused, and the error says how to grant it
    with pytest.raises(Untrusted) as err:
        registry.load_model("evil")
    assert "trusted=True" in str(err.value) and "trusted_models" in str(err.value)
    assert not marker.exists()
    # Trust given by the user (not by the file) is what makes it load
    registry.load_model("evil", trusted=True)
    assert marker.exists()


def test_trust_from_the_configuration_allowlist(registry, evil_pickle, monkeypatch):
    path, marker = evil_pickle
    registry.register_model(path, "evil")
    monkeypatch.setenv("MLOPS_JUPYTER_TRUSTED_MODELS", "other:1")
    with pytest.raises(Untrusted):
        registry.load_model("evil", version=1)
    monkeypatch.setenv("MLOPS_JUPYTER_TRUSTED_MODELS", "evil:1")
    registry.load_model("evil", version=1)
    assert marker.exists()


def test_a_name_entry_trusts_lineage_not_uploads(registry, evil_pickle, fitted, monkeypatch):
    path, marker = evil_pickle
    model, _, _ = fitted
    # Given "evil" trusted by name, version 1 logged from an iteration
    monkeypatch.setenv("MLOPS_JUPYTER_TRUSTED_MODELS", "evil")
    with registry.start_iteration("p", "e", capture_environment=False) as it:
        logged = it.log_model(model, "evil", format="pickle")
    assert logged.source == "iteration"
    assert registry.load_model("evil", version=1).__class__ is model.__class__
    # When a file is registered under the same name without an iteration (an upload)
    uploaded = registry.register_model(path, "evil")
    assert (uploaded.version, uploaded.source) == (2, "upload")
    # Then the name does not cover it, and the refusal says why
    with pytest.raises(Untrusted) as err:
        registry.load_model("evil", version=2)
    assert "trusted by name" in str(err.value) and not marker.exists()
    # And its own entry (version or SHA-256) does
    monkeypatch.setenv("MLOPS_JUPYTER_TRUSTED_MODELS", f"evil,sha256:{uploaded.sha256}")
    registry.load_model("evil", version=2)
    assert marker.exists()


def test_a_flipped_byte_is_a_hash_mismatch(registry, fitted):
    it = registry.start_iteration("p", "e")
    mv = it.log_model(fitted[0], "m")
    stored = registry.artifacts.path_for(mv.sha256)
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01
    stored.write_bytes(bytes(data))
    with pytest.raises(HashMismatch) as err:
        registry.load_model("m", version=1, trusted=True)
    assert "corrupted or was modified" in str(err.value)


@pytest.mark.parametrize("name", ["../evil", "..%2f..%2fetc", "%2e%2e", "/etc/passwd",
                                  "a\x00b", ".hidden", "a\\b"])
def test_traversal_names_are_refused_and_nothing_is_written_outside(registry, tmp_path, name):
    src = tmp_path / "upload" / "ok.pkl"
    src.parent.mkdir()
    src.write_bytes(pickle.dumps({"a": 1}))
    before = set(tmp_path.rglob("*"))
    with pytest.raises(InvalidInput):
        registry.register_model(src, name)
    created = {p for p in set(tmp_path.rglob("*")) - before
               if not str(p).startswith(str(registry.artifacts.root))}
    assert created == set() or all("mlops.db" in p.name for p in created)


def test_files_are_content_addressed_inside_the_artifact_root(registry, tmp_path):
    src = tmp_path / "weird name ..%2f.joblib"
    src.write_bytes(b"not really joblib")
    mv = registry.register_model(src, "m")
    stored = registry.artifacts.path_for(mv.sha256)
    assert stored.is_relative_to(registry.artifacts.root)
    assert stored.name == mv.sha256 and mv.filename == src.name
    with pytest.raises(InvalidInput):
        registry.artifacts.path_for("../../etc/passwd")


def test_size_limit(registry, tmp_path):
    from mlops_jupyter.registry.artifacts import ArtifactStore

    small = ArtifactStore(registry.artifacts.root, max_bytes=1000)
    with pytest.raises(TooLarge) as err:
        small.put_bytes(os.urandom(1001))
    assert err.value.http_status == 413
    assert not any((small.root / "models" / "tmp").iterdir())
    assert small.put_bytes(b"x" * 1000).size == 1000


def test_unknown_upload_format(registry, tmp_path):
    src = tmp_path / "model.exe"
    src.write_bytes(b"MZ")
    with pytest.raises(InvalidInput) as err:
        registry.register_model(src, "m")
    assert ".joblib" in str(err.value)
