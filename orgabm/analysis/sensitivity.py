"""Global sensitivity analysis with SALib: Morris screening or Sobol indices.

Each of SALib's sample points is run ``reps`` times through the sweep engine
(so it is resumable and parallel like any sweep), replicate r of every point
with the same seed (common random numbers: a parameter the model ignores gets
an index of exactly 0). The outputs are the final metrics averaged over
replicates, and SALib's analysis gives every index with its 95% confidence
interval.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..batch.errors import SweepError
from ..batch.sweep import Sweep, run_sweep
from ..engine.metrics import METRICS
from ..scenario import Scenario, load_scenario
from ..scenario.errors import ParameterError
from .figures import figure
from .tables import decimals, markdown_table

__all__ = ["SensitivityResult", "parse_param", "run_sensitivity"]

INDICES = {"morris": ("mu_star", "mu_star_conf", "sigma", "mu"),
           "sobol": ("S1", "S1_conf", "ST", "ST_conf")}  # fmt: skip


class SensitivityParameterError(ParameterError, SweepError):
    """An argument of :func:`run_sensitivity` or :func:`parse_param` that is not allowed."""


def parse_param(text: str) -> tuple[str, float, float]:
    """``PATH=LOW:HIGH`` -> (path, low, high)."""
    path, sep, spec = text.partition("=")
    low, colon, high = spec.partition(":")
    try:
        if not sep or not colon or not path.strip():
            raise ValueError
        lo, hi = float(low), float(high)
    except ValueError:
        raise SensitivityParameterError(
            "params", text, "expected PATH=LOW:HIGH, e.g. leadership.socialization=0.1:0.9"
        ) from None
    if not hi > lo:
        raise SensitivityParameterError("params", text, "HIGH must be above LOW")
    return path.strip(), lo, hi


@dataclass
class SensitivityResult:
    """The indices (one row per metric and parameter) and where they were written."""

    method: str
    table: pd.DataFrame
    folder: Path
    samples: int
    runs: int

    def text(self) -> str:
        """The table, for the terminal."""
        return self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}")


def run_sensitivity(
    scenario: Scenario | Mapping[str, Any] | str | Path | None,
    method: Literal["morris", "sobol"],
    params: Sequence[tuple[str, float, float]],
    *,
    samples: int = 16,
    reps: int = 5,
    seed: int = 0,
    metrics: Sequence[str] = ("code_knowledge", "knowledge", "performance"),
    steps: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    workers: int | None = None,
    out: str | Path = "sensitivity",
    progress: bool | None = None,
) -> SensitivityResult:
    """Sample, run (``reps`` replicates per sample), analyze; write CSV, Markdown and a plot.

    ``samples`` is SALib's N: Morris trajectories (N x (k + 1) points), or the
    Sobol base sample (N x (k + 2) points; a power of 2).
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if method not in INDICES:
        raise SensitivityParameterError("method", method, "must be morris or sobol")
    if not params:
        raise SensitivityParameterError("params", [], "give at least one PATH=LOW:HIGH")
    names = [p[0] for p in params]
    if len(set(names)) != len(names):
        raise SensitivityParameterError("params", names, "each path may be given once")
    if samples < 2 or (method == "sobol" and samples & (samples - 1)):
        raise SensitivityParameterError(
            "samples", samples, "must be 2 or more (a power of 2 for sobol)"
        )
    for metric in metrics:  # before any run, not after all of them
        if metric not in METRICS:
            raise SensitivityParameterError(
                "metrics", metric, f"not a metric (metrics: {', '.join(METRICS)})"
            )
    base = load_scenario(scenario, {**(overrides or {}), **({"steps": steps} if steps else {})})
    problem = {
        "num_vars": len(params),
        "names": names,
        "bounds": [[lo, hi] for _, lo, hi in params],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (FutureWarning, DeprecationWarning, UserWarning))
        if method == "morris":
            X = morris_sample.sample(problem, samples, num_levels=4, seed=seed)
        else:
            X = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    points = [{name: float(v) for name, v in zip(names, row, strict=True)} for row in X]
    unique = list({json.dumps(p, sort_keys=True): p for p in points}.values())
    built = Sweep.build(base, unique, reps=reps, seed=seed, common_seeds=True, round_integers=True,
                        spec={"sensitivity": method, "samples": samples},
                        metrics=list(metrics))  # fmt: skip
    folder = Path(out)
    run_sweep(built, folder / "runs", workers=workers, progress=progress)
    from ..batch.store import Store

    runs = Store(folder / "runs").runs()
    failed = runs["error"].notna()
    if failed.any():
        raise SweepError(f"{int(failed.sum())} runs failed; see {folder / 'runs' / 'runs.parquet'}")
    # each of SALib's rows is one of the unique points: its mean over replicates
    means = runs.assign(point=runs["run_id"] // reps).groupby("point").mean(numeric_only=True)
    keys = [json.dumps(p, sort_keys=True) for p in unique]
    rows = []
    for metric in metrics:
        by_point = dict(zip(keys, means[metric].to_numpy(dtype=float), strict=True))
        Y = np.array([by_point[json.dumps(p, sort_keys=True)] for p in points])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", (FutureWarning, DeprecationWarning, RuntimeWarning,
                                             UserWarning))  # fmt: skip
            options = {"conf_level": 0.95, "num_resamples": 1000, "seed": seed}
            if method == "morris":
                result = morris_analyze.analyze(problem, X, Y, **options)
            else:
                result = sobol_analyze.analyze(problem, Y, calc_second_order=False, **options)
        for i, name in enumerate(names):
            indices = {k: float(np.asarray(result[k])[i]) for k in INDICES[method]}
            rows.append({"metric": metric, "parameter": name} | indices)
    table = pd.DataFrame(rows)
    folder.mkdir(parents=True, exist_ok=True)
    table.to_csv(folder / "sensitivity.csv", index=False)
    _plot(table, method, folder / "sensitivity.png")
    (folder / "sensitivity.md").write_text(_markdown(table, method, samples, reps, len(X)))
    return SensitivityResult(method, table, folder, len(X), len(X) * reps)


def _plot(table: pd.DataFrame, method: str, path: Path) -> None:
    """One panel per metric: each parameter's index with its 95% confidence interval."""

    metrics = list(dict.fromkeys(table["metric"]))
    fig = figure(4.2 * len(metrics), 3.6, dpi=100)
    axes = fig.subplots(1, len(metrics), squeeze=False)[0]
    for ax, metric in zip(axes, metrics, strict=True):
        part = table[table["metric"] == metric]
        y = np.arange(len(part))
        if method == "morris":
            ax.barh(y, part["mu_star"], xerr=part["mu_star_conf"], color="tab:blue", alpha=0.8)
            ax.set_xlabel("mu*, 95% CI")
        else:
            ax.barh(y - 0.2, part["S1"], 0.4, xerr=part["S1_conf"], label="S1 (first order)")
            ax.barh(y + 0.2, part["ST"], 0.4, xerr=part["ST_conf"], label="ST (total)")
            ax.set_xlabel("Sobol index, 95% CI")
            ax.legend(fontsize=7)
        ax.set_yticks(y, part["parameter"], fontsize=8)
        ax.set_title(metric)
    fig.savefig(path)


def _markdown(table: pd.DataFrame, method: str, samples: int, reps: int, points: int) -> str:
    title = f"# Sensitivity ({method}): N = {samples}, {points} points x {reps} replicates"
    return f"{title}\n\n{markdown_table(table, decimals(4, nan='nan'))}\n"
