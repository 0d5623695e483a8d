"""An NK step against a March-reality step of the same scenario, side by side.

    .venv/bin/python benchmarks/bench_nk.py                    # 100 employees, 150 steps
    .venv/bin/python benchmarks/bench_nk.py --employees 1000 --repeats 9

The scenario is ``learning_organization`` (its turbulence redraws about one dimension
in three steps) with March's reality, then with an NK landscape (N = 20, K = 5, and
K = 0), and with ten times the turbulence. Each figure is the median over repeats of
the ms per step of a fresh model stepped ``--steps`` times (the team table off, as in
sweeps); the kinds take turns within each repeat, so a busy machine slows them alike.
The ratio is NK's median over March's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from orgabm import OrgModel, load_scenario

NK = {"environment.kind": "nk", "environment.dimensions": 20}
KINDS = {
    "march reality": {},
    "nk, K = 5": {**NK, "environment.k": 5},
    "nk, K = 0": {**NK, "environment.k": 0},
    "nk, K = 5, turbulence 0.1": {**NK, "environment.k": 5, "environment.turbulence": 0.1},
}


def ms_per_step(overrides: dict, employees: int, steps: int, seed: int) -> float:
    """Milliseconds per step of a fresh model (building it is not timed)."""
    cfg = load_scenario("learning_organization", {
        "organization.employees": employees, "steps": steps, "stop_at_equilibrium": False,
        **overrides})  # fmt: skip
    model = OrgModel(cfg, rng=seed, team_table=False)
    started = time.perf_counter()
    for _ in range(steps):
        model.step()
    return (time.perf_counter() - started) / steps * 1e3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=100)
    parser.add_argument("--steps", type=int, default=150)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in KINDS}
    for seed in range(args.repeats):
        for name, overrides in KINDS.items():
            times[name].append(ms_per_step(overrides, args.employees, args.steps, seed))
    march = statistics.median(times["march reality"])
    print(f"{args.employees} employees, {args.steps} steps, median of {args.repeats}")
    print(f"{'reality':<28} {'ms/step':>8} {'vs march':>9}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:<28} {median:>8.3f} {median / march:>8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
