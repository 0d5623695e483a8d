"""Parameter sweeps with replicates: specs, seeds, and running them on a backend.

A sweep is a scenario, a list of parameter points (dotted path -> value), a
number of replicates and a base seed. Run r of point p has run_id
``p * reps + r`` and the seed ``derive_seed(base, *hash(point), r)``: the
numbers never depend on the worker count, the backend or the order runs finish
in. Results stream into a :class:`~orgabm.batch.store.Store` as batches finish.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import itertools
import json
import math
import os
import queue
import subprocess
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
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from tqdm.auto import tqdm

from ..scenario import Scenario, ScenarioError, apply_overrides, load_scenario, parse_override
from .child import child_env, python_command
from .seeds import derive_seed
from .store import Store, StoreError, StoreWriteError
from .worker import PARENT_ENV

__all__ = [
    "Sweep",
    "SweepCancelledError",
    "SweepError",
    "SweepSummary",
    "dask_security",
    "design_points",
    "grid_points",
    "parse_vary",
    "run_sweep",
    "sweep",
]


class SweepError(ValueError):
    """A sweep that cannot run as asked; the message is one line."""


# --------------------------------------------------------------------------- specs
def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``PATH=SPEC`` -> (path, values). SPEC is ``a,b,c`` or ``start:stop:count``."""
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    example = "e.g. leadership.socialization=0.1,0.5,0.9 or leadership.socialization=0.1:0.9:9"
    if not sep or not path or not spec:
        raise SweepError(f"--vary {text!r}: expected PATH=SPEC, {example}")
    if ":" in spec:
        parts = spec.split(":")
        try:
            start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
            if len(parts) != 3 or count < 1:
                raise ValueError
        except (ValueError, IndexError):
            raise SweepError(
                f"--vary {text!r}: a range is start:stop:count with a whole count of 1 or more, "
                f"{example}"
            ) from None
        values = [float(v) for v in np.linspace(start, stop, count)]
        values = [round(v, 12) for v in values]
    else:
        values = [parse_override(f"x={item}")[1] for item in spec.split(",")]
        if any(v == "" for v in values):
            raise SweepError(f"--vary {text!r}: an empty value in the list, {example}")
    if len(set(map(repr, values))) != len(values):
        raise SweepError(f"--vary {text!r}: a value is repeated")
    return path, values


