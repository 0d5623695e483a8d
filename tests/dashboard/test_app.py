"""The dashboard without a browser: the session logic, the charts' specs, and the Solara
components rendered with Solara's test helpers."""

import base64
import io
import json
import os
import subprocess
import sys
import zipfile

import ipyvuetify as v
import numpy as np
import pandas as pd
import pytest
import solara

from orgabm.dashboard.app import LeverSlider, Page
from orgabm.dashboard.assets import (
    ALIASES,
    cdn_file,
    cdn_folder,
    ensure_offline_assets,
    missing_assets,
)
from orgabm.dashboard.classroom import ExperimentPanel, markdown_html
from orgabm.dashboard.links import MAX_EMPLOYEES, BudgetError, Config
from orgabm.dashboard.serve import is_loopback, server_env
from orgabm.dashboard.session import Session, team_layout
from orgabm.dashboard.views import network_spec, series_spec
from orgabm.dashboard.widgets import VegaView, split
from orgabm.scenario import load_scenario


# ----------------------------------------------------------------- links
def test_a_link_carries_the_configuration():
    config = Config(scenario="one_safe_team", seed=7, employees=300, levers={"training": 0.2},
                    compare="command_and_control", replicates=3, color="safety")  # fmt: skip
    decoded, notice = Config.decode(config.encode())
    assert notice is None and decoded == config


@pytest.mark.parametrize(
    "text",
    ["%%%", "bm90IGpzb24", Config(employees=MAX_EMPLOYEES + 1).encode(),
     Config(scenario="nowhere").encode(), Config(levers={"happiness": 1.0}).encode(),
     Config(levers={"training": 7.0}).encode()],
)  # fmt: skip
def test_a_malformed_link_falls_back_to_the_defaults_with_a_notice(text):
    config, notice = Config.decode(text)
    assert config == Config() and "could not be read" in notice


def _link(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("data", "named"),
    [({"scenario": ["x"]}, "scenario ['x']"), ({"scenario": {"a": 1}}, "scenario {'a': 1}"),
     ({"levers": [1, 2]}, "levers [1, 2]"), ({"levers": 5}, "levers 5"),
     ({"levers": {"training": True}}, "levers {'training': True}"),
     ({"employees": "20"}, "employees '20'"), ({"replicates": 1.5}, "replicates 1.5"),
     ({"seed": True}, "seed True"), ({"color": ["a"]}, "color ['a']")],
)  # fmt: skip
def test_a_link_with_a_wrongly_typed_field_names_it_in_the_notice(data, named):
    config, notice = Config.decode(_link(data))
    assert config == Config() and named in notice and "\n" not in notice


@pytest.mark.parametrize("levers", [[1], "s", {"socialization": "high"}])
def test_an_assignment_link_with_malformed_levers_opens_the_assignment(levers):
    task = "assignments/exploration_exploitation"
    config, notice = Config.decode(_link({"scenario": task, "levers": levers}))
    assert config == Config(scenario=task) and "levers" in notice


# ----------------------------------------------------------------- the session
def test_steps_move_every_model_together():
    session = Session(Config(compare="command_and_control", replicates=2, employees=60))
    session.step(5)
    assert session.time == 5 and session.twin.time == 5
    assert all(m.time == 5 for m in session.replicates)
    assert set(session.frames()) == {"A", "B", "r1", "r2"}


def test_ab_runs_two_policies_on_the_same_seed():
    session = Session(Config(compare="command_and_control", employees=60))
    a, b = session.model, session.twin
    assert (a.beliefs == b.beliefs).all() and (a.reality.values == b.reality.values).all()
    assert a.config.organization == b.config.organization
    assert b.config.leadership.psychological_safety == 0.1
    assert a.config.leadership.psychological_safety == 0.9


def test_replicates_give_a_band_around_the_mean():
    session = Session(Config(replicates=4, employees=60))
    session.step(10)
    band = session.band("knowledge")
    assert len(band) == 11 and (band["low"] <= band["mean"]).all()
    assert (band["high"] - band["low"]).iloc[-1] > 0


