"""Model versions: lineage, stages, rollback, aliases, history."""

from __future__ import annotations

import threading

import pytest

from mlops_jupyter import Conflict, InvalidInput, NotFound


def test_log_model_links_the_version_to_its_iteration(registry, fitted, tmp_path):
    model, X, y = fitted
    data = tmp_path / "iris.csv"
    data.write_text("a,b\n1,2\n")
    with registry.start_iteration("iris", "lr", "baseline") as it:
        it.log_params({"C": 1.0})
        it.log_dataset(data, role="train")
        it.log_metric("accuracy", 0.97)
        mv = it.log_model(model, "iris-classifier")
    assert (mv.version, mv.stage, mv.source, mv.iteration_id) == (1, "none", "iteration", it.id)
    assert mv.metrics == {"accuracy": 0.97} and mv.params == {"C": 1.0}
    assert mv.datasets[0]["role"] == "train" and mv.datasets[0]["digest"].startswith("sha256:")
    assert (mv.format, mv.flavor, mv.model_class) == ("joblib", "sklearn", "LogisticRegression")
    assert len(mv.sha256) == 64 and mv.size > 0
    assert registry.get_iteration(it.id).model_name == "LogisticRegression"
    loaded = registry.load_model("iris-classifier", version=1, trusted=True)
    assert (loaded.predict(X) == model.predict(X)).all()


def test_promotion_keeps_exactly_one_production_version(registry, fitted):
    model = fitted[0]
    it = registry.start_iteration("p", "e")
    for _ in range(3):
        it.log_model(model, "m")
    registry.promote("m", 1)
    registry.promote("m", 2, "staging")
    registry.promote("m", 2)
    stages = {v.version: v.stage for v in registry.model_versions("m")}
    assert stages == {1: "archived", 2: "production", 3: "none"}
    assert registry.models()[0].production_version == 2
    with pytest.raises(Conflict):
        registry.promote("m", 2)  # already there


def test_rollback_returns_to_the_previous_production_version(registry, fitted):
    it = registry.start_iteration("p", "e")
    for _ in range(2):
        it.log_model(fitted[0], "m")
    with pytest.raises(Conflict):
        registry.rollback("m")  # nothing to roll back to yet
    registry.promote("m", 1)
    registry.promote("m", 2, comment="better recall")
    back = registry.rollback("m")
    assert back.version == 1 and back.stage == "production"
    history = [(t.version, t.from_stage, t.to_stage, t.comment)
               for t in registry.model_history("m")]
    assert history == [
        (1, "none", "production", None),
        (1, "production", "archived", "replaced by version 2"),
        (2, "none", "production", "better recall"),
        (2, "production", "archived", "replaced by version 1"),
        (1, "archived", "production", "rollback from version 2"),
    ]
    assert all(t.actor for t in registry.model_history("m"))


def test_aliases_move_between_versions(registry, fitted):
    it = registry.start_iteration("p", "e")
    for _ in range(2):
        it.log_model(fitted[0], "m")
    registry.set_alias("m", "champion", 1)
    assert registry.get_model_version("m", alias="champion").version == 1
    registry.set_alias("m", "champion", 2)
    assert registry.get_model_version("m", alias="champion").version == 2
    assert registry.models()[0].aliases == {"champion": 2}
    registry.delete_alias("m", "champion")
    with pytest.raises(NotFound):
        registry.get_model_version("m", alias="champion")
    for bad in ("production", "3", "../x"):
        with pytest.raises(InvalidInput):
            registry.set_alias("m", bad, 1)


def test_concurrent_promotions_leave_exactly_one_production(registry, fitted):
    it = registry.start_iteration("p", "e")
    for _ in range(8):
        it.log_model(fitted[0], "m")
    barrier = threading.Barrier(8)
    errors = []

    def promote(version):
        barrier.wait()
        try:
            registry.promote("m", version)
        except Exception as e:  # a promotion may lose; it must not corrupt
            errors.append(e)

    threads = [threading.Thread(target=promote, args=(v,)) for v in range(1, 9)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stages = [v.stage for v in registry.model_versions("m")]
    assert stages.count("production") == 1
    assert stages.count("archived") == 7
    promotions = [t for t in registry.model_history("m") if t.to_stage == "production"]
    assert len(promotions) == 8


def test_unknown_names_and_stages(registry):
    with pytest.raises(NotFound):
        registry.load_model("nope")
    with pytest.raises(InvalidInput):
        registry.store.resolve_model_version("nope", stage="prod")
