"""Shared fixtures: a headless Chromium for the browser tests, and the suite's markers.

Debian's Chromium drives the dashboard (Playwright's own browser download needs the
internet); ``./dev.sh test`` installs it. Tests that use the ``browser`` fixture are
marked ``browser``; the 30-student class is ``load``; statistical tests over many runs,
and the type check, are ``slow``. ``-m "not browser and not load and not slow"`` runs
the quick part.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: V8 without its optimizing compilers: a page the tests load lives seconds, and this took
#: a quarter off the renderer's CPU for each load (2.8 s to 2.1 s of the page's 3.7 s on our
#: 2-core machine). Only here: the benchmarks time the browser users run.
LITE = ["--js-flags=--lite-mode"]


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
        chromium = play.chromium.launch(executable_path=CHROMIUM_PATH,
                                        args=[*CHROMIUM_ARGS, *LITE])  # fmt: skip
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A dashboard server on a free loopback port, shared by the modules that need no
    settings of their own (one per pytest-xdist worker): (url, its log). A server costs
    seconds of CPU to start (Solara, Mesa); each session gets its own kernel anyway."""
    from orgabm.dashboard.serve import running_server

    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with running_server(log=log) as url:
        yield url, log


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark browser tests by the fixture they use, and the class load test by its module.
    Under ``-n``, the longest tests (the class, then the statistical ones) go first, so
    that no worker is left with a long test at the end while the other idles."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        if item.path.name == "test_classroom_load.py":
            item.add_marker(pytest.mark.load)
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: all of them sort alike
        items[:] = _longest_first(items)


def _longest_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """The class load test, then the statistical tests taking turns with the browser
    tests, then the rest: a browser test mostly waits for a page, so one worker waiting
    while the other computes keeps both CPUs busy."""
    load = [i for i in items if i.get_closest_marker("load")]
    slow = [i for i in items if i.get_closest_marker("slow") and i not in load]
    browser = [i for i in items if i.get_closest_marker("browser") and i not in load + slow]
    taken = set(load + slow + browser)
    turns = [i for pair in itertools.zip_longest(slow, browser) for i in pair if i is not None]
    return load + turns + [i for i in items if i not in taken]


def _module_fixtures(tree: ast.Module) -> set[str]:
    """Names of the fixtures a file defines with ``scope="module"``."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and any(
                    k.arg == "scope" and getattr(k.value, "value", None) == "module"
                    for k in deco.keywords
                ):
                    names.add(node.name)
    return names


def files_sharing_a_module_fixture(root: Path) -> set[str]:
    """The test files (paths from the rootdir, as in node ids) in which a test or a
    fixture asks for a fixture built once per module (a server, a browser, a reference
    sweep): their tests must run on one worker, or each worker builds it again."""
    here = Path(__file__).resolve().parent
    shared = _module_fixtures(ast.parse((here / "conftest.py").read_text()))
    files = set()
    for path in sorted(here.rglob("test_*.py")):
        tree = ast.parse(path.read_text())
        names = shared | _module_fixtures(tree)
        asks = {a.arg for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                for a in node.args.args}  # fmt: skip
        if asks & names:
            files.add(path.relative_to(root).as_posix())
    return files


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under ``-n``: each test goes to whichever worker is free, except that the tests of a
    file sharing a module's fixture go together (pytest-xdist's own ``loadgroup`` cannot
    group them under pytest 9, whose node ids it can no longer rename)."""
    from xdist.scheduler import LoadScopeScheduling

    grouped = files_sharing_a_module_fixture(config.rootpath)
    config.option.loadscopereorder = False  # keep the longest-first order of the workers

    class ByFile(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return path if path in grouped else nodeid

    return ByFile(config, log)


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
