"""Parameter sweeps with replicates: the spec, its runs and seeds, and running it.

A sweep is a scenario, a list of parameter points (dotted path -> value), a
number of replicates and a base seed. Run r of point p has run_id
``p * reps + r`` and the seed ``derive_seed(base, *hash(point), r)``: the
numbers never depend on the worker count, the backend or the order runs finish
in. Results stream into a :class:`~orgabm.batch.store.Store` as batches finish.
The points come from :mod:`.designs`; the backends are :mod:`.local` and :mod:`.dask`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from ..scenario import Scenario, ScenarioError, apply_overrides, load_scenario
from ..scenario.errors import ParameterError
from .dask import run_dask
from .designs import design_points, grid_points, load_design
from .errors import SweepCancelledError, SweepError, SweepParameterError
from .local import run_local
from .seeds import derive_seed
from .store import Store, StoreError, StoreWriteError

__all__ = ["Sweep", "SweepSummary", "run_sweep", "sweep"]


# --------------------------------------------------------------------------- the sweep
def point_words(point: Mapping[str, Any]) -> list[int]:
    """Four 32-bit words identifying a point by its values (for seeds)."""
    digest = hashlib.sha256(json.dumps(point, sort_keys=True, default=str).encode()).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


@dataclass
class Sweep:
    """A validated sweep: the base scenario, its points, replicates and base seed."""

    scenario: Scenario
    points: list[dict[str, Any]]
    reps: int = 1
    seed: int = 0
    model: str | None = None
    spec: dict[str, Any] = field(default_factory=dict)
    common_seeds: bool = False
    """Every point uses the same replicate seeds (common random numbers)."""
    metrics: list[str] | None = None
    """The metrics each run records (None: all of the model's)."""

    @classmethod
    def build(
        cls,
        scenario: Scenario | Mapping[str, Any] | str | Path | None,
        points: Iterable[Mapping[str, Any]],
        *,
        reps: int = 1,
        seed: int = 0,
        steps: int | None = None,
        overrides: Mapping[str, Any] | None = None,
        model: str | None = None,
        spec: Mapping[str, Any] | None = None,
        common_seeds: bool = False,
        round_integers: bool = False,
        metrics: Sequence[str] | None = None,
    ) -> Sweep:
        """Load the scenario and check every point makes a valid scenario.

        Seeds derive from (seed, point, replicate); with ``common_seeds``, from
        (seed, replicate) only, so that every point sees the same random numbers.
        ``round_integers`` rounds sampled values of whole-number settings. ``metrics``
        names the metrics to record (None: all): fewer make small runs faster.
        """
        sets = dict(overrides or {})
        if steps is not None:
            sets["steps"] = steps
        if reps < 1:
            raise SweepParameterError("reps", reps, "must be 1 or more")
        if seed < 0:
            raise SweepParameterError("seed", seed, "must be 0 or more")
        base = scenario if isinstance(scenario, Scenario) and not sets else load_scenario(
            scenario, sets)  # fmt: skip
        listed = [dict(p) for p in points] or [{}]
        if round_integers:
            whole = base.whole_number_paths({path for point in listed for path in point})
            listed = [{k: (round(v) if k in whole and isinstance(v, float) else v)
                       for k, v in point.items()} for point in listed]  # fmt: skip
        seen: set[str] = set()
        for point in listed:
            key = json.dumps(point, sort_keys=True, default=str)
            if key in seen:
                said = ", ".join(f"{k}={v}" for k, v in point.items())
                raise SweepError(f"the point {said} appears twice: give each point once")
            seen.add(key)
        data = base.model_dump(mode="json")
        for point in listed:
            try:
                load_scenario(apply_overrides(data, point))
            except ScenarioError as exc:
                said = ", ".join(f"{k}={v}" for k, v in point.items())
                detail = str(exc).removeprefix("scenario: ")
                raise SweepError(f"the point {said}: {detail}") from None
        chosen = None
        try:
            if model:  # a module of the user's: import it now, for a clear error
                from .worker import load_model_class

                model_class = load_model_class(model)
                known, owner = model_class.chosen_metrics(None), model_class.__name__
            else:  # orgabm's own: its metrics, without Mesa (the workers import it)
                from ..engine.metrics import METRICS

                known, owner = METRICS, "OrgModel"
        except (ImportError, AttributeError, TypeError, ValueError) as exc:
            raise SweepParameterError("model", model, str(exc)) from None
        if metrics is not None:
            from ..engine.metrics import chosen as choose

            try:
                chosen = list(choose(metrics, known, owner))
            except ParameterError as exc:
                raise SweepParameterError(exc.parameter, exc.value, exc.allowed) from None
        return cls(base, listed, reps, seed, model, dict(spec or {}), common_seeds, chosen)

    @property
    def parameters(self) -> list[str]:
        """The varied paths, in order."""
        seen: dict[str, None] = {}
        for point in self.points:
            seen.update(dict.fromkeys(point))
        return list(seen)

    @property
    def size(self) -> int:
        """Number of runs."""
        return len(self.points) * self.reps

    def runs(self) -> list[dict[str, Any]]:
        """Every run: run_id, seed, rep and its point."""
        out = []
        for index, point in enumerate(self.points):
            words = [] if self.common_seeds else point_words(point)
            for rep in range(self.reps):
                out.append({"run_id": index * self.reps + rep, "rep": rep, "point": point,
                            "seed": derive_seed(self.seed, *words, rep)})  # fmt: skip
        return out

    def manifest(self) -> dict[str, Any]:
        """What the store records: the sweep (compared on resume) and the versions."""
        from ..version import versions

        return {
            "sweep": {
                "scenario": self.scenario.model_dump(mode="json"),
                "parameters": self.parameters,
                "points": self.points,
                "reps": self.reps,
                "seed": self.seed,
                "model": self.model,
                "common_seeds": self.common_seeds,
                # only when chosen: a folder made before the choice existed still resumes
                **({"metrics": self.metrics} if self.metrics is not None else {}),
            },
            "spec": self.spec,
            "versions": versions(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }  # fmt: skip


@dataclass
class SweepSummary:
    """What a sweep did: how many runs were done now, before, and failed."""

    root: Path
    total: int
    skipped: int
    ran: int
    failed: int
    seconds: float
    errors: dict[int, str] = field(default_factory=dict)

    def line(self) -> str:
        """One line for the terminal."""
        if self.ran:
            rate = self.ran / self.seconds if self.seconds > 0 else float("nan")
            now = f"{self.ran:,} run now in {self.seconds:,.1f} s ({rate:,.1f} runs/s)"
        else:
            now = "nothing left to run"
        text = f"{self.total:,} runs in {self.root}: {now}, {self.skipped:,} already stored"
        if self.failed:
            first = next(iter(self.errors.items()), None)
            text += f"; {self.failed:,} FAILED"
            if first:
                text += f" (run {first[0]}: {first[1]})"
        return text


class _Progress:
    """The progress bar, and a callback told (done, total) at every update."""

    def __init__(
        self, bar: tqdm, total: int, done: int, callback: Callable[[int, int], None] | None
    ) -> None:
        self.bar, self.total, self.done, self.callback = bar, total, done, callback
        if callback is not None:
            callback(done, total)

    def update(self, count: int) -> None:
        self.bar.update(count)
        self.done += count
        if self.callback is not None:
            self.callback(self.done, self.total)


def _note(message: str) -> None:
    print(f"orgabm: {message}", file=sys.stderr, flush=True)


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    *,
    workers: int | None = None,
    backend: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    progress: bool | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    nice: int = 0,
    notify: Callable[[str], None] | None = None,
) -> SweepSummary:
    """Run a sweep into the folder ``out``, skipping runs already stored there.

    ``workers`` defaults to the number of CPUs. ``progress=None`` shows a progress
    bar only on a terminal. ``on_progress(done, total)`` is called as runs finish;
    setting ``cancel`` (local backend) stops the workers and raises SweepCancelledError.
    ``nice`` lowers the local workers' CPU priority (a server's background sweeps).
    ``notify(line)`` is told what the user should know: that another sweep holds
    the folder (this one waits for it), or that a damaged part was set aside;
    by default these lines go to stderr.

    One sweep at a time writes into a folder; a second waits for the first and
    then runs what is left (nothing, if the first finished). A folder that cannot
    be written (a full disk, read-only) is a one-line SweepError saying how many
    runs are stored; the temporary files are removed.
    """
    if backend not in ("local", "dask"):
        raise SweepParameterError("backend", backend, "must be local or dask")
    if workers is not None and workers < 1:
        raise SweepParameterError("workers", workers, "must be 1 or more (None: every CPU)")
    workers = workers or os.cpu_count() or 1

    def waiting() -> None:
        if cancel is not None and cancel.is_set():
            raise SweepCancelledError("cancelled")

    store = Store(out)
    try:
        store.open(sweep.manifest(), notify=notify or _note, waiting=waiting)
    except StoreError as exc:
        raise SweepError(str(exc)) from None
    try:
        return _run_open(sweep, store, workers, backend, scheduler, progress, on_progress,
                         cancel, nice)  # fmt: skip
    except StoreWriteError as exc:
        raise SweepError(_write_failure(store, exc, sweep.size)) from None
    except StoreError as exc:
        raise SweepError(str(exc)) from None
    finally:
        store.close()


def _write_failure(store: Store, exc: StoreWriteError, total: int) -> str:
    """Remove the temporary files; one line: what failed and how many runs are stored."""
    with contextlib.suppress(OSError):
        store.clean()
    runs = store.consolidate_quietly()
    hint = "free some space" if exc.full else "make the folder writable"
    return (f"{exc}; {len(runs):,} of {total:,} runs are stored; {hint} and run the same "
            "command again to finish")  # fmt: skip


def _run_open(
    sweep: Sweep, store: Store, workers: int, backend: str, scheduler: str | None,
    progress: bool | None, on_progress: Callable[[int, int], None] | None,
    cancel: threading.Event | None, nice: int,
) -> SweepSummary:  # fmt: skip
    """The sweep, in a store that is open (and locked)."""
    out = store.root
    succeeded, _ = store.done()
    todo = [run for run in sweep.runs() if run["run_id"] not in succeeded]
    if sweep.common_seeds:  # replicate by replicate: a worker's runs then share their draws
        todo.sort(key=lambda run: (run["rep"], run["run_id"]))
    scenario = sweep.scenario.model_dump(mode="json")
    started = time.perf_counter()
    disable = None if progress is None else not progress
    with tqdm(total=sweep.size, initial=sweep.size - len(todo), unit="run", desc="sweep",
              disable=disable, smoothing=0.1) as bar:  # fmt: skip
        tracked = _Progress(bar, sweep.size, sweep.size - len(todo), on_progress)
        try:
            if todo and backend == "local":
                run_local(scenario, sweep.model, store, todo, workers, tracked.update, cancel,
                          nice, sweep.metrics)  # fmt: skip
            elif todo:
                run_dask(scenario, sweep.model, store, todo, scheduler, workers, tracked.update,
                         sweep.metrics)  # fmt: skip
        except (KeyboardInterrupt, SweepCancelledError):
            store.consolidate_quietly()  # runs.parquet holds what was committed
            raise
    store.consolidate()
    runs = store.runs()
    errors = runs.loc[runs["error"].notna()] if "error" in runs else runs.iloc[0:0]
    return SweepSummary(
        root=Path(out), total=sweep.size, skipped=sweep.size - len(todo), ran=len(todo),
        failed=len(errors), seconds=time.perf_counter() - started,
        errors=dict(zip(errors["run_id"].tolist(), errors["error"].tolist(), strict=True)),
    )  # fmt: skip


def sweep(
    scenario: Scenario | Mapping[str, Any] | str | Path | None = None,
    vary: Mapping[str, Sequence[Any]] | None = None,
    *,
    points: Iterable[Mapping[str, Any]] | None = None,
    design: str | Path | None = None,
    reps: int = 1,
    seed: int = 0,
    steps: int | None = None,
    overrides: Mapping[str, Any] | None = None,
    workers: int | None = None,
    backend: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    out: str | Path | None = None,
    model: str | None = None,
    progress: bool | None = None,
    common_seeds: bool = False,
    metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Run a sweep and return its runs (one row per run), for notebooks and scripts.

    ``common_seeds``: replicate r has the same seed at every point, so points are compared
    run by run (paired) and their differences have smaller standard errors. ``metrics``:
    the metrics to record (None: all); a small organization runs up to twice as fast
    with one.

    Give the points as ``vary`` (path -> values: every combination), ``points``
    (explicit), or a ``design`` file. With ``out`` the results stay in that
    folder (resumable; read them with ``load_results``); without it they live in
    a temporary folder that is removed afterwards.
    """
    given = [x is not None for x in (vary, points, design)]
    if sum(given) > 1:
        raise SweepError("give the points one way: vary, points or design")
    for path, values in (vary or {}).items():
        if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
            raise SweepError(f"vary[{path!r}]: give a list of values, e.g. [0.1, 0.5, 0.9]")
    chosen: Sequence[Mapping[str, Any]]
    if design is not None:
        chosen = design_points(load_design(design))
    elif points is not None:
        chosen = list(points)
    else:
        chosen = grid_points(vary or {})
    spec = {"vary": {k: list(v) for k, v in (vary or {}).items()}, "design": str(design or "")}
    built = Sweep.build(scenario, chosen, reps=reps, seed=seed, steps=steps,
                        overrides=overrides, model=model, spec=spec,
                        round_integers=design is not None,
                        common_seeds=common_seeds, metrics=metrics)  # fmt: skip
    if out is not None:
        run_sweep(built, out, workers=workers, backend=backend, scheduler=scheduler,
                  progress=progress)  # fmt: skip
        return Store(out).runs()
    with tempfile.TemporaryDirectory(prefix="orgabm-sweep-") as tmp:
        run_sweep(built, tmp, workers=workers, backend=backend, scheduler=scheduler,
                  progress=progress)  # fmt: skip
        return Store(tmp).runs()
