"""Statistics for results: means with confidence intervals, summaries of runs.

One rule for intervals everywhere (a t interval on the runs' values), so a table, a
figure and a teacher's note agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..batch.replicates import Runs
    from ..batch.store import Results

__all__ = [
    "curves",
    "first_lead",
    "group_means",
    "half_width",
    "mean_ci",
    "mean_se",
    "paired_differences",
    "replicates",
    "run_means",
    "summarize",
]


def half_width(std: Any, count: Any, level: float = 0.95) -> Any:
    """Half the width of the t confidence interval of a mean: t(level, count - 1) x std /
    sqrt(count), elementwise; NaN where there are fewer than two values. The one rule for
    every interval orgabm draws or prints."""
    from scipy import stats

    count = np.asarray(count, dtype=float)
    df = np.where(count > 1, count - 1, np.nan)
    return stats.t.ppf(0.5 + level / 2, df) * np.asarray(std, dtype=float) / np.sqrt(count)


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and the two ends of its t confidence interval (NaN ends with one value)."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if len(values) == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(values.mean())
    if len(values) < 2:
        return mean, float("nan"), float("nan")
    half = float(half_width(values.std(ddof=1), len(values), level))
    return mean, mean - half, mean + half


def mean_se(values: Any) -> tuple[float, float]:
    """(mean, its standard error) of per-run values or of paired differences: the margin
    a test or a claim is measured in."""
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1) / np.sqrt(len(values)))


def first_lead(a: np.ndarray, b: np.ndarray) -> int | None:
    """The first index from which curve ``a`` stays at or above ``b`` (None: it ends
    behind): where two curves cross for good."""
    behind = np.flatnonzero(np.asarray(a) < np.asarray(b))
    if len(behind) == 0:
        return 0
    return None if behind[-1] == len(a) - 1 else int(behind[-1] + 1)


def group_means(
    frame: pd.DataFrame,
    by: Sequence[str],
    metrics: Sequence[str],
    *,
    count: str = "runs",
    wide: bool = False,
    sort: bool = False,
) -> pd.DataFrame:
    """Mean and 95% CI of each metric for each combination of ``by`` (all rows if empty).

    Long form (default): one row per group and metric with ``metric``, ``count``,
    ``mean``, ``ci_low``, ``ci_high``. Wide (``wide=True``): one row per group with
    ``count`` and, per metric, ``M``, ``M_low``, ``M_high``.
    """
    by = list(by)
    groups = frame.groupby(by, sort=sort, dropna=False) if by else [((), frame)]
    rows: list[dict[str, Any]] = []
    for key, group in groups:
        where = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        if wide:
            row: dict[str, Any] = {**where, count: len(group)}
            for metric in metrics:
                row[metric], row[f"{metric}_low"], row[f"{metric}_high"] = mean_ci(
                    group[metric].to_numpy(dtype=float)
                )
            rows.append(row)
            continue
        for metric in metrics:
            values = group[metric].to_numpy(dtype=float)
            mean, low, high = mean_ci(values)
            rows.append({**where, "metric": metric, count: int(np.isfinite(values).sum()),
                         "mean": mean, "ci_low": low, "ci_high": high})  # fmt: skip
    return pd.DataFrame(rows)


def run_means(results: Results, metric: str, first: int = 1) -> pd.DataFrame:
    """A sweep's runs table with ``metric`` replaced by its mean over steps ``first`` on:
    what a run produced over its course, not at its last step (a review or a training
    on the last step would otherwise decide a productivity comparison)."""
    steps = results.steps(columns=["run_id", "step", metric])
    means = steps[steps["step"] >= first].groupby("run_id")[metric].mean()
    runs = results.runs.drop(columns=[metric], errors="ignore")
    return runs.join(means, on="run_id")


def replicates(frame: pd.DataFrame, column: str, metric: str, *, pair: str = "rep") -> pd.DataFrame:
    """``metric`` with one row per replicate (``pair``) and one column per value of
    ``column``: in a sweep with common seeds, a row's runs start alike (paired)."""
    return frame.pivot_table(index=pair, columns=column, values=metric, aggfunc="mean")


def paired_differences(
    frame: pd.DataFrame, column: str, metric: str, against: Any, *, pair: str = "rep"
) -> pd.DataFrame:
    """Each value of ``column`` against the value ``against``, run by run: the mean of the
    paired differences in ``metric`` and its 95% CI, pairing runs by ``pair`` (a sweep
    with common seeds gives replicate r the same seed at every point).

    One row per value of ``column``: ``column``, ``pairs``, ``difference``, ``ci_low``,
    ``ci_high``. Raises ValueError if ``against`` is not one of the values.
    """
    wide = replicates(frame, column, metric, pair=pair)
    if against not in wide.columns:
        allowed = ", ".join(str(v) for v in wide.columns)
        raise ValueError(f"against={against!r}: not a value of {column} (values: {allowed})")
    rows = []
    for value in wide.columns:
        gaps = (wide[value] - wide[against]).dropna().to_numpy(dtype=float)
        mean, low, high = mean_ci(gaps)
        rows.append({column: value, "pairs": len(gaps), "difference": mean,
                     "ci_low": low, "ci_high": high})  # fmt: skip
    return pd.DataFrame(rows)


def curves(steps: pd.DataFrame, by: Sequence[str], metric: str) -> pd.DataFrame:
    """Mean and 95% CI of ``metric`` at every step, for each combination of ``by``: the
    same t interval as :func:`mean_ci`, step by step over the runs."""
    frames = []
    for key, part in steps.groupby(list(by), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        paths = part.pivot_table(index="run_id", columns="step", values=metric)
        runs = len(paths)
        mean = paths.mean().to_numpy()
        half = half_width(paths.std(ddof=1).to_numpy(), runs)
        frame = pd.DataFrame({"step": paths.columns.to_numpy(), "runs": runs, "mean": mean,
                              "ci_low": mean - half, "ci_high": mean + half})  # fmt: skip
        for column, value in zip(by, key, strict=True):
            frame.insert(0, column, value)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


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
