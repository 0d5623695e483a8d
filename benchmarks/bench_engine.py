"""Steps per second of orgabm's vectorized engine against a per-agent Mesa version of
March's model, at several organization sizes.

    .venv/bin/python benchmarks/bench_engine.py                  # 50, 2,000 and 100,000
    .venv/bin/python benchmarks/bench_engine.py --sizes 2000 --repeats 7

Each figure is the median over repeats of (steps / seconds) for a fresh model
stepped a fixed number of times; building the model is not timed. Both versions
follow March's rules with p1 = 0.1, p2 = 0.5, m = 30 and no ties (March's model
ignores the network); orgabm also records its five metrics every step.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from march_per_agent import MarchModel

from orgabm import OrgModel, load_scenario

#: steps timed per repeat, by size: enough to last a fraction of a second at least
STEPS = {50: 400, 2_000: 40, 100_000: 5}
PER_AGENT_STEPS = {50: 100, 2_000: 4, 100_000: 1}


def engine_rate(n: int, steps: int, seed: int) -> float:
    """Steps per second of OrgModel on March's scenario with n employees."""
    cfg = load_scenario(
        "march_1991",
        {"organization.employees": n, "organization.network.kind": "none",
         "stop_at_equilibrium": False, "steps": steps},
    )  # fmt: skip
    model = OrgModel(cfg, rng=seed)
    started = time.perf_counter()
    for _ in range(steps):
        model.step()
    return steps / (time.perf_counter() - started)


def per_agent_rate(n: int, steps: int, seed: int) -> float:
    """Steps per second of the per-agent Mesa version with n employees."""
    model = MarchModel(n=n, rng=seed)
    started = time.perf_counter()
    for _ in range(steps):
        model.step()
    return steps / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 2_000, 100_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-per-agent", action="store_true")
    args = parser.parse_args()
    print(f"{'employees':>10}  {'engine steps/s':>15}  {'per-agent steps/s':>18}  {'ratio':>7}")
    for n in args.sizes:
        steps = STEPS.get(n, max(1, 20_000 // n))
        engine = statistics.median(engine_rate(n, steps, s) for s in range(args.repeats))
        if args.skip_per_agent:
            print(f"{n:>10,}  {engine:>15,.1f}")
            continue
        slow_steps = PER_AGENT_STEPS.get(n, max(1, 2_000 // n))
        slow = statistics.median(per_agent_rate(n, slow_steps, s) for s in range(args.repeats))
        print(f"{n:>10,}  {engine:>15,.1f}  {slow:>18,.2f}  {engine / slow:>6.0f}x", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
