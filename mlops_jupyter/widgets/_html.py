"""Small HTML helpers shared by the widgets (every user value is escaped)."""

from __future__ import annotations

import math
from html import escape
from typing import Any


def fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def error_box(message: str) -> str:
    if not message:
        return ""
    return ('<div style="color:#b71c1c;background:#ffebee;padding:4px 8px;'
            f'border-radius:3px">{escape(message)}</div>')


def table(header: list[str], rows: list[list[tuple[str, str]]],
          header_styles: list[str] | None = None) -> str:
    """``rows``: cells as (text, inline style); text is escaped here."""
    styles = header_styles or [""] * len(header)
    head = "".join(f'<th style="text-align:left;padding:2px 6px;{s}">{escape(h)}</th>'
                   for h, s in zip(header, styles, strict=True))
    body = "".join(
        "<tr>" + "".join(f'<td style="padding:2px 6px;{style}">{escape(text)}</td>'
                         for text, style in row) + "</tr>"
        for row in rows)
    return ('<div style="max-height:360px;overflow:auto"><table class="mlops-table" '
            'style="border-collapse:collapse;font-size:0.85em">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")


STAGE_COLORS = {"production": ("#1b5e20", "#c8e6c9"), "staging": ("#0d47a1", "#bbdefb"),
                "archived": ("#555", "#eeeeee"), "none": ("#555", "#ffffff")}


def badge(stage: str) -> str:
    """A stage as a small coloured label."""
    fg, bg = STAGE_COLORS.get(stage, ("#555", "#fff"))
    return (f'<span class="mlops-stage mlops-stage-{escape(stage)}" style="color:{fg};'
            f'background:{bg};border:1px solid {fg};border-radius:8px;padding:0 6px;'
            f'font-size:0.9em">{escape(stage)}</span>')


def html_table(header: list[str], rows: list[list[str]], row_styles: list[str] | None = None
               ) -> str:
    """Like :func:`table`, but cells are HTML the caller built (and escaped) itself."""
    styles = row_styles or [""] * len(rows)
    head = "".join(f'<th style="text-align:left;padding:2px 6px">{escape(h)}</th>'
                   for h in header)
    body = "".join(f'<tr style="{style}">' + "".join(
        f'<td style="padding:2px 6px;vertical-align:top">{cell}</td>' for cell in row) + "</tr>"
        for row, style in zip(rows, styles, strict=True))
    return ('<div style="max-height:300px;overflow:auto"><table class="mlops-table" '
            'style="border-collapse:collapse;font-size:0.85em">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