def test_a_lever_changed_mid_run_is_applied_marked_and_narrated():
    session = Session(Config(replicates=1, employees=60))
    session.step(4)
    session.set_lever("psychological_safety", 0.1)
    assert session.model.config.leadership.psychological_safety == 0.1
    assert session.replicates[0].config.leadership.psychological_safety == 0.1
    assert [(i.step, i.lever, i.after) for i in session.interventions] == [
        (4, "psychological_safety", 0.1)]  # fmt: skip
    assert "Intervention at step 4: psychological safety 0.9 -> 0.1." in session.feed[-1][1]
    spec = series_spec(session, "learning", "learning")
    rules = spec["layer"][-1]["data"]["values"]
    assert rules == [{"step": 4, "what": "psychological safety 0.9 -> 0.1"}]


def test_the_feed_narrates_reviews_and_scripted_events():
    session = Session(Config(scenario="new_ceo", employees=100))
    session.step(80)
    texts = [text for _, text in session.feed]
    assert any("review turned" in t and "into knowledge" in t for t in texts)
    assert any(
        t.startswith("Step 75, scripted in the scenario: psychological safety 0.9 -> 0.1")
        for t in texts
    )
    # the scripted change is marked on the charts like an intervention
    scripted = [i for i in session.interventions if i.source == "scripted"]
    assert {i.step for i in scripted} == {75}
    assert ("psychological_safety", 0.9, 0.1) in {(i.lever, i.before, i.after) for i in scripted}
    assert session.scripted_changes == 1
    assert session.lever("psychological_safety") == 0.1  # what the sidebar's slider shows


def test_the_inspector_shows_one_employee():
    session = Session(Config(employees=60))
    session.step(3)
    info = session.inspect(5)
    assert info["row"] == 5 and len(info["beliefs"]) == len(info["reality"]) == 30
    assert len(info["history"]) == 4 and session.inspect(999) is None


def test_exports_hold_the_run_and_a_manifest():
    session = Session(Config(employees=60, seed=4))
    session.step(6)
    session.set_lever("training", 0.3)
    for kind, name in (("csv", "run.csv"), ("parquet", "run.parquet")):
        archive = zipfile.ZipFile(io.BytesIO(session.export(kind)))
        assert {name, "manifest.json", "scenario.yaml"} <= set(archive.namelist())
        data = archive.read(name)
        frame = pd.read_csv(io.BytesIO(data)) if kind == "csv" else pd.read_parquet(
            io.BytesIO(data))  # fmt: skip
        pd.testing.assert_frame_equal(frame, session.model.metrics_frame(), check_dtype=False)
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["seed"] == 4 and manifest["interventions"][0]["lever"] == "training"
        assert set(manifest["versions"]) >= {"orgabm", "mesa", "numpy", "python"}
        assert "training: 0.3" in manifest["scenario_yaml"]
    assert session.charts_png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sizes_are_capped_in_the_browser():
    with pytest.raises(ValueError, match="2,000 in the browser"):
        Config(employees=5000).check()


def test_the_layout_groups_each_team_around_its_own_centre():
    team = np.repeat(np.arange(6), 8)
    xy = team_layout(team, 6)
    centres = np.array([xy[team == t].mean(axis=0) for t in range(6)])
    spread = max(np.linalg.norm(xy[team == t] - centres[t], axis=1).max() for t in range(6))
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=2)[~np.eye(6, dtype=bool)]
    assert gaps.min() > 2 * spread  # teams do not overlap


def test_the_network_shows_this_steps_experiments_and_punishments():
    session = Session(Config(scenario="command_and_control", employees=200))
    outcomes = set()
    for _ in range(10):
        session.step()
        outcomes |= {m["outcome"] for m in network_spec(session, "knowledge")["layer"][2]["data"][
            "values"]}  # fmt: skip
    assert {"success", "failure", "punished"} <= outcomes


