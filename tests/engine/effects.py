"""Shared effect-test helpers: the effect-test organization, replicates and means.

One small organization (100 employees in 10 teams) with moderate levers; tests compare
means over fixed-seed replicates, with margins several standard errors wide. How many
replicates a test needs follows from its effect and that effect's standard error:
``python tests/engine/power.py`` measures both for every comparison the tests make.
"""

import json
import os

import numpy as np

from orgabm import OrgModel, load_scenario
from orgabm.analysis.stats import mean_se
from orgabm.batch.seeds import derive_seed

REPS = 24


#: The effect-test organization: half its know-how tacit, moderate levers everywhere.
BASE = {
    "steps": 60,
    "organization": {
        "employees": 100,
        "teams": 10,
        "network": {"kind": "teams", "within_team_ties": 1.0, "cross_team_ties": 0.02},
    },
    "environment": {"kind": "march", "dimensions": 30, "tacit": 0.5},
    "leadership": {
        "socialization": 0.5, "code_learning": 0.5, "psychological_safety": 0.5,
        "experimentation": 0.3, "feedback": 0.8, "knowledge_sharing": 0.3,
        "after_action_reviews": 5,
    },
}  # fmt: skip


#: March's conformist organization inside the full model: nothing tacit, no sharing, no reviews.
MARCH_LIKE = {
    "environment.tacit": 0.0,
    "leadership.knowledge_sharing": 0.0,
    "leadership.after_action_reviews": 0,
}


def runs(
    overrides: dict,
    reps: int = REPS,
    seed: int = 1,
    team_table: bool = False,
    metrics: list[str] | None = None,
) -> list[OrgModel]:
    """``reps`` runs of the effect-test organization; the team table (a third of a small
    run's time) only when a test reads it, and only ``metrics`` if named (None: all)."""
    cfg = load_scenario(BASE, overrides)
    return [OrgModel(cfg, rng=derive_seed(seed, r), team_table=team_table, metrics=metrics).run()
            for r in range(reps)]  # fmt: skip


def per_run(
    models: list[OrgModel], metric: str, first: int = 1, last: int | None = None
) -> np.ndarray:
    """A metric averaged over steps first..last of each run: one value per run."""
    values = []
    for model in models:
        frame = model.metrics_frame()
        window = frame[(frame.step >= first) & (frame.step <= (last or frame.step.max()))]
        values.append(window[metric].mean())
    out = np.array(values)
    _record(metric, first, last, out)
    return out


def _record(metric: str, first: int, last: int | None, values: np.ndarray) -> None:
    """Under tests/engine/power.py (ORGABM_EFFECTS_LOG): note the per-run values, their
    mean, variance and count, for the test that asked."""
    path = os.environ.get("ORGABM_EFFECTS_LOG")
    if not path or len(values) < 2:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "?").split(" ")[0]
    line = {"test": test, "metric": metric, "window": [first, last], "n": len(values),
            "mean": float(values.mean()), "var": float(values.var(ddof=1)),
            "values": [float(v) for v in values]}  # fmt: skip
    with open(path, "a") as out:
        out.write(json.dumps(line) + "\n")


def mean(models: list[OrgModel], metric: str, first: int = 1, last: int | None = None) -> float:
    """A metric averaged over steps first..last of each run, then over runs."""
    return float(np.mean(per_run(models, metric, first, last)))


def difference(high: np.ndarray, low: np.ndarray) -> tuple[float, float]:
    """(mean of high - mean of low, its standard error), the two sets of runs taken as
    independent samples (conservative for runs paired by seed)."""
    se = np.sqrt(high.var(ddof=1) / len(high) + low.var(ddof=1) / len(low))
    return float(high.mean() - low.mean()), float(se)


def gaps(path: str, low, high, metrics: list[str], base=None, reps: int = REPS,
         **window) -> dict[str, np.ndarray]:  # fmt: skip
    """{metric: per replicate, the metric at ``high`` minus at ``low``}, each averaged over
    ``window``; replicate r has the same seed at both values (the same people and
    reality). A knocked-out mechanism gives exactly 0 where nothing else uses its draws."""
    lo = runs({**(base or {}), path: low}, reps, metrics=metrics)
    hi = runs({**(base or {}), path: high}, reps, metrics=metrics)
    return {m: per_run(hi, m, **window) - per_run(lo, m, **window) for m in metrics}


def effect(path: str, low, high, metric: str, base=None, reps: int = REPS,
           **window) -> tuple[float, float]:  # fmt: skip
    """(mean of the paired differences of :func:`gaps`, its standard error)."""
    return mean_se(gaps(path, low, high, [metric], base, reps, **window)[metric])
