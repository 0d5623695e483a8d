"""The experiment tab against crafted clients, in a real browser over the page's own
websocket: refused choices, one experiment per computer, experiments that end with their
page, and a server whose SIGTERM leaves no sweep worker behind."""

import os
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sweep_processes import sweep_workers

from orgabm.dashboard.serve import serving

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

#: Sets a widget's v_model as a crafted client would: through the page's widget manager.
SET_WIDGET = """async ([label, value]) => {
  const manager = solara.debug.widgetManager();
  for (const promise of Object.values(manager._models)) {
    const model = await promise;
    if (model.get('label') === label) {
      model.set('v_model', value);
      model.save_changes();
      return true;
    }
  }
  return false;
}"""


def wait_for(check, seconds: float = 20.0) -> bool:
    ends = time.monotonic() + seconds
    while not check() and time.monotonic() < ends:
        time.sleep(0.1)
    return bool(check())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("experiments") / "server.log"
    # a dropped page is culled after 3 s here (the app's own limit is 30 s)
    saved = os.environ.get("SOLARA_KERNEL_CULL_TIMEOUT")
    os.environ["SOLARA_KERNEL_CULL_TIMEOUT"] = "3s"
    try:
        with serving(log=log) as (url, process):
            yield url, process
    finally:
        if saved is None:
            os.environ.pop("SOLARA_KERNEL_CULL_TIMEOUT")
        else:
            os.environ["SOLARA_KERNEL_CULL_TIMEOUT"] = saved


def experiment_tab(browser, url: str, query: str = "") -> Page:
    page = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
    page.goto(url + "/" + query)
    expect(page.get_by_text("Step: 0", exact=True)).to_be_visible(timeout=90_000)
    page.get_by_role("tab", name="Experiment").click()
    expect(page.get_by_role("button", name="Run experiment")).to_be_visible()
    return page


def start_long_experiment(page: Page) -> None:
    """250 runs of the default preset (about a minute of one core), running or queued."""
    page.get_by_role("slider", name="Replicates per point").focus()
    page.keyboard.press("End")
    expect(page.get_by_text(": 250 runs.", exact=False)).to_be_visible()
    page.get_by_role("button", name="Run experiment").click()
    expect(page.get_by_text("Running:", exact=False)).to_be_visible(timeout=30_000)


def test_a_crafted_second_factor_is_refused_and_the_server_stays_up(server, browser):
    url, process = server
    page = experiment_tab(browser, url)
    assert page.evaluate(SET_WIDGET, ["Second factor (optional)", "steps"])
    values = page.get_by_role("textbox", name="Its values, comma-separated")
    values.fill("1000000")
    values.press("Enter")
    page.get_by_role("button", name="Run experiment").click()
    expect(page.get_by_text("second factor steps: not offered in this page", exact=False))\
        .to_be_visible()  # fmt: skip
    assert sweep_workers(process.pid) == [] and process.poll() is None
    page.get_by_role("tab", name="Live run").click()
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.get_by_text("Step: 1", exact=True)).to_be_visible()
    page.context.close()


def test_one_experiment_per_computer_and_it_ends_with_its_page(server, browser):
    url, process = server
    first = experiment_tab(browser, url)
    start_long_experiment(first)
    assert wait_for(lambda: sweep_workers(process.pid))
    second = experiment_tab(browser, url)
    second.get_by_role("button", name="Run experiment").click()
    # the server answers while the first's sweep and, under ./dev.sh test, the class load test
    # take both cores: 5 s was once too short
    expect(second.get_by_text("already has an experiment queued or running: one at a time per "
                              "computer", exact=False)).to_be_visible(timeout=30_000)  # fmt: skip
    first.context.close()  # the page closes: its experiment is cancelled, its worker killed
    assert wait_for(lambda: not sweep_workers(process.pid))
    second.get_by_role("button", name="Run experiment").click()  # now it may
    expect(second.get_by_text("Running:", exact=False)).to_be_visible(timeout=30_000)
    second.get_by_role("button", name="Cancel").click()
    expect(second.get_by_text("Cancelled.", exact=True)).to_be_visible()
    second.context.close()


def test_a_dropped_page_is_culled_and_its_experiment_cancelled(server, browser):
    url, process = server
    # a page that never says goodbye, like a laptop that sleeps or a dropped connection
    page = experiment_tab(browser, url, "?solara-no-close-beacon")
    start_long_experiment(page)
    assert wait_for(lambda: sweep_workers(process.pid))
    page.context.close()
    assert wait_for(lambda: not sweep_workers(process.pid), seconds=30)


def test_the_servers_sigterm_leaves_no_sweep_worker(server, browser):
    url, process = server  # the last test: it ends the module's server
    page = experiment_tab(browser, url)
    start_long_experiment(page)
    assert wait_for(lambda: sweep_workers(process.pid))
    running = sweep_workers(process.pid)
    process.terminate()
    assert wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in running), 10)
    page.context.close()
