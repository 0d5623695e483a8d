"""Assignments: the shipped files, their validation, locked levers, and the experiment
tab's sweeps (specs, the server-wide queue, cancel, export, the CLI's same numbers)."""

import io
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from sweep_processes import alive, sweep_workers

from orgabm.dashboard.links import Config
from orgabm.dashboard.session import Session
from orgabm.scenario import ScenarioError, load_scenario
from orgabm.teaching.assignments import assignments
from orgabm.teaching.experiments import MAX_RUNS, MAX_WORK, ExperimentSpec
from orgabm.teaching.queue import Scheduler

SHIPPED = {
    "assignments/exploration_exploitation",
    "assignments/safety_and_complexity",
    "assignments/silos_and_communities",
    "assignments/reviews_and_safety",
}


def test_the_four_assignments_ship_and_load():
    found = assignments()
    assert set(found) >= SHIPPED
    for name in found:
        scenario = load_scenario(name)
        task = scenario.assignment
        assert task.title and task.instructions and task.questions
        assert task.experiment is not None and task.experiment.lever in task.open
        for lever, (low, high) in task.open.items():
            assert low <= getattr(scenario.leadership, lever) <= high


def _write(tmp_path: Path, assignment: str, extra: str = "") -> Path:
    path = tmp_path / "a.yaml"
    path.write_text(f"extends: march_1991\n{extra}assignment:\n{assignment}")
    return path


GOOD = """  title: T
  instructions: Do it.
  questions: ["Why?"]
  open: {socialization: [0.1, 0.9]}
"""


@pytest.mark.parametrize(
    ("assignment", "extra", "message"),
    [
        (GOOD.replace("socialization:", "socialisation:"), "",
         r"assignment\.open\.socialisation: 'socialisation' is not allowed: must be a lever.*"
         r"did you mean 'socialization'"),
        (GOOD.replace("[0.1, 0.9]", "[0.5, 2]"), "",
         r"assignment\.open\.socialization: \[0\.5, 2\.0\] is not allowed"),
        (GOOD, "leadership: {socialization: 0.05}\n",
         r"leadership\.socialization: 0\.05 is not allowed: must be within the assignment's "
         r"open range \[0\.1, 0\.9\]"),
        (GOOD.replace('  questions: ["Why?"]\n', ''), "", r"assignment\.questions: missing"),
        (GOOD + "  experiment: {lever: code_learning, low: 0.1, high: 0.5}\n", "",
         r"assignment\.experiment\.lever: 'code_learning' is not allowed: must be an open lever"),
        (GOOD + "  experiment: {lever: socialization, low: 0.1, high: 0.5, metric: joy}\n", "",
         r"assignment\.experiment\.metric: 'joy' is not allowed: must be a metric"),
        (GOOD + "  factors: {environment.dimensions: [0]}\n", "",
         r"assignment\.factors\.environment\.dimensions: 0 is not allowed"),
        (GOOD + "  hints: [x]\n", "", r"assignment\.hints: unknown key"),
    ],
)  # fmt: skip
def test_assignment_errors_name_the_key_the_value_and_what_is_allowed(
    tmp_path: Path, assignment: str, extra: str, message: str
):
    with pytest.raises(ScenarioError, match=message) as info:
        load_scenario(_write(tmp_path, assignment, extra))
    assert "\n" not in str(info.value)