def test_split_separates_rows_from_the_chart():
    spec = {"layer": [{"data": {"values": [{"a": 1}]}}, {"data": {"values": "[2]"}}]}
    bare, data = split(spec, key=3, meta={"runs": ["A"]})
    assert json.loads(bare) == {"layer": [{"data": {"name": "d0"}}, {"data": {"name": "d1"}}]}
    assert json.loads(data) == {"key": 3, "meta": {"runs": ["A"]},
                                "data": {"d0": [{"a": 1}], "d1": [2]}}  # fmt: skip


# ----------------------------------------------------------------- offline assets
def test_the_front_end_files_are_installed_with_the_package():
    ensure_offline_assets()
    assert missing_assets() == []
    for alias in ALIASES:
        assert (cdn_folder() / alias / "build").is_dir()


def test_the_asset_route_serves_cached_files_and_nothing_else():
    assert cdn_file("requirejs@2.3.6/require.js") == cdn_folder() / "requirejs@2.3.6/require.js"
    assert cdn_file("vega@5/build/vega.min.js") is not None  # through the alias's link
    for path in ["@widgetti/solara-vuetify-app@10.1.1/dist", "vega@5.21.0/build", "vega@5",
                 "requirejs@2.3.6/nothing.js", "../cdn/requirejs@2.3.6/require.js", "",
                 "requirejs@2.3.6//require.js"]:  # fmt: skip
        assert cdn_file(path) is None, path


# ----------------------------------------------------------------- a class server
def test_the_server_sends_no_telemetry_and_hides_its_cookie_from_scripts(monkeypatch):
    monkeypatch.delenv("SOLARA_TELEMETRY_MIXPANEL_ENABLE", raising=False)
    monkeypatch.delenv("SOLARA_SESSION_HTTP_ONLY", raising=False)
    env = server_env()
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_SESSION_HTTP_ONLY"] == "True"


def test_only_this_machine_counts_as_local():
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("::ffff:127.0.0.1")
    assert not any(map(is_loopback, ["10.0.0.5", "192.168.1.20", "testclient", "", None]))


def test_assignment_markdown_formats_but_runs_nothing():
    html = markdown_html(
        "**bold** <img src=x onerror=alert(1)> {{ 6*7 }}\n\n<script>alert(2)</script>\n\n"
        "[a](javascript:alert(3)) [b](java\tscript:alert(4)) [c](https://example.org) [d](notes.md)"
    )
    assert "<strong>bold</strong>" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "&lt;script&gt;" in html and "<script" not in html
    assert "{{ 6*7 }}" in html  # shown through v-html, never compiled as a template
    assert "javascript" not in html.lower() and "<a>a</a>" in html and "<a>b</a>" in html
    assert '<a href="https://example.org">c</a>' in html and '<a href="notes.md">d</a>' in html


# ----------------------------------------------------------------- components
@pytest.fixture
def page():
    _, rc = solara.render(Page(), handle_error=False)
    return rc


def texts(rc) -> list[str]:
    return [w.widget.children[0] for w in rc.find(v.Html) if w.widget.children
            and isinstance(w.widget.children[0], str)]  # fmt: skip


def test_page_steps_and_redraws(page):
    page.find(v.Btn, children=["Step"]).widget.click()
    page.find(v.Btn, children=["Step"]).widget.click()
    assert any(t == "Step: 2" for t in texts(page))
    charts = page.find(VegaView)
    assert len(charts) == 5
    assert all(json.loads(c.widget.data_json)["key"] == 2 for c in charts)


def test_clicking_an_employee_opens_the_inspector(page):
    network = max(page.find(VegaView), key=lambda c: len(c.widget.data_json)).widget
    network.vue_clicked({"row": 7, "team": 0})
    assert any(t.startswith("Employee 7: team") for t in texts(page))
    network.vue_clicked(None)
    assert any(t.startswith("Click an employee") for t in texts(page))


