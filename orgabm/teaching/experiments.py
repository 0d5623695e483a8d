"""The experiment tab's sweeps: specified in the browser, run by the batch engine.

Plain Python (no Solara), so it is tested without a browser. An experiment's
:class:`Job` runs its sweep in one worker process; ``queue`` decides when.
"""

from __future__ import annotations

import io
import json
import math
import shutil
import tempfile
import threading
import time
import weakref
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.stats import group_means
from ..batch.errors import SweepCancelledError, SweepError
from ..batch.sweep import Sweep, run_sweep
from ..engine.metrics import METRICS
from ..scenario import Scenario, apply_overrides, load_scenario
from .levers import LEVERS, allowed_range, check_lever, is_count

__all__ = [
    "MAX_POINTS", "MAX_REPLICATES", "MAX_RUNS", "MAX_WORK", "ExperimentSpec", "Job",
    "factor_options", "lever_options",
]  # fmt: skip

#: A session's sweep may have at most this many runs (points x replicates).
MAX_RUNS = 400
#: ... and at most this many points per factor level, and replicates per point.
MAX_POINTS = 11
MAX_REPLICATES = 50
#: ... and at most this much work: runs x steps x employees (about 4 minutes of one core).
MAX_WORK = 20_000_000
#: Sweep workers run at this lower CPU priority: playing and drawing come first.
NICE = 15


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def lever_options(scenario: Scenario) -> dict[str, tuple[float, float]]:
    """The levers an experiment may vary, each with its allowed (low, high): an
    assignment's open levers, else every lever over its slider's range."""
    task = scenario.assignment
    return {name: allowed_range(task, name) for name in (task.open if task else LEVERS)}


def factor_options(scenario: Scenario, lever: str) -> dict[str, list[Any] | tuple[float, float]]:
    """The second factors offered beside ``lever``: path -> its listed values (an
    assignment's ``factors``) or the (low, high) range of another lever."""
    task = scenario.assignment
    options: dict[str, list[Any] | tuple[float, float]] = {}
    if task is not None:
        options.update((path, list(values)) for path, values in task.factors.items())
    levers = lever_options(scenario)
    options.update((f"leadership.{name}", levers[name]) for name in levers if name != lever)
    return options


