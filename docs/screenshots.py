"""Take the README's screenshots of the dashboard (headless Chromium, no internet).

.venv/bin/python docs/screenshots.py        # writes docs/img/dashboard_*.png
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from orgabm.dashboard.links import Config
from orgabm.dashboard.serve import CHROMIUM_ARGS, CHROMIUM_PATH, employee_position, running_server

OUT = Path(__file__).resolve().parent / "img"
RENDERED = """(i) => {
  const views = [...document.querySelectorAll('[data-rendered]')];
  return views.length >= 5 && views.every((el) => Number(el.dataset.rendered) >= i);
}"""


def shoot(browser, url: str, config: Config, steps: int, name: str, lever: bool = False,
          inspect: bool = False) -> None:  # fmt: skip
    page = browser.new_context(viewport={"width": 1500, "height": 1350}).new_page()
    page.goto(f"{url}/?config={config.encode()}")
    page.get_by_text("Step: 0", exact=True).wait_for(timeout=90_000)
    page.wait_for_function(RENDERED, arg=0, timeout=60_000)
    for i in range(1, steps + 1):
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_function(RENDERED, arg=i)
        if lever and i == steps // 2:
            page.get_by_role("slider", name="psychological safety").focus()
            page.keyboard.press("Home")
    if inspect:
        page.mouse.click(*employee_position(page, 3))
        page.get_by_text("Beliefs against reality and the official line").wait_for()
        page.wait_for_timeout(1500)
    page.screenshot(path=str(OUT / name), full_page=True)
    page.context.close()


def shoot_experiment(browser, url: str, name: str) -> None:
    """An assignment's experiment tab after its default experiment ran."""
    page = browser.new_context(viewport={"width": 1500, "height": 1250}).new_page()
    page.goto(f"{url}/?assignment=safety_and_complexity")
    page.get_by_text("Step: 0", exact=True).wait_for(timeout=90_000)
    page.get_by_role("tab", name="Experiment").click()
    page.get_by_role("button", name="Run experiment").click()
    page.get_by_text("Done:", exact=False).first.wait_for(timeout=300_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(OUT / name), full_page=True)
    page.context.close()


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with running_server() as url, sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM_PATH, args=CHROMIUM_ARGS)
        shoot(browser, url, Config(seed=1), 60, "dashboard_learning_organization.png",
              lever=True, inspect=True)  # fmt: skip
        shoot(browser, url, Config(compare="command_and_control", replicates=5, seed=1), 60,
              "dashboard_ab_replicates.png")  # fmt: skip
        shoot_experiment(browser, url, "dashboard_assignment_experiment.png")
        browser.close()
    print(f"wrote {OUT}/dashboard_*.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
