"""The comparison widget's model: selection, metric choice, refresh, errors."""

from __future__ import annotations

import plotly.graph_objects as go

from mlops_jupyter.widgets.compare import CompareWidget


def make(**kwargs) -> CompareWidget:
    return CompareWidget(project="wine", experiment="scaling methods", **kwargs)


def test_initial_state_selects_all_and_marks_best_and_differing(experiment):
    # When
    widget = make()
    # Then
    assert widget.iteration_count == 4 and len(widget.selected) == 4
    assert widget.metric == "accuracy" and widget.error == ""
    table = widget._table.value
    assert "scaler \u2260" in table and "C \u2260" in table  # differing params marked
    assert "max_iter \u2260" not in table                    # same everywhere
    assert "loss (\u2193)" in table and "accuracy (\u2191)" in table
    best = widget.comparison.best(widget.selected)
    assert [widget.comparison.by_id[i].name for i in best["accuracy"]] == ["StandardScaler"]
    assert [widget.comparison.by_id[i].name for i in best["loss"]] == ["StandardScaler"]
    assert repr(widget) == "CompareWidget('wine'/'scaling methods', iterations=4, selected=4)"


def test_charts_cover_the_selection(experiment):
    widget = make()
    (bars,) = widget._bars.children
    assert isinstance(bars, go.FigureWidget)
    assert [t.name for t in bars.data] == ["accuracy", "loss"]
    assert len(bars.data[0].x) == 4
    (parallel,) = widget._parallel.children
    assert [d.label for d in parallel.data[0].dimensions] == ["C", "scaler", "accuracy"]
    (curves,) = widget._curves.children
    assert [t.name for t in curves.data] == ["#4 sgd accuracy"]  # only step series


def test_selecting_iterations_redraws(experiment):
    widget = make()
    keep = [i for i in widget.selected
            if widget.comparison.by_id[i].name in ("MinMaxScaler", "RobustScaler")]
    # When the user deselects in the selector
    widget._selector.value = tuple(keep)
    # Then
    assert widget.selected == keep
    assert len(widget._bars.children[0].data[0].x) == 2
    assert "StandardScaler" not in widget._table.value
    assert widget._curves.children[0].data == ()


def test_choosing_the_metric_recolours_the_parallel_coordinates(experiment):
    widget = make()
    widget._metric_picker.value = "loss"
    assert widget.metric == "loss"
    assert widget._parallel.children[0].data[0].dimensions[-1].label == "loss"


def test_refresh_picks_up_new_iterations_and_keeps_the_selection(experiment):
    import mlops_jupyter as mj

    widget = make()
    widget._selector.value = widget._selector.value[:1]
    with mj.start_iteration("MaxAbsScaler") as it:
        it.log_metric("accuracy", 0.99)
    # When
    widget._refresh.click()
    # Then
    assert widget.iteration_count == 5 and len(widget.selected) == 1


def test_metric_restriction(experiment):
    widget = make(metrics=["loss"])
    assert widget.comparison.metric_keys == ["loss"] and widget.metric == "loss"


def test_failures_become_a_message_not_a_traceback(experiment, monkeypatch):
    widget = make()

    def broken(**kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(experiment, "search", broken)
    widget.refresh()
    assert widget.error == "database is locked"
    assert "cannot show the comparison: database is locked" in widget._error.value


def test_user_text_is_escaped():
    import mlops_jupyter as mj

    mj.init(project="p", experiment="e")
    with mj.start_iteration("<script>x</script>") as it:
        it.log_param("s", "<b>")
        it.log_metric("m", 1.0)
    widget = CompareWidget(project="p", experiment="e")
    assert "<script>" not in widget._table.value and "&lt;b&gt;" in widget._table.value