def test_a_lever_slider_changes_the_running_session():
    session = Session(Config(employees=60))
    session.step(2)
    _, rc = solara.render(
        LeverSlider(session, "psychological_safety", "hint", session.set_lever),
        handle_error=False,
    )
    slider = rc.find(v.Slider).widget
    assert slider.label == "psychological safety" and slider.v_model == 0.9
    slider.v_model = 0.2
    assert session.lever("psychological_safety") == 0.2
    assert [(i.step, i.after) for i in session.interventions] == [(2, 0.2)]


def test_the_sidebar_offers_presets_size_network_seed_ab_replicates_and_grouped_levers():
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    labels = [w.widget.label for w in rc.find(v.Slider)]
    assert "Employees (browser cap 2,000)" in labels
    assert "Replicates behind the run (95% band)" in labels
    selects = [w.widget.label for w in rc.find(v.Select)]
    assert {"Preset", "Network", "Compare with (A/B, same seed)"} <= set(selects)
    groups = [w.widget.children[0] for w in rc.find(v.ExpansionPanelHeader)]
    assert groups == ["Psychological safety", "Experimentation", "Knowledge sharing",
                      "Shared vision", "Team learning", "Development", "Rewards"]  # fmt: skip


# ----------------------------------------------------------------- limits per session
def test_a_sessions_replicates_are_capped_by_its_size():
    heavy = Config(employees=2000, compare="command_and_control", replicates=10)
    said = r"replicates 10: at most 1 with 2,000 employees, 30 dimensions and A/B \(the server"
    with pytest.raises(BudgetError, match=said):
        heavy.check()
    assert Config(replicates=10, compare="command_and_control").replicate_cap() == 10
    assert Config(employees=2000).replicate_cap() == 3


def test_a_link_that_asks_for_too_many_replicates_shows_as_many_as_fit():
    link = Config(employees=2000, compare="command_and_control", replicates=10, seed=3).encode()
    config, notice = Config.decode(link)
    assert (config.employees, config.replicates, config.seed) == (2000, 1, 3)
    assert notice == ("The link asks for 10 replicates; this server allows 1 with 2,000 "
                      "employees, 30 dimensions and A/B (its memory budget per session): "
                      "showing 1.")  # fmt: skip


def _slider(rc, label: str):
    return next(w.widget for w in rc.find(v.Slider) if w.widget.label.startswith(label))


def test_the_replicates_slider_shrinks_with_the_size_and_a_crafted_value_is_refused():
    _, rc = solara.render(solara.AppLayout(children=[Page()]), handle_error=False)
    _slider(rc, "Employees").v_model = 2000
    replicates = _slider(rc, "Replicates")
    assert replicates.max == 3
    assert rc.find(v.Html, children=["At most 3 replicates with 2,000 employees, 30 dimensions "
                                     "(the server's memory budget per session)."])  # fmt: skip
    replicates.v_model = 10  # what a crafted widget message can send
    alerts = [str(w.widget.children) for w in rc.find(v.Alert)]
    assert any("Cannot use these settings: replicates 10: at most 3" in a for a in alerts), alerts


def test_a_locked_lever_sent_to_the_experiment_tab_is_a_notice():
    name = "assignments/reviews_and_safety"
    _, rc = solara.render(ExperimentPanel(name, load_scenario(name), 0), handle_error=False)
    lever = next(w.widget for w in rc.find(v.Select) if w.widget.label == "Lever")
    lever.v_model = "training"  # locked here: the select does not offer it
    alerts = [str(w.widget.children) for w in rc.find(v.Alert)]
    assert any("training is locked in this assignment (open: " in a for a in alerts), alerts


def test_dropped_sessions_are_culled_within_30_seconds():
    # serve.server_env asks Solara for 2 minutes; the app keeps at most 30 s
    probe = ("import orgabm.dashboard.app, solara.server.settings as s, solara.util as u; "
             "print(u.parse_timedelta(s.kernel.cull_timeout))")  # fmt: skip
    env = {**os.environ, "SOLARA_KERNEL_CULL_TIMEOUT": "2m"}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert float(done.stdout.split()[-1]) <= 30
