"""A run's memory estimated before anything is built, and refused beyond what the
machine has (orgabm/scenario/memory.py)."""

import pytest
from conftest import slower_than

from orgabm.scenario import (
    ScenarioError,
    load_scenario,
)

# --------------------------------------------------------------------------- memory
LARGEST = {"organization.employees": 1_000_000, "environment.dimensions": 10_000,
           "organization.network.kind": "none"}  # fmt: skip


def test_the_largest_scenario_is_refused_before_anything_is_built(monkeypatch):
    from orgabm.engine.model import OrgModel
    from orgabm.scenario import memory as module

    monkeypatch.setattr(module, "available_memory", lambda: 16 * 2**30)
    cfg = load_scenario("march_1991", LARGEST)
    with pytest.raises(ScenarioError) as info:
        OrgModel(cfg, rng=1)

    def refuse() -> None:
        with pytest.raises(ScenarioError):
            OrgModel(cfg, rng=1)

    # refused before anything is built: faster than building the 50-employee original
    assert slower_than(refuse, lambda: OrgModel("march_1991", rng=1)) < 1
    message = str(info.value)
    assert "organization.employees=1,000,000, environment.dimensions=10,000" in message
    assert "more than the 16.0 GiB available" in message and "GiB of memory" in message


def test_memory_estimate_grows_with_the_arrays_and_allows_small_runs():
    from orgabm.scenario import available_memory, check_memory, memory_estimate

    small = load_scenario("march_1991")
    assert memory_estimate(small) < 64 * 2**20
    assert memory_estimate(load_scenario("march_1991", LARGEST)) > 1e6 * 1e4  # int8 beliefs
    check_memory(small, available=2**30)
    with pytest.raises(ScenarioError, match=r"organization\.employees=50,"):
        check_memory(small, available=2**20)
    available = available_memory()
    assert available is None or available > 0


def test_only_a_run_that_needs_much_memory_reads_what_the_system_has(monkeypatch):
    from orgabm.scenario import memory as module

    asked = []
    monkeypatch.setattr(module, "available_memory", lambda: asked.append(1) or 2**20)
    module.check_memory(load_scenario("march_1991"))  # 4 MiB: not worth reading /proc
    assert asked == [] and module.memory_estimate(load_scenario("march_1991")) < module.SMALL_RUN
    with pytest.raises(ScenarioError, match=r"more than the 1\.0 MiB available"):
        module.check_memory(load_scenario("march_1991", LARGEST))
    assert asked == [1]
