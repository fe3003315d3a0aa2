"""Contract: runs() filters, sorting and paging (structured, never string-built SQL)."""

from __future__ import annotations

import pytest

from mlops_jupyter import InvalidInput, NotFound


@pytest.fixture
def scaled(client):
    for name, scaler, c, acc in [("minmax", "minmax", 1.0, 0.91), ("std", "standard", 0.5, 0.97),
                                 ("robust", "robust", 2.0, 0.95)]:
        with client.start_iteration("wine", "scaling", name) as it:
            it.log_params({"scaler": scaler, "C": c})
            it.log_metric("accuracy", acc)
    with pytest.raises(RuntimeError), client.start_iteration("wine", "scaling", "broken"):
        raise RuntimeError("bad data")
    client.start_iteration("other", "x", "elsewhere").end()
    return client


def test_runs_is_one_row_per_iteration_with_params_and_metrics(scaled):
    df = scaled.runs("wine", "scaling")
    assert sorted(df["name"]) == ["broken", "minmax", "robust", "std"]
    assert {"params.scaler", "params.C", "metrics.accuracy"} <= set(df.columns)
    row = df.set_index("name").loc["std"]
    assert row["params.scaler"] == "standard" and row["metrics.accuracy"] == 0.97


def test_filter_by_metric_param_and_status(scaled):
    names = lambda df: sorted(df["name"])  # noqa: E731
    assert names(scaled.runs("wine", filters=[("metrics.accuracy", ">=", 0.95)])) == [
        "robust", "std"]
    assert names(scaled.runs("wine", filters=["params.scaler = minmax"])) == ["minmax"]
    assert names(scaled.runs("wine", filters=["params.C > 0.75"])) == ["minmax", "robust"]
    assert names(scaled.runs("wine", status="failed")) == ["broken"]
    assert names(scaled.runs("wine", name_contains="RO")) == ["broken", "robust"]


def test_sort_by_metric_puts_missing_values_last(scaled):
    df = scaled.runs("wine", sort="-metrics.accuracy")
    assert df["name"].tolist() == ["std", "robust", "minmax", "broken"]
    df = scaled.runs("wine", sort="metrics.accuracy")
    assert df["name"].tolist() == ["minmax", "robust", "std", "broken"]
    df = scaled.runs("wine", sort="params.C", filters=["params.C >= 0"])
    assert df["name"].tolist() == ["std", "minmax", "robust"]


def test_all_projects_and_paging(scaled):
    assert len(scaled.runs()) == 5
    page = scaled.search(project="wine", sort="name", limit=2, offset=2)
    assert page.total == 4
    assert [i.name for i in page.iterations] == ["robust", "std"]


def test_unknown_project_in_a_filter_is_not_found(scaled):
    with pytest.raises(NotFound) as err:
        scaled.runs("wnie")
    assert "wine" in str(err.value)


def test_malformed_filters_are_refused(scaled):
    for bad in ["accuracy >= 1", "metrics.accuracy >= high", "metrics.x ?? 3", ("a", "b")]:
        with pytest.raises(InvalidInput):
            scaled.runs("wine", filters=[bad])


def test_filter_values_are_bound_not_pasted(scaled):
    # A quote-laden value must simply match nothing (and not break the query).
    df = scaled.runs("wine", filters=[("params.scaler", "=", "x' OR '1'='1")])
    assert df.empty
