"""Files that survive being killed: atomic writes, advisory locks, one-line write errors.

The store commits through these: a write goes under a hidden name, then is renamed into
place; a folder's lock keeps a second sweep out; a failing write says in one line why.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import secrets
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "StoreError", "StoreWriteError", "atomic_write_bytes", "short", "temporary", "try_lock",
    "write_table",
]  # fmt: skip

fcntl: Any
msvcrt: Any = None
try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: a byte lock instead
    fcntl = None
    msvcrt = importlib.import_module("msvcrt")


#: Errors a Parquet reader raises on a file that is not (all) there.
_FULL = (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))


class StoreError(ValueError):
    """A folder that cannot hold this sweep; the message is one line."""


class StoreWriteError(StoreError):
    """The folder cannot be written: a full disk, a read-only folder, ...; one line."""

    def __init__(self, message: str, full: bool = False) -> None:
        super().__init__(message)
        self.full = full

    @classmethod
    def of(cls, root: Path, exc: OSError) -> StoreWriteError:
        """The one-line error for an OSError met while writing into ``root``."""
        reason = exc.strerror or str(exc)
        if exc.errno in _FULL:
            return cls(f"{root}: the disk is full ({reason})", full=True)
        return cls(f"{root}: cannot write to this folder ({reason})")

    @classmethod
    def from_worker(cls, root: Path, reason: str) -> StoreWriteError | None:
        """The error a worker died of (the last line it wrote), if it was a failing write."""
        prefix = f"{cls.__module__}.{cls.__qualname__}: "
        if reason.startswith(prefix):
            message = reason[len(prefix) :]
            return cls(message, full="disk is full" in message)
        if os.strerror(errno.ENOSPC) in reason:  # a write that escaped the store's wrapping
            return cls(f"{root}: the disk is full ({os.strerror(errno.ENOSPC)})", full=True)
        return None


def temporary(path: Path) -> Path:
    """A hidden name beside ``path`` that no other process or write uses."""
    return path.with_name(f".tmp-{os.getpid()}-{secrets.token_hex(4)}-{path.name}")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = temporary(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def write_table(table: pa.Table, path: Path) -> None:
    """Write a Parquet file under a hidden name, flush it to disk, then rename it into place.

    Whatever goes wrong (a full disk, a kill signal), the hidden file is removed.
    """
    tmp = temporary(path)
    try:
        with open(tmp, "wb") as handle:
            pq.write_table(table, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise


def short(exc: BaseException) -> str:
    """An exception's first line, at most 120 characters."""
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return text if len(text) <= 120 else text[:117] + "..."


def try_lock(fd: int, shared: bool = False) -> bool:
    """Take the lock of an open file without waiting; False if another holds it."""
    try:
        if fcntl is not None:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows: the first byte, exclusively
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK,
                         getattr(errno, "EDEADLOCK", errno.EAGAIN)):  # fmt: skip
            return False
        raise
    return True
