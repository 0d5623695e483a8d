"""Where a lesson holds: one lever's effect across sizes, tasks and reviews on or off.

    python -m orgabm.validation.lessons                       # safety 0.1 -> 0.9
    python -m orgabm.validation.lessons --lever leadership.experimentation --low 0 --high 0.25
    python -m orgabm.validation.lessons --scenario siloed_teams \
        --lever leadership.communities_of_practice --low 0 --high 0.1 --metric knowledge
    python -m orgabm.validation.lessons --scenario assignments/safety_and_complexity \
        --tasks complexity                                # simple and rugged NK tasks

Each cell runs a scenario (``learning_organization`` unless ``--scenario``) with the
cell's changes at the lever's two values, replicate r with the same seed at both
(paired), and gives the mean difference of a metric over the last 10 steps with its
standard error. A lesson stated for the defaults is one users will try elsewhere: this
grid says where it stops holding. The third axis is reviews on and off, or, for the
reviews lever itself, psychological safety 0.1 and 0.9 (reviews need reported failures).
With ``--against PRESET`` a cell compares ``--scenario`` with that preset instead (a
preset's lesson is its difference from another):

    python -m orgabm.validation.lessons --scenario command_and_control \
        --against learning_organization --metric knowledge
"""

from __future__ import annotations

import argparse
import itertools
import sys
from typing import Any

import pandas as pd

from ..analysis.stats import mean_se
from ..analysis.tables import markdown_table
from ..batch.seeds import derive_seed
from ..engine.model import OrgModel
from ..scenario import ScenarioError, load_scenario

__all__ = ["CELLS", "COMPLEXITY", "TASK_SETS", "cell_effect", "grid", "preset_effect"]

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
#: ``--tasks complexity``: NK landscapes simple (K = 0) and rugged (K = 5), for lessons
#: about complexity (the ``safety_and_complexity`` assignment's)
COMPLEXITY: dict[str, dict[str, Any]] = {
    f"NK {n}, K = {k}": {"environment.kind": "nk", "environment.dimensions": n,
                         "environment.k": k, "environment.tacit": 0.5,
                         "environment.turbulence": 0.01}
    for n in (16, 20) for k in (0, 5)}  # fmt: skip
TASK_SETS = {"default": TASKS, "complexity": COMPLEXITY}
REVIEWS_LEVER = "leadership.after_action_reviews"
SAFETY_LEVER = "leadership.psychological_safety"
#: the third axis, by lever: (its column's name, its settings by label, the path they set)
Axis = tuple[str, dict[str, float], str]
REVIEWS: Axis = ("reviews", {"reviews every 5": 5, "no reviews": 0}, REVIEWS_LEVER)
SAFETY: Axis = ("safety", {"safety 0.1": 0.1, "safety 0.9": 0.9}, SAFETY_LEVER)
CELLS = list(itertools.product(SIZES, TASKS, REVIEWS[1]))


def third_axis(lever: str) -> Axis:
    """Reviews on and off, unless the lever is the reviews' own: then safety."""
    return SAFETY if lever == REVIEWS_LEVER else REVIEWS


def cell_effect(
    lever: str, low: float, high: float, metric: str, changes: dict[str, Any], reps: int,
    seed: int = 0, scenario: str = "learning_organization",
) -> tuple[float, float]:  # fmt: skip
    """(mean paired difference high - low of ``metric`` over the last 10 steps, its SE)."""
    arms = [(scenario, {lever: low}), (scenario, {lever: high})]
    return _paired(arms, metric, changes, reps, seed)


def preset_effect(
    scenario: str, against: str, metric: str, changes: dict[str, Any], reps: int, seed: int = 0
) -> tuple[float, float]:
    """(mean paired difference ``scenario`` - ``against`` of ``metric``, its SE). The cell's
    turbulence is left out: each preset keeps its own (``turbulent_market``'s is its point)."""
    kept = {path: value for path, value in changes.items() if path != "environment.turbulence"}
    return _paired([(against, {}), (scenario, {})], metric, kept, reps, seed)