@dataclass
class ExperimentSpec:
    """One lever over a range, an optional second factor, replicates, an outcome metric."""

    scenario: str
    lever: str
    low: float
    high: float
    points: int = 5
    factor: str | None = None
    factor_values: list[Any] = field(default_factory=list)
    replicates: int = 10
    metric: str = "knowledge"
    seed: int = 0

    @property
    def path(self) -> str:
        """The lever's scenario path."""
        return f"leadership.{self.lever}"

    def load(self) -> Scenario:
        """The scenario the sweep runs."""
        return load_scenario(self.scenario)

    def values(self, scenario: Scenario | None = None) -> list[Any]:
        """The lever's values: ``points`` evenly spaced (whole numbers for whole-number levers)."""
        scenario = scenario or self.load()
        raw = np.linspace(self.low, self.high, self.points)
        if scenario.whole_number_paths([self.path]):
            return list(dict.fromkeys(round(float(v)) for v in raw))
        return [round(float(v), 12) for v in raw]

    def sweep_points(self, scenario: Scenario | None = None) -> list[dict[str, Any]]:
        """The grid: the factor varies slowest, like ``orgabm sweep --vary F --vary L``."""
        values = self.values(scenario)
        if not self.factor:
            return [{self.path: v} for v in values]
        return [{self.factor: f, self.path: v} for f in self.factor_values for v in values]

    @property
    def runs(self) -> int:
        """Number of runs."""
        return self.points * max(1, len(self.factor_values) if self.factor else 1) * self.replicates

    def check_shape(self) -> None:
        """ValueError unless every field has its type and the server's caps hold (no
        scenario needed: the page's preview uses it before drawing anything)."""
        if not isinstance(self.lever, str):
            raise ValueError(f"lever {self.lever!r}: must be a lever's name")
        for key in ("low", "high"):
            if not _number(getattr(self, key)):
                raise ValueError(f"{key} {getattr(self, key)!r}: must be a number")
        if not is_count(self.points) or not 2 <= self.points <= MAX_POINTS:
            raise ValueError(f"points {self.points!r}: 2 to {MAX_POINTS}")
        if not is_count(self.replicates) or not 1 <= self.replicates <= MAX_REPLICATES:
            raise ValueError(f"replicates {self.replicates!r}: 1 to {MAX_REPLICATES}")
        if not is_count(self.seed) or self.seed < 0:
            raise ValueError(f"seed {self.seed!r}: a whole number, 0 or more")
        if self.factor is not None and not isinstance(self.factor, str):
            raise ValueError(f"second factor {self.factor!r}: must be a scenario path")
        if not isinstance(self.factor_values, list) or len(self.factor_values) > MAX_POINTS:
            raise ValueError(f"{len(self.factor_values)} values of the second factor: at most "
                             f"{MAX_POINTS}")  # fmt: skip
        if self.metric not in METRICS:
            raise ValueError(f"unknown metric {self.metric!r}")
        if not self.low <= self.high:
            raise ValueError(f"the range's low end {self.low:g} is above its high end "
                             f"{self.high:g}")  # fmt: skip
        if self.factor and not self.factor_values:
            raise ValueError(f"give the values of the second factor {self.factor}")
        if self.runs > MAX_RUNS:
            raise ValueError(f"{self.runs} runs: at most {MAX_RUNS} per experiment on this "
                             "server; use fewer points or replicates")  # fmt: skip

    def check(self) -> Scenario:
        """The scenario, or ValueError naming what is not allowed: only the levers, ranges,
        second factors and values the page offers, within the server's caps and budget."""
        self.check_shape()
        scenario = self.load()
        check_lever(scenario.assignment, self.lever, self.low, self.high)
        if self.factor:
            self._check_factor(scenario)
        work = self.work(scenario)
        if work > MAX_WORK:
            raise ValueError(f"{work:,} employee-steps (runs x steps x employees): at most "
                             f"{MAX_WORK:,} per experiment on this server; use fewer "
                             "points or replicates")  # fmt: skip
        return scenario

    def _check_factor(self, scenario: Scenario) -> None:
        options = factor_options(scenario, self.lever)
        if self.factor not in options:
            where = "this assignment" if scenario.assignment is not None else "this page"
            raise ValueError(f"second factor {self.factor}: not offered in {where} "
                             f"(choose from {', '.join(options)})")  # fmt: skip
        allowed = options[self.factor]
        for value in self.factor_values:
            if isinstance(allowed, list):
                if value not in allowed or isinstance(value, bool) != isinstance(allowed[0], bool):
                    raise ValueError(f"{self.factor} {value!r}: this assignment allows "
                                     f"{', '.join(map(str, allowed))}")  # fmt: skip
            elif not _number(value) or not allowed[0] <= value <= allowed[1]:
                raise ValueError(f"{self.factor} {value!r}: a number from {allowed[0]:g} "
                                 f"to {allowed[1]:g}")  # fmt: skip

    def work(self, scenario: Scenario | None = None) -> int:
        """Runs x steps x employees, summed over the second factor's levels (a level
        may change the steps or the size)."""
        scenario = scenario or self.load()
        if not self.factor:
            return self.runs * scenario.steps * scenario.organization.employees
        data, total = scenario.model_dump(mode="json"), 0
        for value in self.factor_values:
            level = load_scenario(apply_overrides(data, {self.factor: value}))
            total += level.steps * level.organization.employees
        return total * self.points * self.replicates

    def command(self, scenario_file: str = "scenario.yaml", out: str = "experiment") -> str:
        """The ``orgabm sweep`` command that reproduces this experiment's numbers."""
        scenario = self.load()
        parts = ["orgabm sweep", scenario_file]
        if self.factor:
            parts.append(f"--vary {self.factor}={','.join(map(repr, self.factor_values))}")
        parts.append(f"--vary {self.path}={','.join(map(repr, self.values(scenario)))}")
        parts += [f"--reps {self.replicates}", f"--seed {self.seed}", f"--out {out}"]
        return " ".join(parts)


