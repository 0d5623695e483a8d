"""Running a scenario: one run, or replicates with seeds derived from a base seed."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from .model import OrgModel
from .scenario import Scenario, load_scenario

__all__ = ["Runs", "derive_seed", "run_scenario", "simulate", "summarize"]


def derive_seed(base: int, *key: int) -> int:
    """The seed of one run, from the base seed and the run's key (e.g. its replicate).

    Derived with numpy's SeedSequence, so replicates never share a stream, and a
    run's seed depends only on (base, key): not on how or where it runs.
    """
    words = np.random.SeedSequence([base, *key]).generate_state(2, np.uint32)
    return int((int(words[0]) << 32 | int(words[1])) >> 1)


@dataclass
class Runs:
    """The results of one or more runs of a scenario."""

    scenario: Scenario
    base_seed: int
    steps: pd.DataFrame
    """One row per run and step: run_id, seed, step, then every metric."""
    runs: pd.DataFrame
    """One row per run: run_id, seed, steps, equilibrium, then every metric's final value."""
    teams: pd.DataFrame
    """One row per run and team at the final step: run_id, seed, step, team, team metrics."""
    seconds: float = 0.0


def simulate(scenario: Scenario, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, int, bool]:
    """One run to its end: (metrics per step, the team table's final step, steps run,
    equilibrium reached)."""
    model = OrgModel(scenario, rng=seed).run()
    teams = model.team_frame()
    final_teams = teams[teams["step"] == teams["step"].max()].reset_index(drop=True)
    return model.metrics_frame(), final_teams, int(model.time), model.equilibrium


def run_scenario(
    scenario: Scenario | Mapping[str, Any] | str | Path | None = None,
    *,
    reps: int = 1,
    seed: int = 0,
    steps: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    progress: bool | None = False,
) -> Runs:
    """Run ``reps`` replicates; replicate r uses seed ``derive_seed(seed, r)``.

    ``steps`` overrides the scenario's step count. ``progress=None`` shows a
    progress bar only on a terminal.
    """
    sets = dict(overrides or {})
    if steps is not None:
        sets["steps"] = steps
    trusted = isinstance(scenario, Scenario) and not sets
    cfg = scenario if trusted else load_scenario(scenario, sets)
    started = time.perf_counter()
    frames, rows, team_frames = [], [], []
    disable = None if progress is None else not progress  # None: only on a terminal
    for run_id in tqdm(range(reps), desc="runs", unit="run", disable=disable):
        run_seed = derive_seed(seed, run_id)
        frame, teams, n_steps, equilibrium = simulate(cfg, run_seed)
        for table in (frame, teams):
            table.insert(0, "run_id", run_id)
            table.insert(1, "seed", run_seed)
        frames.append(frame)
        team_frames.append(teams)
        final = frame.iloc[-1]
        rows.append(
            {"run_id": run_id, "seed": run_seed, "steps": n_steps, "equilibrium": equilibrium}
            | {k: final[k] for k in frame.columns[3:]}
        )
    return Runs(
        scenario=cfg,
        base_seed=seed,
        steps=pd.concat(frames, ignore_index=True),
        runs=pd.DataFrame(rows),
        teams=pd.concat(team_frames, ignore_index=True),
        seconds=time.perf_counter() - started,
    )


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
