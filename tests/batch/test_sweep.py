"""Sweeps: the same numbers whatever the workers or backend, resume after SIGKILL,
failing runs isolated, one-line errors."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orgabm.batch.designs import Design, design_points, grid_points, parse_vary
from orgabm.batch.errors import SweepError
from orgabm.batch.store import Store, load_results
from orgabm.batch.sweep import Sweep, run_sweep, sweep
from orgabm.cli import main

HERE = Path(__file__).resolve().parent
SMALL = {"leadership.socialization": [0.1, 0.9], "leadership.code_learning": [0.5]}


def runs_of(folder: Path) -> pd.DataFrame:
    return pd.read_parquet(folder / "runs.parquet")


def test_parse_vary_lists_and_ranges():
    assert parse_vary("leadership.socialization=0.1,0.5,0.9") == (
        "leadership.socialization", [0.1, 0.5, 0.9])  # fmt: skip
    assert parse_vary("leadership.socialization=0.1:0.9:5")[1] == [0.1, 0.3, 0.5, 0.7, 0.9]
    assert parse_vary("organization.network.kind=ring,line")[1] == ["ring", "line"]
    assert parse_vary("leadership.after_action_reviews=0,5")[1] == [0, 5]


@pytest.mark.parametrize(
    "text",
    ["leadership.socialization", "=0.1", "leadership.socialization=", "x=0.1:0.9",
     "x=0.1:0.9:zero", "x=0.1:0.9:0", "x=1,1", "x=0.1,,0.2"],
)  # fmt: skip
def test_bad_vary_specs_are_refused(text):
    with pytest.raises(SweepError, match=r"^vary="):  # the library's word; the CLI says --vary
        parse_vary(text)


def test_library_errors_name_the_librarys_parameters_and_the_cli_its_flags(capsys):
    from orgabm import sweep
    from orgabm.cli import main

    with pytest.raises(SweepError, match=r"^reps=0: must be 1 or more$"):
        sweep("march_1991", vary={"leadership.socialization": [0.1]}, reps=0, out="unused")
    # no worker is not "every CPU": None is
    with pytest.raises(SweepError, match=r"^workers=0: must be 1 or more \(None: every CPU\)$"):
        sweep("march_1991", vary={"leadership.socialization": [0.1]}, workers=0, out="unused")
    assert main(["sweep", "march_1991", "--vary", "leadership.socialization", "--out",
                 "unused"]) == 2  # fmt: skip
    assert "orgabm: error: --vary leadership.socialization: expected PATH=SPEC" in (
        capsys.readouterr().err
    )


def test_grid_is_every_combination_first_path_slowest():
    points = grid_points({"a": [1, 2], "b": ["x", "y", "z"]})
    assert len(points) == 6
    assert points[0] == {"a": 1, "b": "x"} and points[3] == {"a": 2, "b": "x"}


def test_designs_sample_inside_their_ranges():
    for kind in ("lhs", "sobol"):
        design = Design.model_validate({"design": kind, "samples": 16, "seed": 3, "parameters": {
            "leadership.socialization": {"low": 0.1, "high": 0.9},
            "workforce.turnover": {"low": 0.0, "high": 0.2}}})  # fmt: skip
        points = design_points(design)
        values = np.array([[p["leadership.socialization"], p["workforce.turnover"]]
                           for p in points])  # fmt: skip
        assert len(points) == 16 and len(np.unique(values[:, 0])) == 16
        assert values[:, 0].min() >= 0.1 and values[:, 0].max() <= 0.9
        assert values[:, 1].max() <= 0.2
        assert design_points(design) == points  # the sampler is seeded
    steps = {"start": 0.1, "stop": 0.5, "count": 3}
    grid = Design.model_validate({"parameters": {"leadership.socialization": steps}})
    assert [p["leadership.socialization"] for p in design_points(grid)] == [0.1, 0.3, 0.5]


def test_seeds_are_distinct_and_depend_only_on_the_point_and_replicate():
    a = Sweep.build("march_1991", grid_points(SMALL), reps=3, seed=5)
    b = Sweep.build("march_1991", list(reversed(grid_points(SMALL))), reps=3, seed=5)
    seeds_a = {(r["point"]["leadership.socialization"], r["rep"]): r["seed"] for r in a.runs()}
    seeds_b = {(r["point"]["leadership.socialization"], r["rep"]): r["seed"] for r in b.runs()}
    assert seeds_a == seeds_b
    assert len(set(seeds_a.values())) == 6


def test_points_are_validated_up_front_with_the_path():
    with pytest.raises(SweepError, match=r"leadership\.socialization: 1\.5 is not allowed"):
        Sweep.build("march_1991", [{"leadership.socialization": 1.5}])
    with pytest.raises(SweepError, match="did you mean 'code_learning'"):
        Sweep.build("march_1991", [{"leadership.code_learnig": 0.5}])


def test_one_worker_two_workers_and_dask_give_identical_results(tmp_path: Path):
    built = Sweep.build("march_1991", grid_points(SMALL), reps=6, seed=2)
    run_sweep(built, tmp_path / "one", workers=1, progress=False)
    run_sweep(built, tmp_path / "two", workers=2, progress=False)
    run_sweep(built, tmp_path / "dask", workers=2, backend="dask", progress=False)
    one = runs_of(tmp_path / "one")
    assert len(one) == 12 and one["error"].isna().all()
    for other in ("two", "dask"):
        pd.testing.assert_frame_equal(one, runs_of(tmp_path / other))
        pd.testing.assert_frame_equal(
            Store(tmp_path / "one").steps(), Store(tmp_path / other).steps())  # fmt: skip


def test_the_store_holds_the_manifest_runs_and_steps(tmp_path: Path):
    frame = sweep("march_1991", SMALL, reps=2, seed=1, steps=15, workers=1, out=tmp_path / "s",
                  progress=False)  # fmt: skip
    results = load_results(tmp_path / "s")
    assert results.varied == ["leadership.socialization", "leadership.code_learning"]
    assert set(results.manifest["versions"]) >= {"orgabm", "mesa", "numpy", "python"}
    assert results.manifest["sweep"]["scenario"]["steps"] == 15
    for column in ("run_id", "seed", "leadership.socialization", "steps", "equilibrium",
                   "code_knowledge", "knowledge", "cost"):  # fmt: skip
        assert column in frame.columns
    steps = results.steps()
    assert steps.groupby("run_id").size().min() >= 2
    assert set(steps["run_id"]) == set(frame["run_id"])


def test_a_different_sweep_in_the_same_folder_is_refused(tmp_path: Path):
    sweep("march_1991", SMALL, reps=1, workers=1, out=tmp_path / "s", progress=False)
    with pytest.raises(SweepError, match="holds a different sweep"):
        sweep("march_1991", SMALL, reps=2, workers=1, out=tmp_path / "s", progress=False)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(SweepError, match="not a sweep's folder"):
        sweep("march_1991", SMALL, workers=1, out=tmp_path / "other", progress=False)


def test_running_again_skips_stored_runs_and_cleans_leftovers(tmp_path: Path):
    built = Sweep.build("march_1991", grid_points(SMALL), reps=4, seed=3)
    first = run_sweep(built, tmp_path / "s", workers=2, progress=False)
    assert first.ran == 8 and first.skipped == 0
    (tmp_path / "s" / "steps" / ".tmp-part-x.parquet").write_bytes(b"half a file")
    orphan = tmp_path / "s" / "steps" / "part-00000000000000000001-1.parquet"
    orphan.write_bytes(b"uncommitted")
    again = run_sweep(built, tmp_path / "s", workers=2, progress=False)
    assert again.ran == 0 and again.skipped == 8
    assert not orphan.exists() and not list((tmp_path / "s" / "steps").glob(".tmp-*"))


def test_a_failing_run_is_recorded_and_the_others_go_on(tmp_path: Path, capsys):
    args = ["sweep", "march_1991", "--vary", "leadership.socialization=0.1,0.5,0.9",
            "--reps", "6", "--model", "sweep_models:FailingModel", "--workers", "2",
            "--out", str(tmp_path / "s"), "--quiet"]  # fmt: skip
    code = main(args)
    out = capsys.readouterr().out
    runs = runs_of(tmp_path / "s")
    failed = runs[runs["error"].notna()]
    assert code == 1 and "FAILED" in out
    assert len(failed) == int((runs["seed"] % 4 == 0).sum()) > 0
    assert failed["error"].str.contains("deliberate failure").all()
    assert runs.loc[runs["error"].isna(), "code_knowledge"].notna().all()
    assert len(runs) == 18


def test_a_worker_that_dies_costs_only_its_batch(tmp_path: Path):
    built = Sweep.build("march_1991", grid_points(SMALL), reps=20, seed=4,
                        model="sweep_models:DyingModel")  # fmt: skip
    summary = run_sweep(built, tmp_path / "s", workers=2, progress=False)
    runs = runs_of(tmp_path / "s")
    assert len(runs) == 40 and summary.failed > 0
    dead = runs[runs["error"].fillna("").str.startswith("worker died")]
    assert (dead["seed"] % 7 == 0).any()
    ok = runs[runs["error"].isna()]
    assert (ok["seed"] % 7 != 0).all() and len(ok) >= 40 - summary.failed


def test_sigkill_then_resume_gives_exactly_the_uninterrupted_results(tmp_path: Path):
    command = [sys.executable, "-m", "orgabm.cli", "sweep", "march_1991",
               "--vary", "leadership.socialization=0.1:0.9:5", "--reps", "20", "--seed", "9",
               "--workers", "2", "--quiet"]  # fmt: skip
    killed = tmp_path / "killed"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([*command, "--out", str(killed)], env=env, start_new_session=True)
    deadline = time.time() + 60
    while len(list((killed / "runs").glob("part-*.parquet"))) < 3 and time.time() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its workers, mid-flight
    proc.wait()
    stored = Store(killed).runs()
    assert 0 < len(stored) < 100, "kill the sweep mid-way"
    assert not (killed / "runs.parquet").exists()
    subprocess.run([*command, "--out", str(killed)], env=env, check=True)
    # the uninterrupted sweep, here: the CLI runs this same call (a third process would
    # only import Mesa again)
    sweep("march_1991", {"leadership.socialization": [0.1, 0.3, 0.5, 0.7, 0.9]}, reps=20,
          seed=9, workers=2, progress=False, out=tmp_path / "whole")  # fmt: skip
    pd.testing.assert_frame_equal(runs_of(killed), runs_of(tmp_path / "whole"))
    pd.testing.assert_frame_equal(Store(killed).steps(), Store(tmp_path / "whole").steps())
    assert runs_of(killed)["run_id"].tolist() == list(range(100))


def test_sweep_works_from_a_script_without_a_main_guard(tmp_path: Path):
    script = tmp_path / "script.py"
    script.write_text(
        "from orgabm import sweep\n"
        "runs = sweep('march_1991', {'leadership.socialization': [0.2, 0.8]}, reps=3,"
        " workers=2, progress=False)\n"
        "print(len(runs), runs['error'].isna().all())\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          env=env, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "6 True"
    # as in a notebook or an interactive session: __main__ has no file at all
    proc = subprocess.run([sys.executable, "-c", script.read_text()], capture_output=True,
                          text=True, env=env, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "6 True"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--vary", "leadership.socialization"], "expected PATH=SPEC"),
        (["--vary", "leadership.socialization=0.1:0.9"], "start:stop:count"),
        (["--vary", "leadership.socialisation=0.1,0.2"], "did you mean 'socialization'"),
        (["--vary", "leadership.socialization=0.1,2"], "2 is not allowed"),
        ([], "give the points: --vary"),
        (["--vary", "x.y=1", "--vary", "x.y=2"], "each path may be varied once"),
        (["--vary", "leadership.socialization=0.1", "--backend", "spark"], "invalid choice"),
        (["--vary", "leadership.socialization=0.1", "--model", "nowhere:Nothing"], "--model"),
        (["--vary", "leadership.socialization=0.1", "--workers", "0"], "--workers"),
        (
            ["--vary", "leadership.socialization=0.1", "--metrics", "knowledge,skil"],
            "--metrics skil: not a metric of OrgModel; choose from",
        ),
    ],
)
def test_bad_sweep_arguments_give_one_line_errors(tmp_path: Path, capsys, args, fragment):
    code = main(["sweep", "march_1991", *args, "--out", str(tmp_path / "s"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and fragment in err[0], err


def test_bad_design_files_give_one_line_errors(tmp_path: Path, capsys):
    design = tmp_path / "d.yaml"
    design.write_text("design: lhs\nparameters:\n  leadership.socialization: [0.1, 0.2]\n")
    code = main(["sweep", "march_1991", "--design", str(design), "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "low/high" in err[0]


def test_repeated_points_are_refused():
    with pytest.raises(SweepError, match="appears twice"):
        Sweep.build("march_1991", [{"leadership.socialization": 0.1}] * 2)


def test_sampled_designs_round_whole_number_settings(tmp_path: Path):
    design = tmp_path / "d.yaml"
    design.write_text("design: lhs\nsamples: 6\nparameters:\n"
                      "  organization.employees: {low: 10, high: 100}\n")  # fmt: skip
    runs = sweep("march_1991", design=design, reps=1, steps=3, workers=1, progress=False)
    employees = runs["organization.employees"]
    assert (employees == employees.round()).all() and employees.nunique() == 6


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("kind: lhs\nparameters: {leadership.socialization: {low: 0.1, high: 0.9}}\n",
         "did you mean 'design'"),
        ("design: sobol\nsamples: 20\nparameters: {leadership.socialization: "
         "{low: 0.1, high: 0.9}}\n", "power of 2"),
    ],
)  # fmt: skip
def test_design_file_mistakes_are_explained(tmp_path: Path, capsys, text, fragment):
    design = tmp_path / "d.yaml"
    design.write_text(text)
    code = main(["sweep", "march_1991", "--design", str(design), "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and fragment in err[0], err


def test_the_api_wants_lists_of_values():
    for values in ("0.1:0.9:3", 0.5):
        with pytest.raises(SweepError, match="give a list of values"):
            sweep("march_1991", {"leadership.socialization": values})


def test_a_different_sweep_says_what_differs(tmp_path: Path):
    sweep("march_1991", SMALL, reps=1, workers=1, out=tmp_path / "s", progress=False)
    with pytest.raises(SweepError, match="its reps differ"):
        sweep("march_1991", SMALL, reps=2, workers=1, out=tmp_path / "s", progress=False)


def test_an_out_folder_that_cannot_be_made_is_one_line(tmp_path: Path, capsys):
    (tmp_path / "file").write_text("x")
    code = main(["sweep", "march_1991", "--vary", "leadership.socialization=0.1",
                 "--out", str(tmp_path / "file" / "sub"), "--quiet"])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "cannot create the folder" in err[0]


@pytest.mark.parametrize("common", [True, False], ids=["common-seeds", "own-seeds"])
def test_common_seeds_give_every_point_the_same_seed_per_replicate(tmp_path: Path, common):
    args = ["sweep", "march_1991", "--vary", "leadership.socialization=0.1,0.9", "--reps", "3",
            "--steps", "2", "--workers", "1", "--out", str(tmp_path / "s"), "--quiet"]  # fmt: skip
    assert main(args + (["--common-seeds"] if common else [])) == 0
    runs = runs_of(tmp_path / "s")
    by_rep = runs.groupby("rep")["seed"].nunique()
    assert (by_rep == 1).all() if common else (by_rep == 2).all()
    assert sweep("march_1991", vary={"leadership.socialization": [0.1, 0.9]}, reps=3, steps=2,
                 workers=1, progress=False, common_seeds=common)["seed"].nunique() == (
        3 if common else 6)  # fmt: skip


def test_a_sweep_of_chosen_metrics_records_them_and_the_same_numbers(tmp_path: Path):
    args = dict(vary=SMALL, reps=2, steps=5, workers=1, progress=False)
    full = sweep("learning_organization", **args)
    lean = sweep("learning_organization", metrics=["safety"], out=tmp_path / "s", **args)
    assert "safety" in lean and "knowledge" not in lean
    pd.testing.assert_series_equal(full["safety"], lean["safety"])
    steps = Store(tmp_path / "s").steps()
    assert {"safety", "step"} <= set(steps.columns) and "knowledge" not in steps
    # a folder made without the choice still resumes: the manifest names metrics only if set
    built = Sweep.build("learning_organization", grid_points(SMALL), reps=2, steps=5)
    assert "metrics" not in built.manifest()["sweep"]
    with pytest.raises(SweepError, match="metrics differ"):  # another choice is another sweep
        sweep("learning_organization", metrics=["skill"], out=tmp_path / "s", **args)
