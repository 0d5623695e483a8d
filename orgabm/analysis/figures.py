"""Figures for reports, the validation suite and teacher's notes: one look everywhere."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["figure", "png"]


def figure(width: float = 6.4, height: float = 4.2, dpi: int = 110) -> Figure:
    """A matplotlib Figure with no pyplot state (safe in threads and servers)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=dpi, layout="constrained")


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
