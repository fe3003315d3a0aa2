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