def grid_points(vary: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the varied values (the first path varies slowest)."""
    paths = list(vary)
    return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*vary.values())]


class _Range(BaseModel):
    model_config = ConfigDict(extra="forbid")
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> _Range:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        return self


class _Steps(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: float
    stop: float
    count: int = Field(ge=1)


class Design(BaseModel):
    """A sweep design file: a grid of values, or a Latin hypercube or Sobol sample of ranges."""

    model_config = ConfigDict(extra="forbid")
    design: Literal["grid", "lhs", "sobol"] = "grid"
    samples: int | None = Field(None, ge=1, description="points, for lhs and sobol")
    seed: int = Field(0, ge=0, description="the sampler's seed")
    parameters: dict[str, list[Any] | _Steps | _Range]

    @model_validator(mode="after")
    def _consistent(self) -> Design:
        if not self.parameters:
            raise ValueError("parameters: give at least one scenario path")
        for path, spec in self.parameters.items():
            if self.design == "grid" and isinstance(spec, _Range):
                raise ValueError(
                    f"parameters.{path}: a grid takes a list or start/stop/count, not low/high"
                )
            if self.design != "grid" and not isinstance(spec, _Range):
                raise ValueError(f"parameters.{path}: {self.design} takes low/high ranges")
        if self.design != "grid" and self.samples is None:
            raise ValueError(f"samples: {self.design} needs the number of points")
        if self.design == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"samples: {self.samples} is not allowed: sobol needs a power of 2")
        return self


def design_points(design: Design) -> list[dict[str, Any]]:
    """The points of a design: the grid's combinations, or the sampler's points."""
    if design.design == "grid":
        vary = {}
        for path, spec in design.parameters.items():
            if isinstance(spec, _Steps):
                vary[path] = [round(float(v), 12)
                              for v in np.linspace(spec.start, spec.stop, spec.count)]  # fmt: skip
            else:
                vary[path] = list(spec)
        return grid_points(vary)
    from scipy.stats import qmc

    paths = list(design.parameters)
    dims = len(paths)
    if design.design == "lhs":
        unit = qmc.LatinHypercube(d=dims, seed=design.seed).random(design.samples)
    else:
        unit = qmc.Sobol(d=dims, scramble=True, seed=design.seed).random(design.samples)
    lows = np.array([design.parameters[p].low for p in paths])
    highs = np.array([design.parameters[p].high for p in paths])
    values = qmc.scale(unit, lows, highs)
    return [{p: float(v) for p, v in zip(paths, row, strict=True)} for row in values]


#: Words people use for a design file's keys.
DESIGN_SYNONYMS = {"kind": "design", "type": "design", "method": "design", "sampler": "design",
                   "n": "samples", "params": "parameters", "vary": "parameters"}  # fmt: skip


def load_design(path: str | Path) -> Design:
    """A design file, validated, or a one-line SweepError."""
    from ..scenario import read_yaml

    try:
        data = read_yaml(Path(path))
    except ScenarioError as exc:
        raise SweepError(str(exc)) from None
    try:
        return Design.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(x) for x in err["loc"]) or "(top level)"
            said = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                allowed = list(Design.model_fields)
                key = str(err["loc"][-1])
                close = difflib.get_close_matches(key, allowed, n=1) or (
                    [DESIGN_SYNONYMS[key]] if key in DESIGN_SYNONYMS else [])  # fmt: skip
                hint = f"; did you mean '{close[0]}'?" if close else ""
                said = f"unknown key (allowed: {', '.join(allowed)}){hint}"
            problems.append(f"{where}: {said}")
        raise SweepError(f"{path}: " + "; ".join(problems)) from None


# --------------------------------------------------------------------------- the sweep
def point_words(point: Mapping[str, Any]) -> list[int]:
    """Four 32-bit words identifying a point by its values (for seeds)."""
    digest = hashlib.sha256(json.dumps(point, sort_keys=True, default=str).encode()).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]


def _integer_paths(scenario: Scenario, paths) -> set[str]:
    """The paths that hold whole numbers (sampled values get rounded for them)."""
    found = set()
    for path in paths:
        try:
            value = scenario.get(path)
        except AttributeError:  # an unknown path: the validation of the points names it
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            found.add(path)
    return found


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
    ) -> Sweep:
        """Load the scenario and check every point makes a valid scenario.

        Seeds derive from (seed, point, replicate); with ``common_seeds``, from
        (seed, replicate) only, so that every point sees the same random numbers.
        ``round_integers`` rounds sampled values of whole-number settings.
        """
        sets = dict(overrides or {})
        if steps is not None:
            sets["steps"] = steps
        if reps < 1:
            raise SweepError(f"--reps {reps}: must be 1 or more")
        if seed < 0:
            raise SweepError(f"--seed {seed}: must be 0 or more")
        base = scenario if isinstance(scenario, Scenario) and not sets else load_scenario(
            scenario, sets)  # fmt: skip
        points = [dict(p) for p in points] or [{}]
        if round_integers:
            whole = _integer_paths(base, {path for point in points for path in point})
            points = [{k: (round(v) if k in whole and isinstance(v, float) else v)
                       for k, v in point.items()} for point in points]  # fmt: skip
        seen: set[str] = set()
        for point in points:
            key = json.dumps(point, sort_keys=True, default=str)
            if key in seen:
                said = ", ".join(f"{k}={v}" for k, v in point.items())
                raise SweepError(f"the point {said} appears twice: give each point once")
            seen.add(key)
        data = base.model_dump(mode="json")
        for point in points:
            try:
                load_scenario(apply_overrides(data, point))
            except ScenarioError as exc:
                said = ", ".join(f"{k}={v}" for k, v in point.items())
                detail = str(exc).removeprefix("scenario: ")
                raise SweepError(f"the point {said}: {detail}") from None
        if model is not None:
            from .worker import load_model_class

            try:
                load_model_class(model)
            except (ImportError, AttributeError, TypeError, ValueError) as exc:
                raise SweepError(f"--model {model}: {exc}") from None
        return cls(base, points, reps, seed, model, dict(spec or {}), common_seeds)

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


# --------------------------------------------------------------------------- backends
def _batches(runs: list[dict[str, Any]], workers: int) -> list[list[dict[str, Any]]]:
    """Split runs into batches: about eight per worker, at most 50 runs each."""
    size = max(1, min(50, math.ceil(len(runs) / (8 * max(1, workers)))))
    return [runs[i : i + size] for i in range(0, len(runs), size)]


class _LocalWorker:
    """One ``python -m orgabm.batch.worker`` process and a thread that reads its answers."""

    def __init__(
        self, index: int, root: Path, sweep_message: str, answers: queue.Queue, nice: int = 0,
        model: str | None = None,
    ) -> None:  # fmt: skip
        env = child_env(model)
        if nice:
            env["ORGABM_WORKER_NICE"] = str(nice)
        env[PARENT_ENV] = str(os.getpid())  # the worker dies with us (worker.die_with_parent)
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.setdefault("OMP_NUM_THREADS", "1")
        self.index = index
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - read if the worker dies
        self.process = subprocess.Popen(
            python_command("-m", "orgabm.batch.worker", str(root)),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            text=True, bufsize=1, env=env,
        )  # fmt: skip
        self.batch: tuple[int, list[dict[str, Any]]] | None = None
        self.ran = 0
        self.process.stdin.write(sweep_message + "\n")
        self.process.stdin.flush()
        self.reader = threading.Thread(target=self._read, args=(answers,), daemon=True)
        self.reader.start()

    def _read(self, answers: queue.Queue) -> None:
        for line in self.process.stdout:
            answers.put((self.index, json.loads(line)))
        answers.put((self.index, {"exit": self.process.wait()}))

    def send(self, batch_id: int, runs: list[dict[str, Any]]) -> None:
        self.batch = (batch_id, runs)
        self.ran = 0
        self.process.stdin.write(json.dumps({"batch": batch_id, "runs": runs}) + "\n")
        self.process.stdin.flush()

    def last_error(self) -> str:
        """The last line the worker wrote to stderr, or how it exited."""
        self.stderr.seek(0)
        lines = [line.strip() for line in self.stderr.read().splitlines() if line.strip()]
        return lines[-1] if lines else f"exit code {self.process.poll()}"

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=10)
        for stream in (self.process.stdin, self.process.stdout, self.stderr):
            with contextlib.suppress(OSError):  # a broken pipe to a killed worker
                stream.close()


class _Feed:
    """Hands out batches of runs, sized to take about a second each once timings are known."""

    def __init__(self, runs: list[dict[str, Any]], workers: int) -> None:
        self.runs = list(reversed(runs))
        self.workers = workers
        self.size = _batches(runs, workers)[0].__len__() if runs else 1
        self.count = 0

    def __bool__(self) -> bool:
        return bool(self.runs)

    def learn(self, seconds_per_run: float) -> None:
        """Resize batches to about one second (at most 500 runs, and a fair share of the rest)."""
        if seconds_per_run > 0:
            self.size = max(1, min(500, round(1.0 / seconds_per_run)))

    def next(self) -> tuple[int, list[dict[str, Any]]]:
        share = max(1, math.ceil(len(self.runs) / self.workers))
        take = min(self.size, share)
        batch = [self.runs.pop() for _ in range(min(take, len(self.runs)))]
        self.count += 1
        return self.count, batch


class SweepCancelledError(SweepError):
    """The sweep was cancelled (``cancel`` was set); what was committed stays stored."""


class _Progress:
    """The progress bar, and a callback told (done, total) at every update."""

    def __init__(self, bar, total: int, done: int, callback) -> None:
        self.bar, self.total, self.done, self.callback = bar, total, done, callback
        if callback is not None:
            callback(done, total)

    def update(self, count: int) -> None:
        self.bar.update(count)
        self.done += count
        if self.callback is not None:
            self.callback(self.done, self.total)


def _run_local(
    sweep: Sweep, store: Store, todo: list[dict[str, Any]], workers: int, bar, cancel=None,
    nice: int = 0,
) -> dict:  # fmt: skip
    """The local backend: worker processes, each committing its own batches."""
    message = json.dumps({"scenario": sweep.scenario.model_dump(mode="json"),
                          "model": sweep.model})  # fmt: skip
    feed = _Feed(todo, workers)
    answers: queue.Queue = queue.Queue()
    pool = [_LocalWorker(i, store.root, message, answers, nice, sweep.model)
            for i in range(min(workers, len(todo)))]  # fmt: skip
    failed = 0
    try:
        for worker in pool:
            if feed:
                worker.send(*feed.next())
        busy = sum(w.batch is not None for w in pool)
        while busy:
            try:
                index, answer = answers.get(timeout=0.2)
            except queue.Empty:
                if cancel is not None and cancel.is_set():
                    raise SweepCancelledError("cancelled") from None
                continue
            worker = pool[index]
            if "ran" in answer:
                worker.ran += answer["ran"]
                bar.update(answer["ran"])
            elif "batch" in answer:
                failed += answer["failed"]
                feed.learn(answer["seconds"] / max(1, len(worker.batch[1])))
                worker.batch = None
                busy -= 1
                if feed:
                    worker.send(*feed.next())
                    busy += 1
            elif "exit" in answer and worker.batch is not None:
                # the worker died mid-batch: record its uncommitted runs as failed, start another
                reason = worker.last_error()
                written = StoreWriteError.from_worker(store.root, reason)
                if written is not None:  # a full disk or a read-only folder: stop the sweep
                    raise written
                committed, _ = store.done()
                lost = [r for r in worker.batch[1] if r["run_id"] not in committed]
                rows = pd.DataFrame(
                    [{"run_id": r["run_id"], "seed": r["seed"], "rep": r["rep"], **r["point"],
                      "steps": 0, "equilibrium": False,
                      "error": f"worker died: {reason}"} for r in lost]
                )  # fmt: skip
                if lost:
                    store.commit(rows, None)
                failed += len(lost)
                bar.update(len(worker.batch[1]) - worker.ran)
                worker.stop(kill=True)
                busy -= 1
                replacement = _LocalWorker(index, store.root, message, answers, nice, sweep.model)
                pool[index] = replacement
                if feed:
                    replacement.send(*feed.next())
                    busy += 1
    except BaseException:
        for worker in pool:
            worker.stop(kill=True)
        raise
    for worker in pool:
        worker.stop()
    return {"failed": failed}


#: The environment variables that name this client's TLS files for a ``tls://`` scheduler,
#: and the ``distributed.security.Security`` argument each one fills.
DASK_TLS_FILES = {"ORGABM_DASK_TLS_CA": "tls_ca_file", "ORGABM_DASK_TLS_CERT": "tls_client_cert",
                  "ORGABM_DASK_TLS_KEY": "tls_client_key"}  # fmt: skip


def dask_security(scheduler: str | None, environ: Mapping[str, str] | None = None) -> Any:
    """The ``Security`` that a ``tls://`` scheduler needs (encrypted, and this client
    proves itself with its certificate), built from the files that ``DASK_TLS_FILES``'s
    variables name; None for a ``tcp://`` one. A scheduler accepts any client that
    reaches it, and a client runs code on its workers: TLS with certificates is how a
    cluster keeps others out. Raises SweepError before connecting if the files are
    missing or do not load."""
    env = os.environ if environ is None else environ
    given = {var: env[var] for var in DASK_TLS_FILES if env.get(var)}
    if not (scheduler or "").lower().startswith("tls://"):
        if scheduler and given:
            raise SweepError(f"--scheduler {scheduler}: TLS files are set ({', '.join(given)}), "
                             "so the address must start with tls://")  # fmt: skip
        return None
    missing = [var for var in ("ORGABM_DASK_TLS_CA", "ORGABM_DASK_TLS_CERT") if var not in given]
    if missing:
        raise SweepError(f"--scheduler {scheduler}: a TLS scheduler needs this client's "
                         f"certificate files; set {' and '.join(missing)} (and ORGABM_DASK_TLS_KEY "
                         "unless the certificate file holds the key)")  # fmt: skip
    for var, path in given.items():
        if not Path(path).is_file():
            raise SweepError(f"{var}={path}: no such file (for --scheduler {scheduler})")
    from distributed.security import Security

    security = Security(require_encryption=True,
                        **{DASK_TLS_FILES[var]: path for var, path in given.items()})  # fmt: skip
    try:
        security.get_connection_args("client")  # loads the files: fail here, not mid-connect
    except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
        files = ", ".join(f"{var}={path}" for var, path in given.items())
        raise SweepError(f"--scheduler {scheduler}: the TLS files do not load ({files}): "
                         f"{exc}") from None  # fmt: skip
    return security


def _run_dask(
    sweep: Sweep, store: Store, todo: list[dict[str, Any]], scheduler: str | None, workers: int,
    bar,
) -> dict:  # fmt: skip
    """The Dask backend: batches go to a cluster; this process commits what comes back."""
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise SweepError("--backend dask needs Dask: pip install 'orgabm[cluster]'") from None
    from .worker import run_batch

    security = dask_security(scheduler)
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s", security=security)
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   host="127.0.0.1", dashboard_address=None)  # fmt: skip
            client = Client(cluster)
    except OSError as exc:
        raise SweepError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
    failed = 0
    try:
        scenario = sweep.scenario.model_dump(mode="json")
        futures = [client.submit(run_batch, scenario, batch, sweep.model, pure=False)
                   for batch in _batches(todo, workers)]  # fmt: skip
        for future in as_completed(futures):
            runs, steps = future.result()
            store.commit(runs, steps)
            failed += int(runs["error"].notna().sum())
            bar.update(len(runs))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return {"failed": failed}


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
        raise SweepError(f"--backend {backend!r}: must be local or dask")
    workers = workers or os.cpu_count() or 1
    if workers < 1:
        raise SweepError(f"--workers {workers}: must be 1 or more")

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
    progress: bool | None, on_progress, cancel, nice: int,
) -> SweepSummary:  # fmt: skip
    """The sweep, in a store that is open (and locked)."""
    out = store.root
    succeeded, _ = store.done()
    todo = [run for run in sweep.runs() if run["run_id"] not in succeeded]
    if sweep.common_seeds:  # replicate by replicate: a worker's runs then share their draws
        todo.sort(key=lambda run: (run["rep"], run["run_id"]))
    started = time.perf_counter()
    disable = None if progress is None else not progress
    with tqdm(total=sweep.size, initial=sweep.size - len(todo), unit="run", desc="sweep",
              disable=disable, smoothing=0.1) as bar:  # fmt: skip
        tracked = _Progress(bar, sweep.size, sweep.size - len(todo), on_progress)
        try:
            if todo and backend == "local":
                _run_local(sweep, store, todo, workers, tracked, cancel, nice)
            elif todo:
                _run_dask(sweep, store, todo, scheduler, workers, tracked)
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
) -> pd.DataFrame:
    """Run a sweep and return its runs (one row per run), for notebooks and scripts.

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
    if design is not None:
        chosen = design_points(load_design(design))
    elif points is not None:
        chosen = list(points)
    else:
        chosen = grid_points(vary or {})
    spec = {"vary": {k: list(v) for k, v in (vary or {}).items()}, "design": str(design or "")}
    built = Sweep.build(scenario, chosen, reps=reps, seed=seed, steps=steps,
                        overrides=overrides, model=model, spec=spec,
                        round_integers=design is not None)  # fmt: skip
    if out is not None:
        run_sweep(built, out, workers=workers, backend=backend, scheduler=scheduler,
                  progress=progress)  # fmt: skip
        return Store(out).runs()
    with tempfile.TemporaryDirectory(prefix="orgabm-sweep-") as tmp:
        run_sweep(built, tmp, workers=workers, backend=backend, scheduler=scheduler,
                  progress=progress)  # fmt: skip
        return Store(tmp).runs()
