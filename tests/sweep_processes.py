"""Finding a process's sweep workers in Linux's /proc, for the tests that stop them.

A worker is a fresh ``python -m orgabm.batch.worker`` child, or a child of the process's
fork server (``orgabm.batch.forkserver``), which forks nothing else.
"""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[int]:
    """The live processes whose parent is ``pid``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def command(pid: int) -> bytes:
    """A process's command line ('' once it has gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def sweep_workers(pid: int, others: set[int] = frozenset()) -> list[int]:  # type: ignore[assignment]
    """The live sweep workers that ``pid`` started, but for those in ``others``."""
    found = []
    for child in children(pid):
        line = command(child)
        if b"orgabm.batch.worker" in line:
            found.append(child)
        elif b"orgabm.batch.forkserver" in line:
            found.extend(children(child))
    return sorted(set(found) - set(others))


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
