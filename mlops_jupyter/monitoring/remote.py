"""Monitoring through a server tracking URI: the REST routes behind the library calls.

With ``mj.Client("http://host/...")`` (a ``RestStore``), ``log_prediction(s)`` queue
records that a background flush posts to ``monitoring/predictions``; the request ids
are made here, so a post retried after a dropped connection can never store a batch
twice (the server refuses a batch holding a known id, as a whole). ``log_labels``
posts to ``monitoring/labels``; ``drift``, ``traffic`` and ``performance`` read the
report routes into the same DataFrames a database tracking URI gives. Reference
profiles live where the data is: they are set on the server's side.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Conflict, InvalidInput

if TYPE_CHECKING:
    import pandas as pd

    from ..store.rest_store import RestStore

log = logging.getLogger("mlops_jupyter")

POST_RECORDS = 10_000  # records per POST (the route takes up to 50,000)


@dataclass
class RemoteBatch:
    """One call's predictions as request bodies, written as JSON at the call (so a value
    JSON cannot carry fails there, not in the background flush)."""

    model: str
    bodies: list[tuple[bytes, int]]  # (JSON body, predictions in it)


class RemoteMonitoring:
    """The monitoring calls of a client whose store is a ``RestStore``.

    The client buffers the batches this makes (``batch``) and flushes them with
    ``post``, as it does database rows.
    """

    def __init__(self, store: RestStore):
        self.store = store
        self.dropped = 0  # predictions the server refused as invalid (each one logged)

    # -- writing ------------------------------------------------------------------------
    def batch(self, model: str, version: int, frame: pd.DataFrame, outputs: list[Any],
              at: Sequence[float], request_ids: list[str], confidences: Sequence[Any] | None,
              latencies_ms: Sequence[Any] | None, statuses: Sequence[str] | None,
              errors: Sequence[str | None] | None) -> RemoteBatch:
        """One call's predictions as records, checked as the server will check them."""
        # NumPy values, NaN (null) and timestamps are written by _encoded below
        inputs = frame.to_dict("records")
        records = []
        for i, row in enumerate(inputs):
            record: dict[str, Any] = {"inputs": row, "output": outputs[i],
                                      "request_id": request_ids[i], "at": float(at[i])}
            if confidences is not None:
                record["confidence"] = _number(confidences[i], "confidences", 0.0, 1.0)
            if latencies_ms is not None:
                record["latency_ms"] = _number(latencies_ms[i], "latencies_ms", 0.0)
            if statuses is not None:
                record["status"] = statuses[i]
            if errors is not None and errors[i] is not None:
                record["error"] = str(errors[i])
            records.append(record)
        chunks = [records[i:i + POST_RECORDS] for i in range(0, len(records), POST_RECORDS)]
        return RemoteBatch(model, [(_encoded({"model": model, "version": version,
                                              "records": chunk}), len(chunk))
                                   for chunk in chunks])

    def post(self, batches: Sequence[RemoteBatch]) -> int:
        """Send queued batches; returns how many predictions the server stored."""
        written = 0
        for batch in batches:
            for body, n in batch.bodies:
                try:
                    # Safe to retry: the ids were made here, and a batch holding a known
                    # id is refused whole, so a repeat cannot store anything twice.
                    answer = self.store._request("POST", "monitoring/predictions",
                                                 encoded=body, idempotent=True)
                except Conflict as e:  # already stored (a retried post) or ids reused
                    log.warning("predictions of %s not stored again: %s", batch.model, e)
                    continue
                except InvalidInput as e:  # cannot succeed later either: say it, go on
                    self.dropped += n
                    log.warning("dropped predictions of %s: %s", batch.model, e)
                    continue
                written += len(answer.get("request_ids") or [])
        return written

    # -- labels and reports ---------------------------------------------------------------
    def log_labels(self, request_ids: list[str], labels: list[Any]) -> int:
        """Post labels (the client flushed its predictions first); returns matches."""
        entries = [{"request_id": r, "label": v}
                   for r, v in zip(request_ids, labels, strict=True)]
        labeled = 0
        for start in range(0, len(entries), POST_RECORDS):
            body = _encoded({"labels": entries[start:start + POST_RECORDS]}, "a label")
            answer = self.store._request("POST", "monitoring/labels", encoded=body,
                                         idempotent=True)  # setting a label twice is the same
            labeled += int(answer.get("labeled", 0))
        return labeled

    def reference_profile(self, model: str, version: int | None) -> dict[str, Any] | None:
        answer = self.store._request("GET", f"monitoring/models/{_path(model)}/reference",
                                     params=[("version", version)])
        return answer.get("profile")

    def feature_counts(self, model: str, feature: str, version: int | None, since: Any,
                       until: Any) -> dict[int, int]:
        from .windows import to_epoch

        start, end = to_epoch(since), to_epoch(until)
        answer = self.store._request(
            "GET", f"monitoring/models/{_path(model)}/counts",
            params=[("feature", feature), ("version", version),
                    ("since", "all" if start is None else start), ("until", end)])
        return {int(b): int(c) for b, c in answer.get("counts") or []}

    def report(self, kind: str, model: str, *, version: int | None, window: Any, since: Any,
               until: Any, every: int | None = None, windows: int = 5) -> pd.DataFrame:
        """A report route's rows as the DataFrame the database path returns (the client
        flushed its predictions first)."""
        import pandas as pd

        from .reports import DRIFT_COLUMNS, EMPTY_PERFORMANCE_COLUMNS, TRAFFIC_COLUMNS
        from .windows import to_epoch, window_minutes

        params: list[tuple[str, Any]] = [("version", version)]
        if every is not None:
            params += [("every", every), ("windows", windows)]
        else:
            start, end = to_epoch(since), to_epoch(until)
            params += [("window", window_minutes(window)),
                       ("since", "all" if start is None else start), ("until", end)]
        answer = self.store._request("GET", f"monitoring/models/{_path(model)}/{kind}",
                                     params=params)
        rows = answer.get("rows") or []
        empty = {"drift": DRIFT_COLUMNS, "traffic": TRAFFIC_COLUMNS}.get(
            kind, EMPTY_PERFORMANCE_COLUMNS)
        columns = list(rows[0]) if rows else empty
        frame = pd.DataFrame(rows, columns=columns)
        for column in frame.columns:
            if column == "window_start":
                frame[column] = pd.to_datetime(frame[column], utc=True)
            elif frame[column].map(lambda v: isinstance(v, str) and v in _NON_FINITE).any():
                frame[column] = frame[column].map(
                    lambda v: _NON_FINITE[v] if isinstance(v, str) and v in _NON_FINITE
                    else (math.nan if v is None else v)).astype(float)
        return frame


_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _encoded(body: dict[str, Any], what: str = "a prediction") -> bytes:
    from .ingest import to_json

    try:
        return to_json(body)
    except TypeError as e:
        raise InvalidInput(f"{what} holds a value JSON cannot carry: {e}",
                           field="inputs" if what == "a prediction" else "labels") from e


def _path(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


def _number(value: Any, name: str, lo: float, hi: float | None = None) -> float | None:
    if value is None:
        return None
    number = float(value)
    if math.isnan(number):
        return None
    if not math.isfinite(number) or number < lo or (hi is not None and number > hi):
        bounds = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
        raise InvalidInput(f"{name} must be finite numbers {bounds} (or None), got {value!r}",
                           field=name)
    return number