def test_cli_validates_an_assignment_like_a_scenario(tmp_path: Path):
    path = _write(tmp_path, GOOD.replace("socialization:", "socialisation:"))
    done = subprocess.run([sys.executable, "-m", "orgabm.cli", "validate", str(path)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 2
    assert "did you mean 'socialization'" in done.stderr and "Traceback" not in done.stderr


# --------------------------------------------------------------------------- locked levers
def test_locked_levers_cannot_be_changed_through_the_session():
    session = Session(Config(scenario="assignments/reviews_and_safety"))
    with pytest.raises(ValueError, match="locked"):
        session.set_lever("training", 0.9)
    with pytest.raises(ValueError, match=r"allows 0\.1 to 0\.9"):
        session.set_lever("psychological_safety", 1.0)
    session.set_lever("psychological_safety", 0.2)  # open, in range
    assert session.model.config.leadership.psychological_safety == 0.2
    assert (
        session.model.config.leadership.training
        == load_scenario("assignments/reviews_and_safety").leadership.training
    )


@pytest.mark.parametrize(
    "changes",
    [{"levers": {"training": 0.9}}, {"levers": {"psychological_safety": 1.0}},
     {"employees": 500}, {"network": "line"}],
)  # fmt: skip
def test_locked_levers_cannot_be_changed_through_the_url(changes):
    name = "assignments/reviews_and_safety"
    link = Config(scenario=name, **changes)  # what a hand-edited link would carry
    config, notice = Config.decode(link.encode())
    assert notice and "showing the assignment as set" in notice
    assert config.scenario == name and config.levers == {} and config.employees is None


def test_an_open_lever_in_range_survives_the_url():
    config, notice = Config.decode(
        Config(scenario="assignments/reviews_and_safety",
               levers={"psychological_safety": 0.3}).encode())  # fmt: skip
    assert notice is None and config.levers == {"psychological_safety": 0.3}


# --------------------------------------------------------------------------- experiments
def _spec(**changes) -> ExperimentSpec:
    base = dict(scenario="assignments/exploration_exploitation", lever="socialization",
                low=0.1, high=0.9, points=3, replicates=4, metric="code_knowledge",
                seed=3)  # fmt: skip
    return ExperimentSpec(**{**base, **changes})


def test_spec_values_points_and_command():
    spec = _spec(factor="leadership.code_learning", factor_values=[0.1, 0.9])
    assert spec.values() == [0.1, 0.5, 0.9]
    assert spec.runs == 24
    assert spec.sweep_points()[0] == {"leadership.code_learning": 0.1,
                                      "leadership.socialization": 0.1}  # fmt: skip
    assert spec.command() == (
        "orgabm sweep scenario.yaml --vary leadership.code_learning=0.1,0.9 "
        "--vary leadership.socialization=0.1,0.5,0.9 --reps 4 --seed 3 --out experiment"
    )
    reviews = _spec(scenario="assignments/reviews_and_safety", lever="after_action_reviews",
                    low=0, high=20, points=5, metric="knowledge")  # fmt: skip
    assert reviews.values() == [0, 5, 10, 15, 20]


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"lever": "training"}, "locked"), ({"high": 1.0}, "the assignment allows 0.1 to 0.9"),
     ({"replicates": 50, "points": 11}, f"at most {MAX_RUNS}"),
     ({"factor": "environment.k", "factor_values": [0]}, "not offered in this assignment"),
     ({"metric": "joy"}, "unknown metric")],
)  # fmt: skip
def test_spec_refuses_what_the_assignment_or_the_server_does_not_allow(changes, message):
    with pytest.raises(ValueError, match=message):
        _spec(**changes).check()


def _wait(job, states=("done", "failed", "cancelled"), timeout=120):
    ends = time.monotonic() + timeout
    while job.state not in states:
        assert time.monotonic() < ends, job.state
        time.sleep(0.05)


def test_experiment_runs_in_the_background_and_the_cli_gives_the_same_numbers(tmp_path: Path):
    scheduler = Scheduler(slots=1)
    spec = _spec(factor="leadership.code_learning", factor_values=[0.1, 0.9])
    job = scheduler.submit(spec)
    _wait(job)
    assert job.state == "done" and job.done == job.total == 24
    summary = job.summary()
    assert len(summary) == 6 and (summary["runs"] == 4).all()
    with zipfile.ZipFile(io.BytesIO(job.export())) as archive:
        archive.extractall(tmp_path)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["assignment"]["title"] == "Exploration against exploitation"
    assert manifest["reproduce"] == spec.command()
    runs = pd.read_csv(tmp_path / "runs.csv")
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


