"""Running a batch of a sweep's runs, in any process: a local worker or a Dask worker.

``python -m orgabm.worker FOLDER`` is the local backend's worker. It is a fresh
interpreter that imports only orgabm (never the caller's ``__main__``), so a
sweep works from a script without a ``__main__`` guard, from a notebook, and on
Windows and macOS alike. It reads JSON lines on stdin (first the sweep, then
batches), commits each batch to the store itself, and answers on stdout. It
exits when stdin closes, so it never outlives the sweep that started it.
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from .model import OrgModel
from .scenario import Scenario, apply_overrides

__all__ = ["load_model_class", "run_batch"]


def load_model_class(path: str | None) -> type[OrgModel]:
    """``module:Class`` (a subclass of OrgModel), or OrgModel itself for None."""
    if not path:
        return OrgModel
    module, _, name = path.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, OrgModel)):
        raise TypeError(f"{path} is not a subclass of orgabm.OrgModel")
    return cls


def run_batch(
    scenario: Mapping[str, Any],
    runs: Sequence[Mapping[str, Any]],
    model: str | None = None,
    on_run=None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run each of ``runs`` ({run_id, seed, rep, point}) and tabulate the results.

    Returns (one row per run, one row per run and step). A run that raises is
    recorded with its error and no steps; the others go on.
    """
    cls = load_model_class(model)
    rows, frames = [], []
    for run in runs:
        point = run["point"]
        row: dict[str, Any] = {"run_id": run["run_id"], "seed": run["seed"], "rep": run["rep"]}
        row.update(point)
        try:
            cfg = Scenario.model_validate(apply_overrides(scenario, point))
            result = cls(cfg, rng=run["seed"]).run()
            frame = result.metrics_frame()
            row.update(steps=int(result.time), equilibrium=bool(result.equilibrium), error=None)
            row.update(frame.iloc[-1].drop("step").to_dict())
            frame.insert(0, "run_id", run["run_id"])
            frame.insert(1, "seed", run["seed"])
            for path, value in point.items():
                frame[path] = value
            frames.append(frame)
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            said = f"{type(exc).__name__}: {exc} ({where.filename}:{where.lineno})"
            row.update(steps=0, equilibrium=False, error=said)
        rows.append(row)
        if on_run is not None:
            on_run(run["run_id"])
    runs_frame = pd.DataFrame(rows)
    steps_frame = pd.concat(frames, ignore_index=True) if frames else None
    return runs_frame, steps_frame


def main(argv: Sequence[str] | None = None) -> int:
    """The local backend's worker loop."""
    from .store import Store

    args = list(sys.argv[1:] if argv is None else argv)
    store = Store(args[0])
    answers = sys.stdout
    sys.stdout = sys.stderr  # anything else printed must not garble the answers

    def say(message: Mapping[str, Any]) -> None:
        answers.write(json.dumps(message) + "\n")
        answers.flush()

    sweep = json.loads(sys.stdin.readline())
    for line in sys.stdin:
        task = json.loads(line)
        runs, steps = run_batch(
            sweep["scenario"], task["runs"], sweep.get("model"),
            on_run=lambda run_id: say({"ran": run_id}),
        )  # fmt: skip
        store.commit(runs, steps)
        say({"batch": task["batch"], "failed": int(runs["error"].notna().sum())})
    return 0


if __name__ == "__main__":
    sys.exit(main())
