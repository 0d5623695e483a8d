"""The full model at scale: seconds per step of learning_organization (every mechanism on)
at 100,000 employees, on one core, and the process's peak memory.

    .venv/bin/python benchmarks/bench_scale.py                # 100,000 employees, 20 steps
    .venv/bin/python benchmarks/bench_scale.py --employees 20000 --steps 50

The organization is learning_organization scaled up: teams of 10, and cross-team
ties at the same number per employee as in the 100-employee preset (4.5). Numpy's
threads are limited to one before it loads. Prints the median and the range of the
per-step times, the time to build the model, and the peak resident memory.
"""

from __future__ import annotations

import os

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

from orgabm import OrgModel, load_scenario  # noqa: E402


def scaled(employees: int, steps: int):
    """learning_organization with ``employees`` in teams of 10."""
    teams = max(1, employees // 10)
    cross = 4.5 / max(1, employees - 10)
    return load_scenario(
        "learning_organization",
        {"organization.employees": employees, "organization.teams": teams,
         "organization.network.cross_team_ties": cross, "steps": steps},
    )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    model = OrgModel(scaled(args.employees, args.steps), rng=args.seed)
    built = time.perf_counter() - started
    times = []
    for _ in range(args.steps):
        started = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - started)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"employees {args.employees:,}, ties {model.ties.degree.sum() // 2:,}, "
          f"teams {model.teams:,}")  # fmt: skip
    print(f"build {built:.2f} s; step median {statistics.median(times):.4f} s "
          f"(min {min(times):.4f}, max {max(times):.4f}) over {len(times)} steps")  # fmt: skip
    print(f"peak memory {peak_mib:,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