def test_the_queue_runs_one_at_a_time_in_order_and_cancel_stops_a_sweep():
    scheduler = Scheduler(slots=1)
    long = _spec(scenario="assignments/silos_and_communities", lever="communities_of_practice",
                 low=0.0, high=0.3, points=5, replicates=40, metric="knowledge")  # fmt: skip
    first = scheduler.submit(long)
    second = scheduler.submit(_spec())
    third = scheduler.submit(_spec(seed=4))
    _wait(first, ("running",))
    assert scheduler.position(second) == 1 and scheduler.position(third) == 2
    third.cancel()
    assert third.state == "cancelled" and scheduler.position(second) == 1
    first.cancel()
    _wait(first)
    assert first.state == "cancelled" and first.done < first.total
    _wait(second)
    assert second.state == "done"
    assert third.state == "cancelled" and third.runs is None


# --------------------------------------------------------------------------- limits
@pytest.mark.parametrize(
    ("changes", "message"),
    [({"factor": "steps", "factor_values": [1_000_000]},
      r"second factor steps: not offered in this page \(choose from leadership\."),
     ({"factor": "leadership.training", "factor_values": [0.5, 7]},
      r"leadership\.training 7: a number from 0 to 1"),
     ({"lever": "steps"}, r"unknown lever 'steps' \(levers: psychological_safety, "),
     ({"high": 3.0}, "psychological_safety 3.0: the slider runs from 0 to 1")],
)  # fmt: skip
def test_a_preset_page_offers_only_its_levers_ranges_and_second_factors(changes, message):
    spec = ExperimentSpec(**{**dict(scenario="learning_organization",
                                    lever="psychological_safety", low=0.0, high=1.0, points=2,
                                    replicates=10), **changes})  # fmt: skip
    with pytest.raises(ValueError, match=message) as info:
        spec.check()
    assert "\n" not in str(info.value)


def test_an_assignments_second_factor_takes_only_its_listed_values():
    spec = _spec(scenario="assignments/safety_and_complexity", lever="psychological_safety",
                 low=0.0, high=1.0, factor="environment.k", factor_values=[0, 11])  # fmt: skip
    with pytest.raises(ValueError, match=r"environment\.k 11: this assignment allows 0, 5"):
        spec.check()
    spec.factor_values = [0, 5]
    spec.check()


def test_an_experiment_has_a_budget_of_runs_times_steps_times_employees():
    # march_1991 runs up to 5,000 steps with 50 employees: 396 runs would be 99 million
    spec = ExperimentSpec(scenario="march_1991", lever="socialization", low=0.1, high=0.9,
                          points=11, replicates=36)  # fmt: skip
    assert spec.work() == 396 * 5000 * 50
    with pytest.raises(ValueError, match=f"99,000,000 employee-steps .* at most {MAX_WORK:,}"):
        spec.check()
    spec.replicates = 5
    spec.check()


@pytest.mark.parametrize(
    "changes",
    [{"points": "3"}, {"replicates": True}, {"low": "a"}, {"points": 10**9},
     {"factor": "leadership.code_learning", "factor_values": "0.1,0.9"}, {"seed": -1}],
)  # fmt: skip
def test_crafted_types_and_sizes_are_refused_in_one_line(changes):
    with pytest.raises(ValueError) as info:
        _spec(**changes).check()
    assert "\n" not in str(info.value)


def _long(**changes) -> ExperimentSpec:
    base = dict(scenario="assignments/silos_and_communities", lever="communities_of_practice",
                low=0.0, high=0.3, points=5, replicates=40, metric="knowledge")  # fmt: skip
    return ExperimentSpec(**{**base, **changes})


def _gone(pid: int, seconds: float = 10.0) -> bool:
    ends = time.monotonic() + seconds
    while alive(pid) and time.monotonic() < ends:
        time.sleep(0.1)
    return not alive(pid)


linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@linux
def test_closing_the_page_cancels_its_queued_and_running_experiments():
    scheduler = Scheduler(slots=1)
    first_page, second_page = threading.Event(), threading.Event()
    others = set(sweep_workers(os.getpid()))  # earlier tests' workers may still be ending
    first = scheduler.submit(_long(), closed=first_page)
    second = scheduler.submit(_spec(), closed=second_page)
    _wait(first, ("running",))
    ends = time.monotonic() + 30
    while not (workers := sweep_workers(os.getpid(), others)) and time.monotonic() < ends:
        time.sleep(0.05)
    assert workers and scheduler.position(second) == 1
    second_page.set()  # the queued one's page closes: it never starts
    assert scheduler.position(second) is None and second.state == "cancelled"
    first_page.set()  # the running one's page closes: its worker is killed
    _wait(first)
    assert first.state == "cancelled" and first.done < first.total
    assert all(_gone(pid) for pid in workers)


