"""Step plus redraw in the browser: the dashboard with 500 employees, in headless Chromium.

    .venv/bin/python benchmarks/bench_dashboard.py            # 40 steps, 500 employees
    .venv/bin/python benchmarks/bench_dashboard.py --steps 60 --employees 1000

For each step: the time, in the page's own clock, from the click on Step until
every chart (the network and the four time-series) has drawn that step's data
(each chart marks its element when its view has run). Prints the median and the
range.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from playwright.sync_api import sync_playwright

from orgabm.dashboard.serve import CHROMIUM_ARGS, CHROMIUM_PATH, running_server
from orgabm.dashboard.session import Config

#: True once every chart on the page has drawn step i (each view marks its element).
RENDERED = """(i) => {
  const views = [...document.querySelectorAll('[data-rendered]')];
  return views.length >= 5 && views.every((el) => Number(el.dataset.rendered) >= i);
}"""


def measure(url: str, steps: int) -> list[float]:
    """Milliseconds from each click on Step to the page's last redraw."""
    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(url)
        page.get_by_text("Step: 0", exact=True).wait_for(timeout=90_000)
        page.wait_for_function(RENDERED, arg=0, timeout=90_000)
        times = []
        for i in range(1, steps + 1):
            started = page.evaluate("() => performance.now()")
            page.get_by_role("button", name="Step", exact=True).click()
            page.wait_for_function(RENDERED, arg=i)
            times.append(page.evaluate("() => performance.now()") - started)
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--employees", type=int, default=500)
    args = parser.parse_args()
    config = Config(employees=args.employees)
    with running_server() as url:
        times = measure(f"{url}/?config={config.encode()}", args.steps)
    print(
        f"{args.employees} employees, {len(times)} steps: step plus redraw median "
        f"{statistics.median(times):.0f} ms (min {min(times):.0f}, max {max(times):.0f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
