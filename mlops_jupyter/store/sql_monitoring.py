"""SQL side of monitoring: prediction rows, bin counts, labels (mixed into ``SqlStore``).

Ingestion writes the prediction rows and folds their bins into ``prediction_bins``
in one transaction (``count = count + excluded.count``), so every aggregate a
dashboard asks for is a ``GROUP BY`` over a few thousand counter rows.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, insert, select, text, update

from .engine import read_tx, write_tx
from .models import InputSchemaRow, PredictionBinRow, PredictionRow, ReferenceProfileRow

if TYPE_CHECKING:
    from sqlalchemy import Engine

B, PR, IS = PredictionBinRow, PredictionRow, InputSchemaRow
# (version_id, request_id, at, inputs JSON array, output JSON, confidence, latency_ms,
#  status, error, schema_id)
PredictionTuple = tuple[int, str, float, str, str | None, float | None, float | None, str,
                        str | None, int | None]
BinKey = tuple[int, int, str, int]  # version_id, minute, feature, bin

_UPSERT_BINS = text(
    "INSERT INTO prediction_bins (version_id, minute, feature, bin, count) "
    "VALUES (:v, :m, :f, :b, :c) ON CONFLICT (version_id, minute, feature, bin) "
    "DO UPDATE SET count = prediction_bins.count + excluded.count")
_SET_LABEL = (update(PR).where(PR.request_id == bindparam("b_rid"))
              .values(label=bindparam("b_label"), label_at=bindparam("b_at")))


class SqlMonitoring:
    """Monitoring methods over ``self.engine``."""

    engine: Engine

    def set_reference_profile(self, version_id: int, profile: Mapping[str, Any],
                              source: str | None = None) -> None:
        with write_tx(self.engine) as conn:
            conn.execute(delete(ReferenceProfileRow).where(
                ReferenceProfileRow.version_id == version_id))
            conn.execute(insert(ReferenceProfileRow).values(
                version_id=version_id, profile=dict(profile), source=source,
                created_at=time.time()))

    def get_reference_profile(self, version_id: int) -> dict[str, Any] | None:
        with read_tx(self.engine) as conn:
            return conn.execute(select(ReferenceProfileRow.profile).where(
                ReferenceProfileRow.version_id == version_id)).scalar()

    def insert_predictions(self, rows: Sequence[PredictionTuple],
                           bins: Mapping[BinKey, int]) -> int:
        """Store prediction rows and add their bin counts, atomically."""
        if not rows:
            return 0
        marker = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        if self.engine.dialect.name == "postgresql":
            inputs_marker = f"CAST({marker} AS JSON)"
        else:
            inputs_marker = marker
        sql = ("INSERT INTO predictions (version_id, request_id, at, inputs, output, "
               "confidence, latency_ms, status, error, schema_id) VALUES "
               f"({marker}, {marker}, {marker}, {inputs_marker}, {marker}, {marker}, {marker}, "
               f"{marker}, {marker}, {marker})")
        with write_tx(self.engine) as conn:
            conn.exec_driver_sql(sql, list(rows))
            if bins:
                conn.execute(_UPSERT_BINS, [{"v": v, "m": m, "f": f, "b": b, "c": c}
                                            for (v, m, f, b), c in bins.items()])
        return len(rows)

    def input_schema_id(self, columns: Sequence[Any]) -> int:
        """The id of the input schema with these column names, created on first use."""
        names = tuple(str(c) for c in columns)
        known: dict[tuple[str, ...], int] = self.__dict__.setdefault("_input_schema_ids", {})
        if names not in known:
            encoded = json.dumps(list(names))
            digest = hashlib.sha256(encoded.encode()).hexdigest()
            find = select(IS.id).where(IS.digest == digest)
            with read_tx(self.engine) as conn:
                found = conn.execute(find).scalar()
            if found is None:
                if self.engine.dialect.name == "postgresql":
                    from sqlalchemy.dialects.postgresql import insert as upsert
                else:
                    from sqlalchemy.dialects.sqlite import insert as upsert
                add = upsert(IS).values(digest=digest, columns=list(names))
                with write_tx(self.engine) as conn:  # concurrent writers: one row wins
                    conn.execute(add.on_conflict_do_nothing(index_elements=["digest"]))
                    found = conn.execute(find).scalar_one()
            known[names] = int(found)
        return known[names]

    def set_labels(self, labels: Sequence[tuple[str, str]]) -> int:
        """Attach ground truth (JSON text) to predictions by request id; returns matches."""
        now = time.time()
        with write_tx(self.engine) as conn:
            result = conn.execute(_SET_LABEL, [{"b_rid": rid, "b_label": label, "b_at": now}
                                               for rid, label in labels])
            matched = result.rowcount
        return matched if matched is not None and matched >= 0 else len(labels)

    def known_request_ids(self, request_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with read_tx(self.engine) as conn:
            for start in range(0, len(request_ids), 5000):
                chunk = list(request_ids[start:start + 5000])
                found.update(conn.execute(select(PR.request_id).where(
                    PR.request_id.in_(chunk))).scalars())
        return found

    def bin_counts(self, version_id: int, *, window_minutes: int, since_minute: int | None,
                   until_minute: int | None,
                   features: Sequence[str] | None = None) -> list[tuple[int, str, int, int]]:
        """(window start minute, feature, bin, count) summed over windows."""
        window = (B.minute // window_minutes) * window_minutes if window_minutes > 1 else B.minute
        stmt = select(window.label("w"), B.feature, B.bin, func.sum(B.count)).where(
            B.version_id == version_id)
        if since_minute is not None:
            stmt = stmt.where(B.minute >= since_minute)
        if until_minute is not None:
            stmt = stmt.where(B.minute < until_minute)
        if features is not None:
            stmt = stmt.where(B.feature.in_(list(features)))
        stmt = stmt.group_by(window, B.feature, B.bin).order_by(window)
        with read_tx(self.engine) as conn:
            return [(int(w), f, int(b), int(c)) for w, f, b, c in conn.execute(stmt)]

    def labeled_predictions(self, version_id: int, since: float | None,
                            until: float | None) -> list[tuple[float, str | None, str,
                                                               float | None]]:
        """(at, output JSON, label JSON, confidence) of labeled, successful predictions."""
        stmt = select(PR.at, PR.output, PR.label, PR.confidence).where(
            PR.version_id == version_id, PR.label.is_not(None), PR.status == "ok")
        if since is not None:
            stmt = stmt.where(PR.at >= since)
        if until is not None:
            stmt = stmt.where(PR.at < until)
        with read_tx(self.engine) as conn:
            return [tuple(r) for r in conn.execute(stmt.order_by(PR.at))]

    def last_predictions(self, version_id: int, limit: int) -> list[tuple]:
        """(at, inputs, output JSON, confidence) of the last ``limit`` successful
        predictions, oldest first: the rows of count-based windows."""
        stmt = (select(PR.at, PR.inputs, IS.columns, PR.output, PR.confidence)
                .outerjoin(IS, IS.id == PR.schema_id)
                .where(PR.version_id == version_id, PR.status == "ok")
                .order_by(PR.id.desc()).limit(limit))
        with read_tx(self.engine) as conn:
            rows = [(at, _named(inputs, names), output, confidence)
                    for at, inputs, names, output, confidence in conn.execute(stmt)]
        rows.reverse()
        return rows

    def recent_predictions(self, version_id: int, limit: int = 100) -> list[dict[str, Any]]:
        """The newest ``limit`` predictions of a version, inputs as name -> value."""
        stmt = (select(PR.request_id, PR.at, PR.inputs, IS.columns, PR.output, PR.confidence,
                       PR.latency_ms, PR.status, PR.error, PR.label)
                .outerjoin(IS, IS.id == PR.schema_id)
                .where(PR.version_id == version_id).order_by(PR.id.desc()).limit(limit))
        with read_tx(self.engine) as conn:
            out = []
            for r in conn.execute(stmt):
                row = dict(r._mapping)
                row["inputs"] = _named(row["inputs"], row.pop("columns"))
                out.append(row)
            return out

    def last_prediction_at(self, version_ids: Sequence[int]) -> dict[int, float]:
        """The time of the newest logged prediction of each version (that has one)."""
        if not version_ids:
            return {}
        stmt = (select(PR.version_id, func.max(PR.at)).where(PR.version_id.in_(list(version_ids)))
                .group_by(PR.version_id))
        with read_tx(self.engine) as conn:
            return {int(v): float(at) for v, at in conn.execute(stmt) if at is not None}


def _named(inputs: Any, names: Sequence[str] | None) -> Any:
    """A row's inputs as name -> value: value arrays are zipped with their schema."""
    if names is not None and isinstance(inputs, list):
        return dict(zip(names, inputs, strict=False))
    return inputs