def test_one_experiment_at_a_time_per_computer():
    scheduler = Scheduler(slots=1)
    first = scheduler.submit(_long(), client="10.0.0.7")
    try:
        with pytest.raises(ValueError, match=r"this computer \(10\.0\.0\.7\) already has an "
                           "experiment queued or running: one at a time"):  # fmt: skip
            scheduler.submit(_spec(), client="10.0.0.7")
        other = scheduler.submit(_spec(), client="10.0.0.8")  # another computer queues
        assert scheduler.position(other) in (1, None)
        first.cancel()
        _wait(first)
        again = scheduler.submit(_spec(), client="10.0.0.7")
        assert again.state in ("queued", "running", "done")
    finally:
        scheduler.stop_all()


SIGTERM_SCRIPT = """
import os, signal, sys, time
sys.path.insert(0, os.getcwd())
from orgabm.teaching.experiments import ExperimentSpec
from orgabm.teaching.queue import Scheduler, stop_workers_on_sigterm
told = []
signal.signal(signal.SIGTERM, lambda *_: told.append("uvicorn"))  # the server's own handler
scheduler = Scheduler(slots=1)
assert stop_workers_on_sigterm(scheduler)
job = scheduler.submit(ExperimentSpec(scenario="assignments/silos_and_communities",
                       lever="communities_of_practice", low=0.0, high=0.3, replicates=40))
while job.state != "running" or job.done < 1:
    time.sleep(0.05)
print(job.done, flush=True)
sys.stdin.readline()  # the test has seen the worker
os.kill(os.getpid(), signal.SIGTERM)
print(job.state, told, flush=True)
"""


@linux
def test_the_servers_sigterm_kills_its_sweep_workers_and_reaches_uvicorn():
    with subprocess.Popen([sys.executable, "-c", SIGTERM_SCRIPT], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True) as process:  # fmt: skip
        try:
            assert process.stdout.readline().strip()  # a run is done: the worker is busy
            workers = sweep_workers(process.pid)
            assert workers
            process.stdin.write("\n")
            process.stdin.flush()
            assert process.stdout.readline().strip() == "cancelled ['uvicorn']"
            assert all(_gone(pid, 2.0) for pid in workers)
        finally:
            process.kill()


WORKER_PARENT = """
import json, os, subprocess, sys, time
from orgabm.scenario import load_scenario
scenario = load_scenario("march_1991", {"steps": 1000000, "stop_at_equilibrium": False})
env = {**os.environ, "ORGABM_WORKER_PARENT": str(os.getpid())}  # as batch.py starts one
worker = subprocess.Popen([sys.executable, "-m", "orgabm.batch.worker", sys.argv[1]],
                          stdin=subprocess.PIPE, text=True, env=env)
worker.stdin.write(json.dumps({"scenario": scenario.model_dump(mode="json")}) + "\\n")
run = {"run_id": 0, "seed": 1, "rep": 0, "point": {}}
worker.stdin.write(json.dumps({"batch": 1, "runs": [run]}) + "\\n")
worker.stdin.flush()
print(worker.pid, flush=True)
time.sleep(600)
"""


@linux
@pytest.mark.parametrize("after", [0.2, 5.0], ids=["while-starting", "in-a-long-run"])
def test_a_sweep_worker_dies_with_its_parent_even_in_a_long_run(tmp_path: Path, after: float):
    with subprocess.Popen([sys.executable, "-c", WORKER_PARENT, str(tmp_path / "store")],
                          stdout=subprocess.PIPE, text=True) as parent:  # fmt: skip
        worker = int(parent.stdout.readline())
        try:
            time.sleep(after)  # the worker is importing, or inside its million-step run
            assert alive(worker)
            parent.kill()
            parent.wait()
            assert _gone(worker, 5.0)
        finally:
            if alive(worker):
                os.kill(worker, signal.SIGKILL)
