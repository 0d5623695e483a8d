"""The dashboard in a real browser: `solara run` on a free loopback port, driven by
Playwright in Debian's headless Chromium, with no internet."""

import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
from playwright.sync_api import Page, expect

from orgabm.dashboard.links import Config
from orgabm.dashboard.serve import employee_position

RENDERED = """(i) => {
  const views = [...document.querySelectorAll('[data-rendered]')];
  return views.length >= 5 && views.every((el) => Number(el.dataset.rendered) >= i);
}"""

#: True once the page says it is at step i or later.
AT_LEAST = """(i) => [...document.querySelectorAll('span, div')].some(
  (el) => el.childElementCount === 0 && /^Step: \\d+$/.test(el.textContent)
    && Number(el.textContent.slice(6)) >= i)"""


def open_page(browser, url: str, config: Config | None = None, **context) -> Page:
    page = browser.new_context(viewport={"width": 1500, "height": 1100}, **context).new_page()
    page.goto(url + (f"/?config={config.encode()}" if config else "/"))
    expect(page.get_by_text("Step: 0", exact=True)).to_be_visible(timeout=90_000)
    page.wait_for_function(RENDERED, arg=0, timeout=60_000)
    return page


def step(page: Page, times: int = 1) -> int:
    for _ in range(times):
        now = int(page.get_by_text("Step:").first.inner_text().split(":")[1])
        page.get_by_role("button", name="Step", exact=True).click()
        expect(page.get_by_text(f"Step: {now + 1}", exact=True)).to_be_visible()
        page.wait_for_function(RENDERED, arg=now + 1)
    return now + 1


def meta(page: Page) -> dict:
    return json.loads(page.locator("[data-rendered]").last.get_attribute("data-meta"))


def test_the_page_renders_offline_marks_a_lever_change_and_opens_the_inspector(server, browser):
    """One page, in the order a trainer meets them (each page load costs seconds of CPU):
    the charts and the network draw with no internet, a lever moved mid-run is marked and
    narrated, and a click on an employee opens the inspector."""
    url, log = server
    page = open_page(browser, url)
    assert page.locator("[data-rendered] canvas").count() >= 5
    step(page, 3)
    text = log.read_text()
    assert "Could not load URL" not in text, text[-2000:]
    assert "samesite" not in text, text[-2000:]  # no warning about iframes at the terminal
    page.get_by_role("slider", name="psychological safety").focus()
    page.keyboard.press("Home")  # the slider's minimum: 0
    expect(page.get_by_text("Intervention at step 3: psychological safety 0.9 -> 0."))\
        .to_be_visible()  # fmt: skip
    step(page)
    assert meta(page)["interventions"] == [3]
    page.mouse.click(*employee_position(page, 0))
    expect(page.get_by_text("Employee 0: team 0", exact=False)).to_be_visible()
    expect(page.get_by_text("Beliefs against reality and the official line")).to_be_visible()
    page.context.close()


def test_play_advances_pause_stops_and_play_drives_the_session_a_sidebar_change_builds(
    server, browser
):
    page = open_page(browser, server[0])
    page.get_by_role("button", name="Fast").click()
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(AT_LEAST, arg=5, timeout=30_000)
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    page.wait_for_timeout(500)  # a step under way when Pause was clicked still lands
    stopped = page.get_by_text("Step:").first.inner_text()
    page.wait_for_timeout(1500)
    assert page.get_by_text("Step:").first.inner_text() == stopped
    # a sidebar change builds a new session: Play must drive the new one
    seed = page.get_by_role("textbox", name="Seed", exact=True)
    seed.fill("4")
    seed.press("Enter")
    expect(page.get_by_text("Step: 0", exact=True)).to_be_visible()
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(AT_LEAST, arg=3, timeout=30_000)
    page.context.close()


def test_ab_compares_two_policies_on_the_same_seed(server, browser):
    page = open_page(browser, server[0], Config(compare="command_and_control", replicates=2))
    step(page, 2)
    shown = meta(page)
    assert shown["runs"] == ["A", "B"] and shown["replicates"] == 2
    page.context.close()


def test_the_run_downloads_as_csv_and_reads_back(server, browser):
    page = open_page(browser, server[0], Config(seed=5))
    step(page, 4)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download run (CSV + manifest)").click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    frame = pd.read_csv(io.BytesIO(archive.read("run.csv")))
    assert frame["step"].tolist() == [0, 1, 2, 3, 4]
    assert {"code_knowledge", "safety", "experiments"} <= set(frame.columns)
    assert json.loads(archive.read("manifest.json"))["seed"] == 5
    page.context.close()


def test_a_copied_link_opens_the_same_configuration_in_a_session_of_its_own(server, browser):
    page = open_page(browser, server[0], Config(scenario="one_safe_team", seed=9))
    step(page, 3)
    page.get_by_role("button", name="Copy link").click()
    expect(page).to_have_url(re.compile("config="))
    # another browser: its own cookie, its own session
    other = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
    other.goto(page.url)
    expect(other.get_by_text("Step: 0", exact=True)).to_be_visible(timeout=90_000)
    other.wait_for_function(RENDERED, arg=0, timeout=60_000)
    expect(other.get_by_text("Scenario one_safe_team: One safe team")).to_be_visible()
    step(other)
    assert page.get_by_text("Step: 3", exact=True).is_visible()  # the first did not move
    page.context.close()
    other.context.close()
