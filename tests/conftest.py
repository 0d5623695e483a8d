"""Shared fixtures: a headless Chromium for the browser tests, and the suite's markers.

Debian's Chromium drives the dashboard (Playwright's own browser download needs the
internet); ``./dev.sh test`` installs it. Tests that use the ``browser`` fixture are
marked ``browser``; the 30-student class is ``load``; statistical tests over many runs
are ``slow``. ``-m "not browser and not load and not slow"`` runs the quick part.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium for a test module (each test opens its own context). Not one
    for the session: Playwright's sync API runs one instance at a time, and the class
    load test (benchmarks/bench_classroom.py) starts its own."""
    from playwright.sync_api import sync_playwright

    from orgabm.dashboard.serve import CHROMIUM_ARGS, CHROMIUM_PATH

    if not Path(CHROMIUM_PATH).exists():
        pytest.fail(f"Chromium is missing at {CHROMIUM_PATH}: ./dev.sh test installs it")
    with sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A dashboard server on a free loopback port for a test module: (url, its log)."""
    from orgabm.dashboard.serve import running_server

    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with running_server(log=log) as url:
        yield url, log


def _shares_a_module_fixture(item: pytest.Item) -> bool:
    """True if the test uses a fixture built once per module (a server, a browser, a
    reference sweep)."""
    info = getattr(item, "_fixtureinfo", None)
    defs = getattr(info, "name2fixturedefs", {})
    return any(d.scope == "module" for name in getattr(item, "fixturenames", ())
               for d in defs.get(name, ()))  # fmt: skip


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark browser tests by the fixture they use, and the class load test by its module.
    Tests that share a module's fixture run on one worker (``-n``, ``--dist loadgroup``),
    so each fixture is built once; the others go wherever a worker is free."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if item.path.name == "test_classroom_load.py":
            item.add_marker(pytest.mark.load)
        if _shares_a_module_fixture(item):
            item.add_marker(pytest.mark.xdist_group(item.path.stem))


def slower_than(work: Any, reference: Any, repeats: int = 3) -> float:
    """How many times longer ``work()`` takes than ``reference()``, each the best of
    ``repeats`` runs in this process: a timing check as a ratio, so a slow or busy machine
    does not fail it. (Absolute times belong in benchmarks/.)"""
    import time

    def best(fn: Any) -> float:
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return min(times)

    return best(work) / max(best(reference), 1e-6)
