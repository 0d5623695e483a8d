"""The full model's step at 100,000 employees against the floor of the work it must do.

    .venv/bin/python benchmarks/bench_floor.py                   # 100,000 employees
    .venv/bin/python benchmarks/bench_floor.py --employees 20000 --repeats 15

The floor is what no implementation of the step can skip on this machine: one pass over
each of the engine state's arrays (a copy into a buffer made beforehand) and the random
draws the step makes. The draws are counted, not guessed: one step runs with every
generator of the model wrapped so that it records each call's method, type and size, and
the floor draws the same numbers in one call per kind. The model is bench_scale.py's
(learning_organization in teams of 10, every mechanism on), on one core. Step and floor
take turns, and the ratio is of their medians.
"""

from __future__ import annotations

import os

for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import argparse  # noqa: E402
import dataclasses  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import scaled  # noqa: E402

from orgabm import OrgModel  # noqa: E402


class Counting:
    """A numpy Generator that records how much each call draws: (method, dtype) -> count."""

    def __init__(self, generator: np.random.Generator, drawn: Counter) -> None:
        self._generator, self._drawn = generator, drawn

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._generator, name)
        if not callable(method):
            return method

        def call(*args: Any, **kwargs: Any) -> Any:
            out = method(*args, **kwargs)
            if isinstance(out, bytes):
                self._drawn[(name, "bytes")] += len(out)
            else:
                self._drawn[(name, np.asarray(out).dtype.str)] += int(np.size(out))
            return out

        return call


def draws_of_one_step(model: OrgModel) -> Counter:
    """Step once with every generator counted; what was drawn, by method and type."""
    drawn: Counter = Counter()
    rng, streams = model.rng, dict(model.streams)
    model.rng = Counting(rng, drawn)  # type: ignore[assignment]
    model.streams = {name: Counting(g, drawn) for name, g in streams.items()}  # type: ignore[misc]
    try:
        model.step()
    finally:
        model.rng, model.streams = rng, streams
    return drawn


def floor(arrays: list[np.ndarray], buffers: list[np.ndarray], drawn: Counter,
          rng: np.random.Generator) -> None:  # fmt: skip
    """One pass over each array, and the step's draws, one call per kind."""
    for array, buffer in zip(arrays, buffers, strict=True):
        np.copyto(buffer, array)
    for (method, dtype), count in drawn.items():
        if method == "bytes":
            rng.bytes(count)
        elif method == "integers":
            kind = np.dtype(dtype)
            rng.integers(0, np.iinfo(kind).max, size=count, dtype=kind)
        elif dtype == np.dtype(np.float32).str:
            rng.random(count, dtype=np.float32)
        else:  # random, and other distributions (beta): uniform floats, a lower bound
            rng.random(count)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    model = OrgModel(scaled(args.employees, 2 * args.repeats + 5), rng=args.seed)
    model.step()  # the first step's one-off work (the landscape's first use) is not timed
    drawn = draws_of_one_step(model)
    state = model.state
    arrays = [value for field in dataclasses.fields(state)
              if isinstance(value := getattr(state, field.name), np.ndarray)]  # fmt: skip
    buffers = [np.empty_like(array) for array in arrays]
    rng = np.random.default_rng(args.seed)
    steps, floors = [], []
    for _ in range(args.repeats):
        started = time.perf_counter()
        model.step()
        steps.append(time.perf_counter() - started)
        started = time.perf_counter()
        floor(arrays, buffers, drawn, rng)
        floors.append(time.perf_counter() - started)
    step, least = statistics.median(steps), statistics.median(floors)
    mib = sum(a.nbytes for a in arrays) / 2**20
    print(f"employees {args.employees:,}: {len(arrays)} state arrays ({mib:.1f} MiB), "
          f"{sum(drawn.values()):,} random numbers or bytes a step")  # fmt: skip
    for (method, dtype), count in sorted(drawn.items()):
        print(f"  {method:<12} {dtype:<6} {count:>12,}")
    print(f"step median {step * 1e3:.1f} ms; floor median {least * 1e3:.1f} ms; "
          f"ratio {step / least:.1f}x (target: within 3x)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
