"""Running a batch of a sweep's runs, in any process: a local worker or a Dask worker.

``python -m orgabm.batch.worker FOLDER`` is the local backend's worker. It is a fresh
interpreter that imports only orgabm (never the caller's ``__main__``), so a
sweep works from a script without a ``__main__`` guard, from a notebook, and on
Windows and macOS alike. It reads JSON lines on stdin (first the sweep, then
batches), commits each batch to the store itself, and answers on stdout. It
exits when stdin closes, and when its parent dies even in the middle of a long run,
so it never outlives the sweep that started it.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import json
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported where used: a worker's first act is to tie itself to its parent
    import pandas as pd

    from ..engine.model import OrgModel

__all__ = ["load_model_class", "run_batch"]


def load_model_class(path: str | None) -> type[OrgModel]:
    """``module:Class`` (a subclass of OrgModel), or OrgModel itself for None.

    Importing the module runs its code. Raises ValueError with a one-line message if
    the module cannot be found or fails to import (whatever it raises), or the name
    is not a subclass of OrgModel.
    """
    from ..engine.model import OrgModel

    if not path:
        return OrgModel
    module, colon, name = path.partition(":")
    if not colon or not module or not name:
        raise ValueError("expected MODULE:CLASS, e.g. mypackage.models:MyModel")
    try:
        loaded = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (module == exc.name or module.startswith(exc.name + ".")):
            raise ValueError(f"no module named {exc.name!r} (is its folder on the Python "
                             "path, PYTHONPATH?)") from None  # fmt: skip
        raise ValueError(f"module {module!r} failed to import: {_said(exc)}") from None
    except (Exception, SystemExit) as exc:  # its own code: anything may fail
        raise ValueError(f"module {module!r} failed to import: {_said(exc)}") from None
    cls = getattr(loaded, name, None)
    if cls is None:
        raise ValueError(f"module {module!r} has no {name!r}")
    if not (isinstance(cls, type) and issubclass(cls, OrgModel)):
        what = f"the class {cls.__name__}" if isinstance(cls, type) else type(cls).__name__
        raise ValueError(f"{path} is {what}, not a subclass of orgabm.OrgModel")
    return cls


def _said(exc: BaseException) -> str:
    """An exception in one line: its type, the first line of its message, where it was raised."""
    lines = str(exc).strip().splitlines()
    text = f"{type(exc).__name__}: {lines[0][:200]}" if lines else type(exc).__name__
    if isinstance(exc, SyntaxError) or not exc.__traceback__:
        return text
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{text} ({where.filename}:{where.lineno})"


def run_batch(
    scenario: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]],
    model: str | None = None,
    on_run=None,
    metrics: Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run each of ``runs`` ({run_id, seed, rep, point}) and tabulate the results, with
    ``metrics`` recorded (None: all).

    Returns (one row per run, one row per run and step). A run that raises is
    recorded with its error and no steps; the others go on.
    """
    import numpy as np
    import pandas as pd

    from ..scenario import Scenario, apply_overrides

    cls = load_model_class(model)
    scenarios: dict[str, Scenario] = {}  # one validation per distinct point
    rows: list[dict[str, Any]] = []
    columns: dict[str, list[Any]] = {}
    for run in runs:
        point = run["point"]
        row: dict[str, Any] = {"run_id": run["run_id"], "seed": run["seed"], "rep": run["rep"]}
        row.update(point)
        try:
            key = json.dumps(point, sort_keys=True, default=str)
            if key not in scenarios:
                scenarios[key] = Scenario.model_validate(apply_overrides(scenario, point))
            result = cls(scenarios[key], rng=run["seed"], team_table=False, metrics=metrics).run()
            recorder = result.datacollector
            row.update(steps=int(result.time), equilibrium=bool(result.equilibrium), error=None)
            row.update(recorder.latest())
            count = len(recorder.steps)
            extend = {"run_id": np.full(count, run["run_id"], dtype=np.int64),
                      "seed": np.full(count, run["seed"], dtype=np.int64),
                      "step": np.asarray(recorder.steps, dtype=np.int64)}  # fmt: skip
            extend |= {name: np.asarray(values, dtype=np.float64)
                       for name, values in recorder.columns.items()}  # fmt: skip
            extend |= {path: np.full(count, value) for path, value in point.items()}
            for name, values in extend.items():
                columns.setdefault(name, []).append(values)
        except Exception as exc:  # a failing run is recorded, not fatal
            where = traceback.extract_tb(exc.__traceback__)[-1]
            said = f"{type(exc).__name__}: {exc} ({where.filename}:{where.lineno})"
            row.update(steps=0, equilibrium=False, error=said)
        rows.append(row)
        if on_run is not None:
            on_run(run["run_id"])
    runs_frame = pd.DataFrame(rows)
    steps_frame = (
        pd.DataFrame({name: np.concatenate(parts) for name, parts in columns.items()})
        if columns else None
    )  # fmt: skip
    return runs_frame, steps_frame


PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
#: The sweep's process id, set by the process that starts the worker.
PARENT_ENV = "ORGABM_WORKER_PARENT"


def die_with_parent(every: float = 1.0) -> None:
    """End this process when its parent dies: the kernel's SIGKILL on Linux
    (``PR_SET_PDEATHSIG``), and everywhere a thread that watches for the parent to change.
    A run in progress reads no input, so the parent's pipe closing would not stop it."""
    said = os.environ.get(PARENT_ENV, "")
    parent = int(said) if said.isdigit() else os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)  # orphaned: the sweep that started us is gone

    if os.getppid() != parent:  # it died while we started (importing takes a second or two)
        os._exit(1)
    threading.Thread(target=watch, daemon=True, name="orgabm-parent-watch").start()


def main(argv: Sequence[str] | None = None) -> int:
    """The local backend's worker loop."""
    die_with_parent()  # first: importing the store and the engine takes a second or two
    from .child import append_model_path
    from .store import Store

    append_model_path()  # a --model module's folder, last: it shadows nothing
    args = list(sys.argv[1:] if argv is None else argv)
    nice = int(os.environ.get("ORGABM_WORKER_NICE", "0") or 0)
    if nice and hasattr(os, "nice") and nice > os.nice(0):  # forked by a niced server: as it
        os.nice(nice - os.nice(0))  # a background sweep: the server and its pages come first
    store = Store(args[0])
    answers = sys.stdout
    sys.stdout = sys.stderr  # anything else printed must not garble the answers

    def say(message: Mapping[str, Any]) -> None:
        answers.write(json.dumps(message) + "\n")
        answers.flush()

    progress = {"ran": 0, "said": time.monotonic()}

    def ran(run_id: int) -> None:  # tell the progress bar, at most five times a second
        progress["ran"] += 1
        if time.monotonic() - progress["said"] > 0.2:
            say({"ran": progress["ran"]})
            progress.update(ran=0, said=time.monotonic())

    sweep = json.loads(sys.stdin.readline())
    for line in sys.stdin:
        task = json.loads(line)
        started = time.perf_counter()
        runs, steps = run_batch(sweep["scenario"], task["runs"], sweep.get("model"), on_run=ran,
                                metrics=sweep.get("metrics"))  # fmt: skip
        store.commit(runs, steps)
        if progress["ran"]:
            say({"ran": progress["ran"]})
            progress["ran"] = 0
        say({"batch": task["batch"], "failed": int(runs["error"].notna().sum()),
             "seconds": time.perf_counter() - started})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
