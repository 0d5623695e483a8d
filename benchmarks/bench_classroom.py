"""A class on one server: 30 browser sessions play their own runs, 5 start sweeps at once.

    .venv/bin/python benchmarks/bench_classroom.py                 # 30 sessions, 5 sweeps
    .venv/bin/python benchmarks/bench_classroom.py --sessions 10 --sweepers 2
    .venv/bin/python benchmarks/bench_classroom.py --classes 2     # two classes in a row

One dashboard server on a loopback port, one headless Chromium with a context per
student. Every session but the probes presses Play; the sweepers then start the
experiment tab's default sweep at the same moment (the server runs one at a time
and queues the rest). While the sweeps run, the probe sessions click Step and time,
in the page's own clock, how long until every chart has drawn that step. Then it
checks that every player advanced, that the probes moved only by their own clicks,
and that the server's memory comes back near its baseline once the contexts close.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from orgabm.dashboard.serve import CHROMIUM_ARGS, CHROMIUM_PATH, move_slider, serving

RENDERED = """(i) => {
  const views = [...document.querySelectorAll('[data-rendered]')];
  return views.length >= 5 && views.every((el) => Number(el.dataset.rendered) >= i);
}"""
STEP = """() => {
  const el = [...document.querySelectorAll('span, div')].find(
    (e) => e.childElementCount === 0 && /^Step: \\d+$/.test(e.textContent));
  return el ? Number(el.textContent.slice(6)) : -1;
}"""

#: seconds until the server has handed back a closed session's memory (``memory``: it
#: trims 3, 10 and 30 s after the last session closed)
SETTLE = 45


def rss_mib(pid: int) -> float:
    """Resident memory of a process (Linux), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def threads(pid: int) -> int:
    """Number of threads of a process (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return -1


def _open(browser, url: str, count: int = 1) -> list[Page]:
    """``count`` sessions, loading side by side as a class's laptops do, each drawn."""
    pages = [browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
             for _ in range(count)]  # fmt: skip
    for page in pages:
        page.goto(url, wait_until="commit")
    for page in pages:
        page.get_by_text("Step: 0", exact=True).wait_for(timeout=180_000)
        page.wait_for_function(RENDERED, arg=0, timeout=180_000, polling=100)
    return pages


def _step(page: Page) -> float:
    """Click Step on ``page``; the ms until every chart has drawn that step."""
    now = page.evaluate(STEP)
    t0 = page.evaluate("() => performance.now()")
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(RENDERED, arg=now + 1, timeout=60_000, polling=20)
    return page.evaluate("() => performance.now()") - t0


def _queued(pages: list[Page], seen: set[int]) -> None:
    """Add to ``seen`` the pages that show their place in the server's queue."""
    for k, page in enumerate(pages):
        if page.get_by_text("position", exact=False).count():
            seen.add(k)


def _set_replicates(page: Page, replicates: int) -> None:
    """Move the experiment tab's "Replicates per point" slider to ``replicates`` with the
    keyboard, as a student could."""
    field = page.locator(".v-input", has_text="Replicates per point")
    try:  # a busy server may take long to switch the tab
        field.wait_for(state="visible", timeout=120_000)
    except Exception as exc:  # say what the page showed instead
        shown = " ".join(page.inner_text("body").split())[:600]
        raise TimeoutError(f"no 'Replicates per point' slider in 120 s; the page: {shown}") from exc
    move_slider(field.get_by_role("slider"), replicates)  # its thumb: of zero size


def _kept(pid: int, result: dict, settle: float, enough: float | None) -> None:
    """After the class closed: watch the server's memory for up to ``settle`` seconds
    and keep its lowest reading, stopping early once the share of what the class added
    that it still holds is below ``enough`` (a loaded machine culls and trims later)."""
    grown = result["rss_peak"] - result["rss_baseline"]
    started, lowest = time.perf_counter(), rss_mib(pid)
    while True:
        kept = (lowest - result["rss_baseline"]) / grown if grown > 0 else 0.0
        waited = time.perf_counter() - started
        if waited >= settle or (enough is not None and kept < enough):
            break
        time.sleep(0.5)
        lowest = min(lowest, rss_mib(pid))
    result["rss_after"], result["kept_share"], result["settled_seconds"] = lowest, kept, waited


