"""The one-line summary shown under a tracked cell (HTML with a text fallback)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

from ..entities import format_duration

MAX_SHOWN = 6
_STATUS_MARK = {"finished": "\u2713", "failed": "\u2717", "killed": "\u25a0"}
_STATUS_COLOR = {"finished": "#2e7d32", "failed": "#c62828", "killed": "#6d4c41"}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Summary:
    """What a ``%%track`` cell recorded; ``display`` picks HTML or text."""

    name: str | None
    number: int | None
    where: str | None
    status: str
    seconds: float  # the stored duration (local measurement only when not recorded)
    params: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    recorded: bool = True
    model_name: str | None = None
    registered: str | None = None  # "NAME vN" logged by --register

    @classmethod
    def build(cls, iteration: Any, got: Any, status: str, seconds: float,
              recorded: bool = True, registered: str | None = None) -> Summary:
        metrics: dict[str, Any] = dict(got.metrics)
        for key, values in got.series.items():
            metrics[key] = f"{_fmt(values[-1])} ({len(values)} steps)" if values else "[]"
        if iteration is None:
            return cls(None, None, None, status, seconds, dict(got.params), metrics, False,
                       got.model_name)
        return cls(iteration.name, iteration.number,
                   f"{iteration.project} / {iteration.experiment}", status, seconds,
                   dict(got.params), metrics, recorded, got.model_name, registered)

    def _parts(self) -> list[tuple[str, list[tuple[str, str]], int]]:
        """Sections as (label, shown key/value pairs, how many more)."""
        # the cell's own names first; estimator hyper-parameters (``var.param``) after
        keys = sorted(self.params, key=lambda k: ("." in k, ""))
        parts = []
        for label, mapping, order in (("metrics", self.metrics, list(self.metrics)),
                                      ("params", self.params, keys)):
            shown = [(k, _fmt(mapping[k])) for k in order[:MAX_SHOWN]]
            parts.append((label, shown, max(0, len(order) - MAX_SHOWN)))
        return parts

    def _head(self) -> str:
        if self.number is None:
            return "not recorded"
        return f"#{self.number} {self.name!s} in {self.where}"

    def __repr__(self) -> str:
        bits = [f"{_STATUS_MARK.get(self.status, '?')} {self._head()} "
                f"({self.status}, {format_duration(self.seconds)})"]
        if self.model_name:
            bits.append(f"model: {self.model_name}")
        if self.registered:
            bits.append(f"registered {self.registered}")
        for label, shown, more in self._parts():
            if shown:
                text = ", ".join(f"{k}={v}" for k, v in shown)
                bits.append(f"{label}: {text}" + (f" +{more} more" if more else ""))
        if self.number is not None and not self.recorded:
            bits.append("partly recorded: see the warning")
        return " | ".join(bits)

    def _repr_html_(self) -> str:
        color = _STATUS_COLOR.get(self.status, "#555")
        mark = _STATUS_MARK.get(self.status, "?")
        bits = [f'<span style="color:{color};font-weight:600">{mark} '
                f"{escape(self._head())}</span> "
                f'<span style="color:#777">({escape(self.status)}, '
                f'{escape(format_duration(self.seconds))})</span>']
        if self.model_name:
            bits.append(f"<b>model</b> {escape(self.model_name)}")
        if self.registered:
            bits.append(f"<b>registered</b> {escape(self.registered)}")
        for label, shown, more in self._parts():
            if shown:
                text = ", ".join(f"<code>{escape(k)}</code>={escape(v)}" for k, v in shown)
                bits.append(f"<b>{label}</b> {text}" + (f" <i>+{more} more</i>" if more else ""))
        if self.number is not None and not self.recorded:
            bits.append('<span style="color:#c62828">partly recorded: see the warning</span>')
        return ('<div class="mlops-track-summary" style="font-size:0.85em;'
                'border-left:3px solid ' + color + ';padding-left:6px">'
                + " &middot; ".join(bits) + "</div>")
