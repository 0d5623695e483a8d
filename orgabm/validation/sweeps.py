"""Running one validation experiment as a sweep: shared by March's experiments and the
other models', so each keeps its results the same way (``--keep``, resumable)."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

from ..batch.store import Store
from ..batch.sweep import Sweep, run_sweep
from ..scenario import Scenario

__all__ = ["run_experiment"]


def run_experiment(
    name: str,
    scenario: Scenario,
    points: list[dict[str, Any]],
    runs: int,
    seed: int,
    workers: int | None,
    progress: bool | None,
    keep: Path | None,
    model: str | None = None,
    common_seeds: bool = False,
    metrics: list[str] | None = None,
) -> Store:
    """One experiment as a sweep (in ``keep/name``, resumable, or a temporary folder),
    recording only the ``metrics`` its table reads (None: all)."""
    built = Sweep.build(scenario, points, reps=runs, seed=seed, model=model,
                        common_seeds=common_seeds, spec={"validation": name},
                        metrics=metrics)  # fmt: skip
    if keep is not None:
        folder = Path(keep) / name
        run_sweep(built, folder, workers=workers, progress=progress)
        return Store(folder)
    folder = Path(tempfile.mkdtemp(prefix=f"orgabm-{name}-"))
    run_sweep(built, folder, workers=workers, progress=progress)
    store = Store(folder)
    weakref.finalize(store, shutil.rmtree, folder, ignore_errors=True)
    return store
