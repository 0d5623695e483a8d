"""The results store of a sweep: a folder of Parquet files that survives being killed.

Layout under the sweep's folder::

    manifest.json        the scenario, the sweep's points, base seed, versions
    runs.parquet         one row per run (written when the sweep ends)
    runs/part-*.parquet  the same rows, in the batches they were committed in
    steps/part-*.parquet one row per run and step (a Parquet dataset)
    damaged/             parts found damaged, set aside (their runs were run again)
    .lock                held (flock) by the sweep writing into the folder

A batch of runs is committed by writing both files under hidden temporary
names (one per process and write), then renaming the steps part and, last, the
runs part: a run exists once its row is in ``runs/``. A sweep killed at any
moment leaves at most hidden temporary files and a steps part without its runs
part; opening the store again removes both, so the runs are done again, exactly
once.

One sweep at a time writes into a folder: :meth:`Store.open` takes the folder's
lock, and a second sweep waits for it (saying so in one line). Opening also
checks every part: a runs part that cannot be read, or whose steps part is
damaged or missing, is moved with its pair to ``damaged/`` so its runs run again,
once. Failing writes (a full disk, a read-only folder) raise
:class:`StoreWriteError`, with one line saying what happened.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .child import SWEEP_PID
from .files import (
    StoreError,
    StoreWriteError,
    atomic_write_bytes,
    short,
    temporary,
    try_lock,
    write_table,
)

__all__ = ["Results", "Store", "StoreError", "StoreWriteError", "load_results"]

PART_GLOB = "part-*.parquet"
LOCK = ".lock"
DAMAGED = "damaged"
_UNREADABLE = (OSError, ValueError, pa.ArrowException)


class Store:
    """A sweep's folder: commit batches of runs atomically, know which runs are done."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / "runs"
        self.steps_dir = self.root / "steps"
        self.lock_path = self.root / LOCK
        self._lock_fd: int | None = None

    # ------------------------------------------------------------------ opening
    def open(
        self,
        manifest: Mapping[str, Any],
        *,
        notify: Callable[[str], None] | None = None,
        waiting: Callable[[], None] | None = None,
    ) -> None:
        """Create the folder, or check it holds this same sweep; take its lock; repair it.

        While another sweep holds the folder's lock, ``notify`` is told so (once,
        one line) and this waits; ``waiting()`` is called between tries and may
        raise to stop waiting. Holding the lock, it removes what a killed sweep
        left, and sets damaged parts aside, telling ``notify`` one line for each.
        The lock is held until :meth:`close`.
        """
        notify = notify or (lambda message: None)
        self._check_folder(manifest)
        if not self.root.is_dir():
            try:
                self.root.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"{self.root}: cannot create the folder ({exc.strerror or exc})"
                ) from None
        self._lock(notify, waiting)
        try:
            self._check_folder(manifest)  # again: another sweep may have made it meanwhile
            path = self.root / "manifest.json"
            try:
                self.runs_dir.mkdir(exist_ok=True)
                self.steps_dir.mkdir(exist_ok=True)
                if not path.exists():
                    atomic_write_bytes(path, json.dumps(dict(manifest), indent=2).encode())
                for folder in (self.runs_dir, self.steps_dir):  # can every folder be written?
                    probe = temporary(folder / "probe")
                    probe.write_bytes(b"")
                    probe.unlink()
                self.clean()
            except OSError as exc:
                raise self._cannot_write(exc) from None
            for message in self.set_aside_damaged():
                notify(message)
        except BaseException:
            self.close()
            raise

    def _check_folder(self, manifest: Mapping[str, Any]) -> None:
        """Refuse a file, a folder that is not a sweep's, or another sweep's folder."""
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
        elif self.root.is_dir() and any(
            entry.name != LOCK and not entry.name.startswith(".tmp-")
            for entry in self.root.iterdir()
        ):
            raise StoreError(f"{self.root}: exists and is not a sweep's folder; give another --out")

    def _cannot_write(self, exc: OSError) -> StoreWriteError:
        """The one-line error for a folder that cannot be written, with what it holds."""
        error = StoreWriteError.of(self.root, exc)
        try:
            stored = f"{len(self.runs()):,} runs are stored in it"
        except (StoreError, *_UNREADABLE):
            stored = "what it holds stays as it is"
        hint = "free some space" if error.full else "make it writable, or give another --out"
        return StoreWriteError(f"{error}; {stored}; {hint}", full=error.full)

    # ------------------------------------------------------------------ the lock
    def _lock(self, notify: Callable[[str], None], waiting: Callable[[], None] | None) -> None:
        """Take the folder's lock, waiting while another sweep holds it."""
        if self._lock_fd is not None:
            return
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise self._cannot_write(exc) from None
        try:
            told = False
            while not try_lock(fd):
                if not told:
                    owner = self.owner()
                    who = f" (process {owner})" if owner else ""
                    notify(
                        f"another sweep{who} is writing into {self.root}; waiting for it to "
                        "finish, then going on with what it left (Ctrl-C stops waiting)"
                    )
                    told = True
                if waiting is not None:
                    waiting()
                time.sleep(0.1)
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f" {os.getpid()}\n".encode())  # after a byte Windows keeps locked
        except BaseException:
            os.close(fd)
            raise
        self._lock_fd = fd

    def close(self) -> None:
        """Let go of the folder's lock (a waiting sweep then goes on)."""
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
            os.close(fd)  # closing the file releases the lock

    def owner(self) -> int | None:
        """The process id of the sweep that last took the folder's lock, if it left one."""
        try:
            with open(self.lock_path, "rb") as handle:
                handle.seek(1)
                return int(handle.read(32).strip() or 0) or None
        except (OSError, ValueError):
            return None

    def _may_commit(self) -> bool:
        """Whether this process may commit: not a worker left behind by a killed sweep
        while another sweep holds the folder."""
        if self._lock_fd is not None:
            return True
        owner = self.owner()
        sweep = os.environ.get(SWEEP_PID, "")
        if owner is None or owner in (os.getpid(), os.getppid(), int(sweep or 0)):
            return True
        try:
            fd = os.open(self.lock_path, os.O_RDONLY)
        except OSError:
            return True
        try:
            return try_lock(fd, shared=True)  # nobody holds it: nobody else is running
        finally:
            os.close(fd)

    # ------------------------------------------------------------------ repairing
    def clean(self) -> None:
        """Remove temporary files and steps parts whose runs part was never committed."""
        for folder in (self.root, self.runs_dir, self.steps_dir):
            for tmp in folder.glob(".tmp-*"):
                tmp.unlink(missing_ok=True)
        committed = {p.name for p in self.runs_dir.glob(PART_GLOB)}
        for part in self.steps_dir.glob(PART_GLOB):
            if part.name not in committed:
                part.unlink(missing_ok=True)

    def damaged(self) -> list[tuple[str, str, int | None]]:
        """Each committed part that is damaged: (its name, what is wrong, its runs if known).

        A runs part is read whole; a steps part must exist when its runs part
        holds a run that succeeded, and its footer must be whole (a truncated,
        random or empty file has none).
        """
        found: list[tuple[str, str, int | None]] = []
        for part in self.committed_parts():
            try:
                table = pq.read_table(part)
                if "run_id" not in table.column_names or "error" not in table.column_names:
                    raise ValueError("no run_id or error column")
            except _UNREADABLE as exc:
                found.append((part.name, f"{part} is damaged ({short(exc)})", None))
                continue
            count = table.num_rows
            succeeded = table.column("error").null_count > 0  # a run without an error
            steps = self.steps_dir / part.name
            if not steps.exists():
                if succeeded and count:
                    found.append((part.name, f"{steps} is missing", count))
                continue
            try:
                meta = pq.read_metadata(steps)
                if "run_id" not in meta.schema.names:
                    raise ValueError("no run_id column")
            except _UNREADABLE as exc:
                found.append((part.name, f"{steps} is damaged ({short(exc)})", count))
        return found

    def set_aside_damaged(self) -> list[str]:
        """Move each damaged part and its pair to ``damaged/``; one line for each."""
        messages = []
        for name, what, count in self.damaged():
            aside = self.root / DAMAGED
            moved = []
            try:
                aside.mkdir(exist_ok=True)
                for kind, folder in (("runs", self.runs_dir), ("steps", self.steps_dir)):
                    source = folder / name
                    if source.exists():
                        target = aside / f"{kind}-{name}"
                        while target.exists():
                            target = aside / f"{kind}-{secrets.token_hex(2)}-{name}"
                        os.replace(source, target)
                        moved.append(kind)
            except OSError as exc:
                raise self._cannot_write(exc) from None
            runs = "its runs" if count is None else f"its {count:,} run{'s' * (count != 1)}"
            pair = " and ".join(f"{kind}/{name}" for kind in moved) or name
            messages.append(f"{what}: moved {pair} to {aside}; {runs} will run again")
        return messages

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
        """Commit a batch: its steps part first, then its runs part (the commit point).

        A worker whose sweep was killed, while another sweep now holds the folder,
        commits nothing (the other sweep runs those runs): StoreError.
        """
        if not self._may_commit():
            raise StoreError(
                f"{self.root}: the sweep that started this process is gone and another one "
                "holds the folder; this batch is not committed"
            )
        name = self.new_part_name()
        try:
            if steps is not None and len(steps):
                steps_table = pa.Table.from_pandas(steps, preserve_index=False)
                write_table(steps_table, self.steps_dir / name)
            write_table(pa.Table.from_pandas(runs, preserve_index=False), self.runs_dir / name)
        except OSError as exc:
            with contextlib.suppress(OSError):  # a steps part without its runs part
                (self.steps_dir / name).unlink(missing_ok=True)
            raise StoreWriteError.of(self.root, exc) from None
        return name

    # ------------------------------------------------------------------ reading
    def committed_parts(self) -> list[Path]:
        """The committed runs parts, oldest first."""
        return sorted(self.runs_dir.glob(PART_GLOB))

    @staticmethod
    def _read(path: Path, columns: list[str] | None = None) -> pd.DataFrame:
        try:
            return pq.read_table(path, columns=columns).to_pandas()
        except _UNREADABLE as exc:
            raise StoreError(
                f"{path} is damaged ({short(exc)}); run the same sweep again to set it "
                "aside and run its runs again"
            ) from None

    def runs(self) -> pd.DataFrame:
        """Every committed run, the latest attempt of each, sorted by run_id."""
        parts = self.committed_parts()
        if not parts:
            return pd.DataFrame()
        frame = pd.concat([self._read(p) for p in parts], ignore_index=True)
        frame = frame.drop_duplicates("run_id", keep="last")
        return frame.sort_values("run_id", kind="stable").reset_index(drop=True)

    def done(self) -> tuple[set[int], set[int]]:
        """(run_ids that succeeded, run_ids whose latest attempt failed)."""
        runs = self.runs()
        if runs.empty:
            return set(), set()
        failed = runs["error"].notna()
        return set(runs.loc[~failed, "run_id"].tolist()), set(runs.loc[failed, "run_id"].tolist())

    def check(self) -> None:
        """StoreError naming the first damaged part, if any (reading only: nothing moves)."""
        damaged = self.damaged()
        if damaged:
            more = f" (and {len(damaged) - 1:,} more)" if len(damaged) > 1 else ""
            raise StoreError(f"{damaged[0][1]}{more}; run the same sweep again to set it "
                             "aside and run its runs again")  # fmt: skip

    def steps(self, columns: list[str] | None = None) -> pd.DataFrame:
        """Every committed step row of every successful run, sorted by run and step."""
        runs = self.runs()
        names = {p.name for p in self.committed_parts()}
        parts = [p for p in sorted(self.steps_dir.glob(PART_GLOB)) if p.name in names]
        if not parts or runs.empty:
            return pd.DataFrame()
        frame = pd.concat([self._read(p, columns) for p in parts], ignore_index=True)
        ok = set(runs.loc[runs["error"].isna(), "run_id"].tolist())
        frame = frame[frame["run_id"].isin(ok)]
        frame = frame.drop_duplicates(["run_id", "step"], keep="last")
        return frame.sort_values(["run_id", "step"], kind="stable").reset_index(drop=True)

    def consolidate_quietly(self) -> pd.DataFrame:
        """:meth:`consolidate` if the folder is a sweep's and can be written; the runs stored
        (maybe none)."""
        try:
            runs = self.runs()
        except (OSError, ValueError):
            return pd.DataFrame()
        if not runs.empty:
            with contextlib.suppress(OSError, ValueError):  # a full disk: runs.parquet waits
                self.consolidate()
        return runs

    def consolidate(self) -> Path:
        """Write ``runs.parquet`` (one row per run) atomically from the committed parts."""
        path = self.root / "runs.parquet"
        try:
            write_table(pa.Table.from_pandas(self.runs(), preserve_index=False), path)
        except OSError as exc:
            raise StoreWriteError.of(self.root, exc) from None
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
    """Read a sweep's results: its manifest and one row per run (steps on demand).

    A damaged part is a one-line StoreError saying how to repair the folder.
    """
    store = Store(root)
    manifest = store.manifest()
    store.check()
    return Results(Path(root), manifest, store.runs())
