"""Assignments and the experiment tab in a real browser (Debian's headless Chromium),
and the CLI giving the same numbers as the experiment a student downloaded."""

import io
import json
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from orgabm.dashboard.serve import move_slider


@pytest.fixture(scope="module")
def url(server) -> str:
    return server[0]


def open_assignment(browser, url: str, name: str) -> Page:
    page = browser.new_context(viewport={"width": 1600, "height": 1100}).new_page()
    page.goto(f"{url}/?assignment={name}")
    expect(page.get_by_text("Step: 0", exact=True)).to_be_visible(timeout=90_000)
    return page


def test_an_assignment_opens_by_url_with_its_instructions_and_locked_levers(url, browser):
    page = open_assignment(browser, url, "reviews_and_safety")
    title = page.locator(".v-card__title", has_text="After-action reviews, with and")
    expect(title).to_be_visible()
    expect(page.get_by_text("What would you tell a leader", exact=False)).to_be_visible()
    page.get_by_text("Development", exact=True).click()  # the group holding training
    training = page.get_by_role("slider", name=re.compile(r"^training \(locked\)"))
    locked = "e => e.closest('.v-input').classList.contains('v-input--is-disabled')"
    assert training.evaluate(locked)
    before = training.get_attribute("aria-valuenow")
    training.scroll_into_view_if_needed()
    box = training.evaluate("e => e.closest('.v-slider').getBoundingClientRect().toJSON()")
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)  # its right end
    page.keyboard.press("End")
    page.wait_for_timeout(500)
    assert training.get_attribute("aria-valuenow") == before
    expect(page.get_by_text("Intervention at step 0: training", exact=False)).to_have_count(0)
    open_lever = page.get_by_role("slider", name=re.compile(r"^psychological safety$"))
    assert not open_lever.evaluate(locked)
    assert float(open_lever.get_attribute("aria-valuemax")) == pytest.approx(0.9)
    page.context.close()


def test_an_unknown_assignment_falls_back_with_a_notice(url, browser):
    page = browser.new_context().new_page()
    page.goto(f"{url}/?assignment=nope")
    expect(page.get_by_text("There is no assignment 'nope'", exact=False)).to_be_visible(
        timeout=90_000
    )
    page.context.close()


def test_an_experiment_runs_plots_downloads_and_matches_the_cli(url, browser, tmp_path):
    page = open_assignment(browser, url, "exploration_exploitation")
    page.get_by_role("tab", name="Experiment").click()
    move_slider(page.get_by_role("slider", name="Points"), 3)
    move_slider(page.get_by_role("slider", name="Replicates per point"), 3)
    page.get_by_role("button", name="Run experiment").click()
    expect(page.get_by_text(re.compile(r"^Done: 18 runs"))).to_be_visible(timeout=120_000)
    expect(page.locator("img[src^='blob:']").last).to_be_visible()  # the plot
    with page.expect_download() as download:
        page.get_by_role("button", name="Download results (CSV + manifest)").click()
    with zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())) as archive:
        archive.extractall(tmp_path)
    runs = pd.read_csv(tmp_path / "runs.csv")
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert len(runs) == 18 and manifest["experiment"]["replicates"] == 3
    assert manifest["assignment"]["name"] == "exploration_exploitation"
    command = shlex.split(manifest["reproduce"])[1:]
    done = subprocess.run([sys.executable, "-m", "orgabm.cli", *command, "--quiet"],
                          cwd=tmp_path, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, done.stderr
    cli = pd.read_parquet(tmp_path / "experiment" / "runs.parquet")
    keys = ["leadership.code_learning", "leadership.socialization", "rep"]
    ours = runs.sort_values(keys).reset_index(drop=True)
    theirs = cli.sort_values(keys).reset_index(drop=True)
    assert ours["seed"].tolist() == theirs["seed"].tolist()
    assert ours["code_knowledge"].tolist() == pytest.approx(theirs["code_knowledge"].tolist())
    page.context.close()
