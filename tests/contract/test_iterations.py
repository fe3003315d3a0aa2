"""Contract: iterations, params, tags and datasets (every backend)."""

from __future__ import annotations

import math

import pytest

from mlops_jupyter import Conflict, InvalidInput, NotFound


def test_iterations_are_numbered_per_experiment(client):
    numbers = [client.start_iteration("p", "e1", f"run {i}") for i in range(3)]
    other = client.start_iteration("p", "e2")
    assert [it.number for it in numbers] == [1, 2, 3]
    assert other.number == 1
    assert other.name == "iteration 1"


def test_finished_iteration_records_times_and_status(client):
    it = client.start_iteration("p", "e", "ok")
    it.end()
    stored = client.get_iteration(it.id)
    assert stored.status == "finished"
    assert stored.ended_at >= stored.started_at
    assert stored.duration is not None and stored.duration >= 0
    assert stored.environment["python"]
    assert "packages" in stored.environment


def test_exception_marks_failed_with_traceback_and_is_reraised(client):
    with pytest.raises(ZeroDivisionError), client.start_iteration("p", "e", "boom") as it:
        1 / 0  # noqa: B018
    stored = client.get_iteration(it.id)
    assert stored.status == "failed"
    assert "ZeroDivisionError" in stored.error
    assert "Traceback" in stored.error


def test_params_keep_their_types(client):
    it = client.start_iteration("p", "e")
    values = {"int": 3, "float": 0.5, "str": "minmax", "bool": True, "none": None,
              "list": [1, 2.5, "x"], "nan": math.nan, "unicode é": "ü"}
    it.log_params(values)
    got = {p.key: p.value for p in client.params(it.id)}
    assert got["int"] == 3 and isinstance(got["int"], int)
    assert got["float"] == 0.5
    assert got["str"] == "minmax"
    assert got["bool"] is True
    assert got["none"] is None
    assert got["list"] == [1, 2.5, "x"]
    assert math.isnan(got["nan"])
    assert got["unicode é"] == "ü"


def test_changing_a_logged_param_is_a_conflict(client):
    it = client.start_iteration("p", "e")
    it.log_param("C", 1.0)
    it.log_param("C", 1.0)  # same value again is fine
    with pytest.raises(Conflict):
        it.log_param("C", 2.0)


@pytest.mark.parametrize("bad", [object(), {1, 2}])
def test_param_values_must_be_json_like(client, bad):
    it = client.start_iteration("p", "e")
    with pytest.raises(InvalidInput):
        it.log_param("x", bad)


def test_tags_set_and_delete(client):
    it = client.start_iteration("p", "e", tags={"team": "ml"})
    it.set_tags({"stage": "dev", "team": None})
    assert client.tags(it.id) == {"stage": "dev"}


def test_dataset_reference_of_a_local_csv(client, tmp_path):
    data = tmp_path / "wine.csv"
    data.write_text("a,b,label\n1,2,x\n3,4,y\n", encoding="utf-8")
    it = client.start_iteration("p", "e")
    it.log_dataset(data, role="train")
    it.log_dataset("https://example.org/wine.csv", role="test")
    (train,) = [d for d in client.datasets(it.id) if d.role == "train"]
    assert train.digest.startswith("sha256:")
    assert (train.size, train.rows, train.columns) == (data.stat().st_size, 2, ("a", "b", "label"))
    (test,) = [d for d in client.datasets(it.id) if d.role == "test"]
    assert test.kind == "url" and test.digest is None


def test_soft_delete_hides_until_restored(client):
    it = client.start_iteration("p", "e")
    it.end()
    client.delete_iteration(it.id)
    assert client.runs("p").empty
    assert len(client.runs("p", include_deleted=True)) == 1
    client.restore_iteration(it.id)
    assert len(client.runs("p")) == 1


def test_rename_and_unknown_iteration(client):
    it = client.start_iteration("p", "e", "old")
    assert client.rename_iteration(it.id, "new").name == "new"
    with pytest.raises(NotFound):
        client.get_iteration(10_000_000)
    with pytest.raises(InvalidInput):
        client.rename_iteration(it.id, "")
