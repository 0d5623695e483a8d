"""The results store of a sweep: a folder of Parquet files that survives being killed.

Layout under the sweep's folder::

    manifest.json        the scenario, the sweep's points, base seed, versions
    runs.parquet         one row per run (written when the sweep ends)
    runs/part-*.parquet  the same rows, in the batches they were committed in
    steps/part-*.parquet one row per run and step (a Parquet dataset)

A batch of runs is committed by writing both files under hidden temporary
names, then renaming the steps part and, last, the runs part: a run exists
once its row is in ``runs/``. A sweep killed at any moment leaves at most
hidden temporary files and a steps part without its runs part; opening the
store again removes both, so the runs are done again, exactly once.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["Results", "Store", "StoreError", "load_results"]

PART_GLOB = "part-*.parquet"


class StoreError(ValueError):
    """A folder that cannot hold this sweep; the message is one line."""


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_table(table: pa.Table, path: Path) -> None:
    """Write a Parquet file under a hidden name, flush it to disk, then rename it into place."""
    tmp = path.with_name(f".tmp-{path.name}")
    with open(tmp, "wb") as handle:
        pq.write_table(table, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


class Store:
    """A sweep's folder: commit batches of runs atomically, know which runs are done."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / "runs"
        self.steps_dir = self.root / "steps"

    # ------------------------------------------------------------------ opening
    def open(self, manifest: Mapping[str, Any]) -> None:
        """Create the folder, or check it holds this same sweep; clean up after a kill."""
        if self.root.exists() and not self.root.is_dir():
            raise StoreError(f"{self.root}: is a file, not a folder")
        path = self.root / "manifest.json"
        if path.exists():
            try:
                stored = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise StoreError(f"{path}: cannot read the manifest ({exc})") from None
            old, new = stored.get("sweep", {}), manifest["sweep"]
            if old != new:
                differ = [key for key in new if old.get(key) != new.get(key)]
                raise StoreError(
                    f"{self.root} holds a different sweep (its {', '.join(differ) or 'layout'} "
                    "differ); give another --out, or delete that folder"
                )
        elif self.root.exists() and any(self.root.iterdir()):
            raise StoreError(f"{self.root}: exists and is not a sweep's folder; give another --out")
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            self.steps_dir.mkdir(parents=True, exist_ok=True)
            if not path.exists():
                _atomic_write_bytes(path, json.dumps(dict(manifest), indent=2).encode())
        except OSError as exc:
            raise StoreError(
                f"{self.root}: cannot create the folder ({exc.strerror or exc})"
            ) from None
        self.clean()

    def clean(self) -> None:
        """Remove temporary files and steps parts whose runs part was never committed."""
        for folder in (self.root, self.runs_dir, self.steps_dir):
            for tmp in folder.glob(".tmp-*"):
                tmp.unlink(missing_ok=True)
        committed = {p.name for p in self.runs_dir.glob(PART_GLOB)}
        for part in self.steps_dir.glob(PART_GLOB):
            if part.name not in committed:
                part.unlink(missing_ok=True)

    def manifest(self) -> dict[str, Any]:
        """The sweep's manifest."""
        path = self.root / "manifest.json"
        if not self.root.exists():
            raise StoreError(f"{self.root}: no such folder")
        if not path.exists():
            raise StoreError(f"{self.root}: not a sweep's folder (no manifest.json)")
        return json.loads(path.read_text(encoding="utf-8"))

    # ------------------------------------------------------------------ writing
    @staticmethod
    def new_part_name() -> str:
        """A part name that sorts by commit time and never collides across processes."""
        return f"part-{time.time_ns():020d}-{os.getpid()}.parquet"

    def commit(self, runs: pd.DataFrame, steps: pd.DataFrame | None) -> str:
        """Commit a batch: its steps part first, then its runs part (the commit point)."""
        name = self.new_part_name()
        if steps is not None and len(steps):
            _write_table(pa.Table.from_pandas(steps, preserve_index=False), self.steps_dir / name)
        _write_table(pa.Table.from_pandas(runs, preserve_index=False), self.runs_dir / name)
        return name

    # ------------------------------------------------------------------ reading
    def committed_parts(self) -> list[Path]:
        """The committed runs parts, oldest first."""
        return sorted(self.runs_dir.glob(PART_GLOB))

    def runs(self) -> pd.DataFrame:
        """Every committed run, the latest attempt of each, sorted by run_id."""
        parts = self.committed_parts()
        if not parts:
            return pd.DataFrame()
        frame = pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)
        frame = frame.drop_duplicates("run_id", keep="last")
        return frame.sort_values("run_id", kind="stable").reset_index(drop=True)

    def done(self) -> tuple[set[int], set[int]]:
        """(run_ids that succeeded, run_ids whose latest attempt failed)."""
        runs = self.runs()
        if runs.empty:
            return set(), set()
        failed = runs["error"].notna()
        return set(runs.loc[~failed, "run_id"].tolist()), set(runs.loc[failed, "run_id"].tolist())

    def steps(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Every committed step row of every successful run, sorted by run and step."""
        runs = self.runs()
        names = {p.name for p in self.committed_parts()}
        parts = [p for p in sorted(self.steps_dir.glob(PART_GLOB)) if p.name in names]
        if not parts or runs.empty:
            return pd.DataFrame()
        frame = pd.concat(
            [pq.read_table(p, columns=columns).to_pandas() for p in parts], ignore_index=True
        )
        ok = set(runs.loc[runs["error"].isna(), "run_id"].tolist())
        frame = frame[frame["run_id"].isin(ok)]
        frame = frame.drop_duplicates(["run_id", "step"], keep="last")
        return frame.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)

    def consolidate_quietly(self) -> pd.DataFrame:
        """:meth:`consolidate` if the folder is a sweep's; the runs stored (maybe none)."""
        try:
            runs = self.runs()
            if not runs.empty:
                self.consolidate()
            return runs
        except (OSError, ValueError):
            return pd.DataFrame()

    def consolidate(self) -> Path:
        """Write ``runs.parquet`` (one row per run) atomically from the committed parts."""
        path = self.root / "runs.parquet"
        _write_table(pa.Table.from_pandas(self.runs(), preserve_index=False), path)
        return path


@dataclass
class Results:
    """A sweep's results as read back from its folder."""

    root: Path
    manifest: dict[str, Any]
    runs: pd.DataFrame

    @property
    def varied(self) -> list[str]:
        """The scenario paths the sweep varied (columns of ``runs``)."""
        return list(self.manifest["sweep"]["parameters"])

    def steps(self, columns: list[str] | None = None) -> pd.DataFrame:
        """One row per run and step (read on demand: it can be large)."""
        return Store(self.root).steps(columns)


def load_results(root: str | Path) -> Results:
    """Read a sweep's results: its manifest and one row per run (steps on demand)."""
    store = Store(root)
    return Results(Path(root), store.manifest(), store.runs())
