"""Running a scenario: one run, or replicates with seeds derived from a base seed."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm.auto import tqdm

from ..engine.metrics import TeamRecorder
from ..engine.model import OrgModel
from ..scenario import Scenario, load_scenario
from ..scenario.errors import ParameterError
from .seeds import derive_seed

__all__ = ["Runs", "run_scenario", "simulate"]


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
    equilibrium reached). Only the final step's team table is kept, so only it is
    computed: a small run spends about a third of its time on the table otherwise."""
    model = OrgModel(scenario, rng=seed, team_table=False).run()
    final = TeamRecorder()
    final.collect(model)
    return model.metrics_frame(), final.to_frame(), int(model.time), model.equilibrium


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
    if isinstance(reps, bool) or not isinstance(reps, int) or reps < 1:
        raise ParameterError("reps", reps, "must be 1 or more")
    sets = dict(overrides or {})
    if steps is not None:
        sets["steps"] = steps
    cfg = scenario if isinstance(scenario, Scenario) and not sets else load_scenario(scenario, sets)
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
