"""Helpers for the store's fault tests, imported by the sweep and by its workers.

``SlowModel`` sleeps at every step (``ORGABM_TEST_STEP_SECONDS``, default 0.02 s),
so a small sweep lasts long enough to be killed or joined mid-flight; the numbers
are OrgModel's own. Importing this module also wraps Parquet writes: while
``ORGABM_TEST_FULL_AT=N`` is set, every write into a sweep's folder fails as a full disk
does (ENOSPC), in every process, once N runs parts were written.
"""

import errno
import fcntl
import os
import time
from pathlib import Path

import pyarrow.parquet as pq

from orgabm import OrgModel


class SlowModel(OrgModel):
    """OrgModel, slowed down."""

    def step(self) -> None:
        time.sleep(float(os.environ.get("ORGABM_TEST_STEP_SECONDS", "0.02")))
        super().step()


_write_table = pq.write_table


def _full_disk_write(table, where, *args, **kwargs):
    limit = os.environ.get("ORGABM_TEST_FULL_AT")
    name = getattr(where, "name", where)
    if limit and isinstance(name, str | os.PathLike):
        folder = Path(name).parent
        root = folder.parent if folder.name in ("runs", "steps") else folder
        if (root / "manifest.json").exists():
            _admit(root, int(limit), runs_part=folder.name == "runs")
    return _write_table(table, where, *args, **kwargs)


def _admit(root: Path, limit: int, runs_part: bool) -> None:
    """Raise ENOSPC once ``limit`` runs parts were let through. The workers write at
    once, so the count is kept in a file beside the folder, under a lock: counting the
    folder's parts would let two workers both see N - 1 and store N + 1."""
    counter = root.parent / f".{root.name}.full-disk-count"
    with open(counter, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        admitted = int(handle.read() or 0)
        if admitted >= limit:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if runs_part:
            handle.seek(0)
            handle.truncate()
            handle.write(str(admitted + 1))


pq.write_table = _full_disk_write
