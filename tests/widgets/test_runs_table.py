"""The runs table: a DataFrame for code, a filterable and sortable widget for eyes."""

from __future__ import annotations

import pandas as pd

from mlops_jupyter.widgets.runs_table import RunsFrame, RunsQuery, RunsTable


def test_the_frame_is_a_dataframe_and_derived_frames_are_plain(experiment):
    frame = RunsFrame.fetch(RunsQuery())
    assert isinstance(frame, pd.DataFrame) and len(frame) == 4
    assert "metrics.accuracy" in frame and "params.scaler" in frame
    assert type(frame.head(2)) is pd.DataFrame


def test_filter_and_sort_run_in_the_store(experiment):
    table = RunsTable(RunsQuery())
    assert table.row_count == 4
    # When filtering
    table._filter.value = "metrics.accuracy>=0.95"
    # Then
    assert table.row_count == 2 and "RobustScaler" not in table._table.value
    # When sorting by a metric, ascending
    table._sort.value = "metrics.accuracy"
    table._desc.value = False
    assert list(table.frame["name"]) == ["MinMaxScaler", "StandardScaler"]
    assert repr(table) == "RunsTable(rows=2, filter='metrics.accuracy>=0.95')"


def test_a_bad_filter_is_a_message(experiment):
    table = RunsTable(RunsQuery())
    table._filter.value = "accuracy >= high"
    assert "unknown field 'accuracy'" in table.error
    assert table.row_count == 4  # the last good result stays
