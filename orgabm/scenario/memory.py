"""How much memory a run needs, checked against what the machine has before anything is built."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ScenarioError
from .layout import expected_ties

if TYPE_CHECKING:
    from .schema import Scenario

__all__ = ["CGROUP_MEMORY", "SMALL_RUN", "available_memory", "check_memory", "memory_estimate"]


# --------------------------------------------------------------------------- memory
def memory_estimate(scenario: Scenario) -> int:
    """Bytes one run of ``scenario`` needs at its peak, roughly (measured with tracemalloc
    on this code: the employee x dimension arrays and their temporaries dominate)."""
    org, env = scenario.organization, scenario.environment
    n, m, teams = org.employees, env.dimensions, org.teams
    need = 1_100 * n + 300 * expected_ties(org) + 14 * n * m + 17 * teams * m
    need += (scenario.steps + 1) * (800 + 64 * teams)  # the metric and team recorders
    if env.kind == "nk":  # the exhaustive search, the contribution table, each scoring
        need += (2**m) * (m + 24) + m * 2 ** (env.k + 1) * 16 + 12 * n * m * (env.k + 1)
    return int(need)


#: A cgroup's memory limit and usage files (v2, then v1): a container's own limit.
CGROUP_MEMORY = (("memory.max", "memory.current"),
                 ("memory/memory.limit_in_bytes", "memory/memory.usage_in_bytes"))  # fmt: skip


def available_memory() -> int | None:
    """Bytes this process may still allocate, or None if the system does not say:
    MemAvailable (Linux), else the free physical pages, capped by a cgroup's limit."""
    found: list[int] = []
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    if not found:
        with contextlib.suppress(AttributeError, OSError, ValueError):
            found.append(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    for limit, usage in CGROUP_MEMORY:
        with contextlib.suppress(OSError, ValueError):
            cap = Path("/sys/fs/cgroup", limit).read_text().strip()
            used = Path("/sys/fs/cgroup", usage).read_text().strip()
            if cap.isdigit() and used.isdigit():
                found.append(max(int(cap) - int(used), 0))
    return min(found) if found else None


def _size(count: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if count < 1024 or unit == "TiB":
            return f"{count:,.0f} {unit}" if unit == "bytes" else f"{count:,.1f} {unit}"
        count /= 1024
    raise AssertionError  # pragma: no cover


#: Bytes a run may need without the system's memory being read first (a sweep of small
#: runs would spend a tenth of its time reading /proc/meminfo).
SMALL_RUN = 64 * 2**20


def check_memory(scenario: Scenario, available: int | None = None) -> None:
    """Refuse, before anything is built, a run that needs more memory than is available
    (``available``: bytes; default: what the system says). Numpy would otherwise ask
    for gigabytes and fail half-way, or the system would start swapping. A run needing
    at most ``SMALL_RUN`` is not checked against the system."""
    need = memory_estimate(scenario)
    if available is None and need <= SMALL_RUN:
        return  # reading the system's figures would cost more than such a run's steps
    if available is None:
        available = available_memory()
    if available is None or need <= available:
        return
    org, env = scenario.organization, scenario.environment
    raise ScenarioError(
        f"organization.employees={org.employees:,}, environment.dimensions={env.dimensions:,}, "
        f"organization.teams={org.teams:,}, steps={scenario.steps:,}: a run needs about "
        f"{_size(need)} of memory, more than the {_size(available)} available: choose fewer "
        "employees or dimensions"
    )
