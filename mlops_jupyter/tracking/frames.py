"""Search results as pandas DataFrames (pandas is imported only when asked for)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..store.base import MetricSeries, SearchResult

if TYPE_CHECKING:
    import pandas as pd

BASE_COLUMNS = ("id", "project", "experiment", "number", "name", "status", "started_at",
                "ended_at", "duration", "model_name")


def runs_frame(result: SearchResult) -> pd.DataFrame:
    """One row per iteration; ``params.<k>``, ``metrics.<k>``, ``tags.<k>`` columns.

    Metric columns hold the latest value of each key (NaN where not logged).
    """
    import numpy as np
    import pandas as pd

    its = result.iterations
    n = len(its)
    data: dict[str, object] = {
        "id": [i.id for i in its],
        "project": [i.project_name for i in its],
        "experiment": [i.experiment_name for i in its],
        "number": [i.number for i in its],
        "name": [i.name for i in its],
        "status": [i.status for i in its],
        "started_at": pd.to_datetime([i.started_at for i in its], utc=True),
        "ended_at": pd.to_datetime([i.ended_at for i in its], utc=True),
        "duration": [i.duration for i in its],
        "model_name": [i.model_name for i in its],
    }
    index = {i.id: pos for pos, i in enumerate(its)}
    for prefix, table, numeric in (("params", result.params, False),
                                   ("metrics", result.metrics, True),
                                   ("tags", result.tags, False)):
        columns: dict[str, list] = {}
        for iid, values in table.items():
            pos = index.get(iid)
            if pos is None:
                continue
            for key, value in values.items():
                col = columns.get(key)
                if col is None:
                    col = columns[key] = [np.nan if numeric else None] * n
                col[pos] = value
        for key in sorted(columns):
            data[f"{prefix}.{key}"] = columns[key]
    frame = pd.DataFrame(data)
    frame["duration"] = frame["duration"].astype(float)
    return frame


def history_frame(series: MetricSeries) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({
        "step": series.steps,
        "value": series.values,
        "timestamp": pd.to_datetime(series.timestamps, unit="s", utc=True),
    })
