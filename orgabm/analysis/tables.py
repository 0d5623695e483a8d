"""Markdown tables of results, for docs/validation.md, the teacher's notes and sensitivity."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

__all__ = ["decimals", "markdown_table"]

Cell = Callable[[Any], str]


def decimals(places: int, *, whole: bool = False, nan: str = "") -> Cell:
    """Floats to ``places`` decimals (NaN as ``nan``; ``whole``: whole floats as written),
    the rest as written."""

    def cell(value: Any) -> str:
        if not isinstance(value, float):
            return str(value)
        if math.isnan(value):
            return nan
        if whole and value.is_integer():
            return str(value)
        return f"{value:.{places}f}"

    return cell


def markdown_table(
    frame: pd.DataFrame, cell: Cell | None = None, columns: Mapping[str, Cell] | None = None
) -> str:
    """The frame as a Markdown table: each value through ``cell`` (default: three
    decimals), or its column's own."""
    cell = cell or decimals(3)
    names = [str(c) for c in frame.columns]
    own = [(columns or {}).get(name, cell) for name in names]
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    for row in frame.itertuples(index=False):
        lines.append("| " + " | ".join(f(v) for f, v in zip(own, row, strict=True)) + " |")
    return "\n".join(lines)
