"""``%mlops models``: registered models and versions as a DataFrame (and its display).

Shared with the promote widget: where a version came from (``iteration 12
(MinMaxScaler)`` or ``uploaded forest.joblib``) and sizes in human units.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

import pandas as pd

from ..entities import ModelVersion, StageTransition

VERSION_COLUMNS = ["name", "version", "stage", "aliases", "source", "iteration_id", "format",
                   "size", "created_at"]
HISTORY_COLUMNS = ["at", "version", "from_stage", "to_stage", "actor", "comment"]


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"  # pragma: no cover


def iteration_labels(client: Any, versions: Iterable[ModelVersion]) -> dict[int, str]:
    """``{iteration id: name}`` of the versions' source iterations (one read each)."""
    out: dict[int, str] = {}
    for mv in versions:
        if mv.iteration_id is None or mv.iteration_id in out:
            continue
        try:
            out[mv.iteration_id] = client.get_iteration(mv.iteration_id).name
        except Exception:  # deleted or unreadable: the id still says where it came from
            out[mv.iteration_id] = ""
    return out


def describe_source(mv: ModelVersion, labels: dict[int, str]) -> str:
    """``iteration 12 (MinMaxScaler)``, ``uploaded forest.joblib`` ..."""
    if mv.iteration_id is not None:
        name = labels.get(mv.iteration_id)
        text = f"iteration {mv.iteration_id}" + (f" ({name})" if name else "")
        return text + (f", file {mv.filename}" if mv.filename else "")
    if mv.source == "upload":
        return f"uploaded {mv.filename or 'file'}"
    return mv.source


def versions_frame(versions: list[ModelVersion], labels: dict[int, str], *,
                   metrics: bool = False) -> pd.DataFrame:
    """One row per version; ``metrics=True`` adds ``metrics.<key>`` columns."""
    rows = []
    for mv in versions:
        row: dict[str, Any] = {
            "name": mv.model_name, "version": mv.version, "stage": mv.stage,
            "aliases": ", ".join(mv.aliases), "source": describe_source(mv, labels),
            "iteration_id": mv.iteration_id, "format": mv.format, "size": mv.size,
            "created_at": mv.created_at}
        if metrics:
            row.update({f"metrics.{k}": v for k, v in mv.metrics.items()})
        rows.append(row)
    frame = pd.DataFrame(rows, columns=None if rows else VERSION_COLUMNS)
    if rows:
        frame["iteration_id"] = frame["iteration_id"].astype("Int64")
    return frame


def history_frame(history: list[StageTransition]) -> pd.DataFrame:
    """The audit log, oldest first."""
    return pd.DataFrame([{"at": t.at, "version": t.version, "from_stage": t.from_stage,
                          "to_stage": t.to_stage, "actor": t.actor, "comment": t.comment}
                         for t in history], columns=HISTORY_COLUMNS)


class ModelsFrame(pd.DataFrame):
    """Versions as a plain DataFrame; for one model it also shows the stage history.

    ``frame.history`` is the audit log (a DataFrame) or None. Anything derived from
    the frame (``df.head()``, ``df[...]``) is a plain DataFrame.
    """

    _metadata = ["history", "title"]

    @property
    def _constructor(self) -> type[pd.DataFrame]:
        return pd.DataFrame

    @classmethod
    def fetch(cls, name: str | None = None) -> ModelsFrame:
        """All versions of every model, or one model's versions (with metrics) and history."""
        from ..tracking import fluent

        client = fluent.get_client()
        history = None
        if name is None:
            versions = [mv for m in client.models() for mv in client.model_versions(m.name)]
        else:
            versions = client.model_versions(name)
            history = history_frame(client.model_history(name))
        frame = cls(versions_frame(versions, iteration_labels(client, versions),
                                   metrics=name is not None))
        frame.history = history
        frame.title = name
        return frame

    def _display_frame(self) -> pd.DataFrame:
        shown = pd.DataFrame(self)
        if "size" in shown:
            shown["size"] = [human_size(s) for s in shown["size"]]
        return shown

    def _repr_html_(self) -> str:  # type: ignore[override]
        if self.empty:
            body = "<i>no registered models yet</i>" if self.title is None else ""
        else:
            body = self._display_frame().to_html(index=False, escape=True, na_rep="",
                                                 float_format="{:.4g}".format, border=0)
        parts = ['<div class="mlops-models" style="font-size:0.85em">']
        if self.title is not None:
            parts.append(f"<b>{escape(self.title)}</b>: {len(self)} versions")
        parts.append(body)
        history = getattr(self, "history", None)
        if history is not None:
            parts.append("<b>stage history</b>")
            parts.append(history.to_html(index=False, escape=True, na_rep="", border=0)
                         if len(history) else "<i>no stage changes yet</i>")
        return "".join(parts) + "</div>"

    def __repr__(self) -> str:
        if self.empty and self.title is None:
            return "no registered models yet"
        text = pd.DataFrame.__repr__(self._display_frame())
        history = getattr(self, "history", None)
        if history is not None:
            text += "\n\nstage history:\n" + (pd.DataFrame.__repr__(history) if len(history)
                                              else "(none)")
        return text
