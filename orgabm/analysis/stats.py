"""Statistics for results: means with confidence intervals, summaries of runs.

One rule for intervals everywhere (a t interval on the runs' values), so a table, a
figure and a teacher's note agree.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..batch.replicates import Runs

__all__ = ["mean_ci", "summarize"]


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the two ends of its t confidence interval (NaN ends with one value)."""
    from scipy import stats

    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if len(values) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, len(values) - 1) * values.std(ddof=1))
    half /= np.sqrt(len(values))
    return mean, mean - half, mean + half


def summarize(result: Runs) -> pd.DataFrame:
    """Per metric: mean at the start, and the final values' mean, 95% CI, min and max."""
    metrics = [
        c for c in result.runs.columns if c not in ("run_id", "seed", "steps", "equilibrium")
    ]
    start = result.steps[result.steps["step"] == 0]
    rows = []
    for name in metrics:
        final = result.runs[name].to_numpy(dtype=float)
        mean, lo, hi = mean_ci(final)
        rows.append(
            {
                "metric": name,
                "start": float(start[name].mean()),
                "final": mean,
                "ci_low": lo,
                "ci_high": hi,
                "min": float(np.nanmin(final)) if np.isfinite(final).any() else float("nan"),
                "max": float(np.nanmax(final)) if np.isfinite(final).any() else float("nan"),
            }
        )
    return pd.DataFrame(rows).set_index("metric")
