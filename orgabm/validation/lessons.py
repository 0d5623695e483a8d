"""Where a lesson holds: one lever's effect across sizes, tasks and reviews on or off.

    python -m orgabm.validation.lessons                       # safety 0.1 -> 0.9
    python -m orgabm.validation.lessons --lever leadership.experimentation --low 0 --high 0.25

Each cell runs ``learning_organization`` with the cell's changes at the lever's two
values, replicate r with the same seed at both (paired), and gives the mean difference
of a metric over the last 10 steps with its standard error. A lesson stated for the
defaults is one users will try elsewhere: this grid says where it stops holding.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from typing import Any

import numpy as np

from ..batch.seeds import derive_seed
from ..engine.model import OrgModel
from ..scenario import load_scenario

__all__ = ["CELLS", "cell_effect", "grid"]

#: The grid: organization size, task (March's reality or an NK landscape) and reviews.
SIZES = (50, 100, 500)
TASKS: dict[str, dict[str, Any]] = {"March, 20 dimensions": {"environment.dimensions": 20},
         "March, 30 dimensions": {"environment.dimensions": 30},
         "NK 16, K = 5": {"environment.kind": "nk", "environment.dimensions": 16,
                          "environment.k": 5, "environment.tacit": 0.5,
                          "environment.turbulence": 0.01},
         "NK 20, K = 5": {"environment.kind": "nk", "environment.dimensions": 20,
                          "environment.k": 5, "environment.tacit": 0.5,
                          "environment.turbulence": 0.01}}  # fmt: skip
REVIEWS = {"reviews every 5": 5, "no reviews": 0}
CELLS = list(itertools.product(SIZES, TASKS, REVIEWS))


def cell_effect(
    lever: str, low: float, high: float, metric: str, changes: dict[str, Any], reps: int,
    seed: int = 0,
) -> tuple[float, float]:  # fmt: skip
    """(mean paired difference high - low of ``metric`` over the last 10 steps, its SE)."""
    gaps = []
    for rep in range(reps):
        values = []
        for value in (low, high):
            cfg = load_scenario("learning_organization", {**changes, lever: value})
            frame = OrgModel(cfg, rng=derive_seed(seed, rep), team_table=False).run()
            values.append(float(frame.metrics_frame()[metric].iloc[-10:].mean()))
        gaps.append(values[1] - values[0])
    gaps_array = np.asarray(gaps)
    return float(gaps_array.mean()), float(gaps_array.std(ddof=1) / np.sqrt(len(gaps_array)))


def grid(lever: str, low: float, high: float, metric: str, reps: int, seed: int = 0) -> str:
    """The grid as a Markdown table: one row per cell, the effect, its SE and z."""
    lines = [f"| employees | task | reviews | {metric}: {lever} {low} -> {high} | SE | z |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for size, task, reviews in CELLS:
        changes = {"organization.employees": size, **TASKS[task],
                   "leadership.after_action_reviews": REVIEWS[reviews]}  # fmt: skip
        effect, se = cell_effect(lever, low, high, metric, changes, reps, seed)
        z = effect / se if se > 0 else float("nan")
        lines.append(f"| {size} | {task} | {reviews} | {effect:+.3f} | {se:.3f} | {z:+.1f} |")
        print(lines[-1], file=sys.stderr, flush=True)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orgabm.validation.lessons",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("--lever", default="leadership.psychological_safety")
    parser.add_argument("--low", type=float, default=0.1)
    parser.add_argument("--high", type=float, default=0.9)
    parser.add_argument("--metric", default="performance")
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.reps < 2:
        parser.error(f"--reps {args.reps}: must be 2 or more (a standard error needs two)")
    print(grid(args.lever, args.low, args.high, args.metric, args.reps, args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