def _paired(
    arms: list[tuple[str, dict[str, Any]]], metric: str, changes: dict[str, Any], reps: int,
    seed: int,
) -> tuple[float, float]:  # fmt: skip
    """The second arm's metric over the last 10 steps minus the first's, replicate r with
    the same seed in both: the mean difference and its standard error."""
    gaps = []
    for rep in range(reps):
        values = []
        for name, own in arms:
            cfg = load_scenario(name, {**changes, **own})
            frame = OrgModel(cfg, rng=derive_seed(seed, rep), team_table=False).run()
            values.append(float(frame.metrics_frame()[metric].iloc[-10:].mean()))
        gaps.append(values[1] - values[0])
    return mean_se(gaps)


def grid(
    lever: str, low: float, high: float, metric: str, reps: int, seed: int = 0,
    scenario: str = "learning_organization", against: str | None = None,
    tasks: str = "default",
) -> str:  # fmt: skip
    """The grid as a Markdown table: one row per cell, the effect, its SE and z; with
    ``against``, the effect is ``scenario``'s difference from that preset, not the lever's.
    The cells' third part is read by its position (``CELLS`` holds the reviews' labels);
    for the reviews lever it is the safety axis's setting in that position. ``tasks``
    names one of :data:`TASK_SETS` (``complexity``: NK at K = 0 and 5)."""
    column, settings, path = third_axis(lever if against is None else "")
    labels = list(settings)
    what = f"{lever} {low} -> {high}" if against is None else f"{scenario} - {against}"
    effect_column = f"{metric}: {what}"
    rows = []
    chosen = TASK_SETS[tasks]
    cells = CELLS if tasks == "default" else list(itertools.product(SIZES, chosen, REVIEWS[1]))
    for size, task, reviews in cells:
        label = labels[list(REVIEWS[1]).index(reviews)]
        changes = {"organization.employees": size, **chosen[task], path: settings[label]}
        if against is None:
            effect, se = cell_effect(lever, low, high, metric, changes, reps, seed, scenario)
        else:
            effect, se = preset_effect(scenario, against, metric, changes, reps, seed)
        z = effect / se if se > 0 else float("nan")
        rows.append({"employees": size, "task": task, column: label, effect_column: effect,
                     "SE": se, "z": z})  # fmt: skip
        print(f"{size} {task} {label}: {effect:+.3f} (SE {se:.3f})", file=sys.stderr, flush=True)
    return markdown_table(pd.DataFrame(rows), columns={
        effect_column: lambda v: f"{v:+.3f}", "SE": lambda v: f"{v:.3f}",
        "z": lambda v: f"{v:+.1f}"})  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orgabm.validation.lessons",
                                     description=__doc__.splitlines()[0])  # fmt: skip
    parser.add_argument("--scenario", default="learning_organization")
    parser.add_argument(
        "--against",
        metavar="PRESET",
        help="compare --scenario with this preset instead of varying --lever",
    )
    parser.add_argument("--lever", default=SAFETY_LEVER)
    parser.add_argument("--low", type=float, default=0.1)
    parser.add_argument("--high", type=float, default=0.9)
    parser.add_argument("--metric", default="performance")
    parser.add_argument("--reps", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--tasks",
        choices=list(TASK_SETS),
        default="default",
        help="the tasks: March 20 and 30 and NK 16 and 20 at K = 5 (default), "
        "or NK 16 and 20 at K = 0 and 5 (complexity)",
    )
    args = parser.parse_args(argv)
    if args.reps < 2:
        parser.error(f"--reps {args.reps}: must be 2 or more (a standard error needs two)")
    try:  # the scenario and the lever's two values, checked before the long run
        for value in (args.low, args.high):
            load_scenario(args.scenario, {args.lever: value})
        if args.against is not None:
            load_scenario(args.against)
    except ScenarioError as exc:
        parser.error(str(exc))
    if args.metric not in OrgModel.metric_names():
        parser.error(f"--metric {args.metric}: choose from {', '.join(OrgModel.metric_names())}")
    print(grid(args.lever, args.low, args.high, args.metric, args.reps, args.seed,
               args.scenario, args.against, args.tasks))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