class _Stop(threading.Event):
    """Set when the job is cancelled or its page has closed: an Event, which is what
    ``run_sweep`` takes (it polls ``is_set``), that reads the job's own events."""

    def __init__(self, *events: threading.Event | None) -> None:
        super().__init__()
        self.events = [e for e in events if e is not None]

    def is_set(self) -> bool:
        return any(e.is_set() for e in self.events)


class Job:
    """One experiment: queued, running, done, cancelled or failed.

    ``client`` is who asked (the browser's address); ``closed`` is set when the asking
    page closes or is culled, which cancels the job.
    """

    def __init__(self, spec: ExperimentSpec, scenario: Scenario, client: str | None = None,
                 closed: threading.Event | None = None) -> None:  # fmt: skip
        self.spec, self.scenario, self.client, self.closed = spec, scenario, client, closed
        self.sweep = Sweep.build(scenario, spec.sweep_points(scenario), reps=spec.replicates,
                                 seed=spec.seed, spec={"experiment": asdict(spec)})  # fmt: skip
        self.state = "queued"
        self.done, self.total = 0, self.sweep.size
        self.error: str | None = None
        self.runs: pd.DataFrame | None = None
        self.seconds = 0.0
        self.cancelled = threading.Event()
        self.folder = Path(tempfile.mkdtemp(prefix="orgabm-experiment-"))
        # the results are read into memory when done: the folder goes with the job
        weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)

    def _progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    @property
    def active(self) -> bool:
        """Queued or running, and its page still open."""
        return self.state in ("queued", "running") and not (self.closed and self.closed.is_set())

    def run(self) -> None:
        """Run the sweep (in the calling thread) with one worker process."""
        stop = _Stop(self.cancelled, self.closed)
        if stop.is_set():
            self.state = "cancelled"
            return
        self.state = "running"
        started = time.perf_counter()
        try:
            run_sweep(self.sweep, self.folder, workers=1, progress=False, nice=NICE,
                      on_progress=self._progress, cancel=stop)  # fmt: skip
            from ..batch.store import Store

            self.runs = Store(self.folder).runs()
            self.state = "done"
        except SweepCancelledError:
            self.state = "cancelled"
        except (SweepError, OSError) as exc:
            self.state, self.error = "failed", str(exc)
        finally:
            self.seconds = time.perf_counter() - started

    def cancel(self) -> None:
        """Stop it (its worker is killed); a queued job never starts."""
        self.cancelled.set()
        if self.state == "queued":
            self.state = "cancelled"

    def discard(self) -> None:
        """Cancel, and delete its folder."""
        self.cancel()
        shutil.rmtree(self.folder, ignore_errors=True)

    def summary(self) -> pd.DataFrame:
        """Mean and 95% CI of the metric for each point (factor level, lever value)."""
        if self.runs is None or self.runs.empty:
            return pd.DataFrame()
        spec = self.spec
        by = [spec.factor, spec.path] if spec.factor else [spec.path]
        return group_means(self.runs, by, [spec.metric]).drop(columns="metric")

    def manifest(self) -> dict[str, Any]:
        """What the teacher needs to reproduce the numbers."""
        from ..version import versions

        task = self.scenario.assignment
        named = None if task is None else {"name": self.scenario.name, "title": task.title}
        return {
            "assignment": named,
            "experiment": asdict(self.spec),
            "reproduce": self.spec.command(),
            "seeds": "run r of a point uses derive_seed(seed, hash(point), r); see runs.csv",
            "runs": self.sweep.size,
            "seconds": round(self.seconds, 2),
            "versions": versions(),
        }

    def export(self) -> bytes:
        """A zip: runs.csv (one row per run, with its seed), summary.csv, manifest, scenario."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            runs = self.runs if self.runs is not None else pd.DataFrame()
            archive.writestr("runs.csv", runs.to_csv(index=False))
            archive.writestr("summary.csv", self.summary().to_csv(index=False))
            archive.writestr("manifest.json", json.dumps(self.manifest(), indent=2))
            archive.writestr("scenario.yaml", self.scenario.to_yaml())
        return buffer.getvalue()
