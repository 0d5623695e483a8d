"""Helpers for the store's fault tests, imported by the sweep and by its workers.

``SlowModel`` sleeps at every step (``ORGABM_TEST_STEP_SECONDS``, default 0.02 s),
so a small sweep lasts long enough to be killed or joined mid-flight; the numbers
are OrgModel's own. Importing this module also wraps Parquet writes: while
``ORGABM_TEST_FULL_AT=N`` is set, every write into a sweep's folder that already
holds N runs parts fails as a full disk does (ENOSPC), in every process.
"""

import errno
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
        if (root / "manifest.json").exists() and len(
            list((root / "runs").glob("part-*.parquet"))
        ) >= int(limit):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return _write_table(table, where, *args, **kwargs)


pq.write_table = _full_disk_write