def run(url: str, pid: int, sessions: int = 30, sweepers: int = 5, probes: int = 3,
        probe_steps: int = 8, settle: float = SETTLE, replicates: int | None = None,
        kept_enough: float | None = None, settle_after: float | None = None,
        log=print) -> dict:  # fmt: skip
    """Run the class; returns the figures (latencies in ms, memory in MiB). ``settle``:
    seconds to wait for the server's trims after sessions close (its ORGABM_TRIM_AFTER);
    after the class, the wait is up to ``settle_after`` (default ``settle``) and ends once
    the share of memory kept is below ``kept_enough``; ``replicates``: per point of the
    sweepers' experiments (None: the tab's default)."""
    result: dict = {"sessions": sessions, "sweepers": sweepers, "probes": probes}
    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        # the baseline: after one session that played and ran an experiment (so that
        # everything the server imports on first use is loaded), once it has closed and
        # the server has handed back what it could
        (warm,) = _open(browser, url)
        warm.get_by_role("button", name="Step", exact=True).click()
        warm.get_by_role("tab", name="Experiment").click()
        if replicates is not None:
            _set_replicates(warm, replicates)
        warm.get_by_role("button", name="Run experiment").click()
        warm.get_by_text("Done:", exact=False).first.wait_for(timeout=120_000)
        warm.close(run_before_unload=True)
        warm.context.close()
        time.sleep(settle)
        result["rss_baseline"] = rss_mib(pid)
        result["threads_baseline"] = threads(pid)
        started = time.perf_counter()
        pages = _open(browser, url, sessions)
        result["open_seconds"] = time.perf_counter() - started
        log(f"{sessions} sessions open in {result['open_seconds']:.0f} s")
        probe_pages, players = pages[:probes], pages[probes:]
        sweeping = players[:sweepers]
        # the sweepers set up their experiment before the rest of the class plays: the
        # test is of the clicks while sweeps run, not of how long a busy tab takes to open
        for page in sweeping:
            page.get_by_role("button", name="Play").click()
            page.get_by_role("tab", name="Experiment").click()
            if replicates is not None:
                _set_replicates(page, replicates)
        for page in players[sweepers:]:
            page.get_by_role("button", name="Play").click()
        time.sleep(2)
        # the probes' clicks while the class plays and no experiment runs: the reference
        idle_rounds = max(1, probe_steps // 2)
        idle = [_step(page) for _ in range(idle_rounds) for page in probe_pages]
        for page in sweeping:  # as close to "at once" as one driver gets
            page.get_by_role("button", name="Run experiment").click()
        sweep_started = time.perf_counter()
        seen: set[int] = set()
        # a loaded server may take seconds to draw the queue: wait for its first position
        while time.perf_counter() - sweep_started < 60 and not seen:
            _queued(sweeping, seen)
            time.sleep(0.3)
        latencies, during = [], []
        for k in range(probe_steps):
            for page in probe_pages:
                latencies.append(_step(page))
                during.append(any(p.get_by_text("Running:", exact=False).count()
                                  for p in sweeping))  # fmt: skip
            _queued(sweeping, seen)
            log(f"probe round {k + 1}: median so far {statistics.median(latencies):.0f} ms")
        result["queued_seen"] = len(seen)  # sessions that were told their queue position
        result["latency_idle_median_ms"] = statistics.median(idle)
        result["latency_median_ms"] = statistics.median(latencies)
        result["latency_max_ms"] = max(latencies)
        result["latency_ratio"] = result["latency_median_ms"] / result["latency_idle_median_ms"]
        result["latency_while_sweeping"] = sum(during)
        result["latency_samples"] = len(latencies)
        for k, page in enumerate(sweeping):
            try:
                page.get_by_text("Done:", exact=False).first.wait_for(timeout=300_000)
            except Exception:
                page.screenshot(path=f"classroom-sweeper-{k}.png")
                raise
        result["sweeps_seconds"] = time.perf_counter() - sweep_started
        result["rss_peak"] = rss_mib(pid)
        steps = [page.evaluate(STEP) for page in pages]
        result["probe_steps"] = steps[:probes]
        result["player_steps_min"] = min(steps[probes:])
        result["player_steps_median"] = statistics.median(steps[probes:])
        result["isolated"] = all(s == idle_rounds + probe_steps for s in steps[:probes])
        result["advanced"] = all(s > 0 for s in steps[probes:])
        result["done_only_where_run"] = all(
            page.get_by_text("Done:", exact=False).count() == 0
            for page in pages[probes + sweepers :]
        )
        for page in pages:  # closing the page tells the server the session ended
            page.close(run_before_unload=True)
            page.context.close()
        browser.close()
    # of what the class added to the server's memory, the share it kept after closing
    _kept(pid, result, settle if settle_after is None else settle_after, kept_enough)
    result["threads_after"] = threads(pid)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--sweepers", type=int, default=5)
    parser.add_argument("--probes", type=int, default=3)
    parser.add_argument(
        "--classes",
        type=int,
        default=1,
        help="classes one after another on the same server (memory reuse)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    results = []
    with serving() as (url, process):
        for _ in range(args.classes):
            results.append(run(url, process.pid, args.sessions, args.sweepers, args.probes))
    print(json.dumps(results if args.classes > 1 else results[0], indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
