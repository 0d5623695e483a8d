"""The orgabm command: output, files written, and one-line errors with exit code 2."""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import slower_than

from orgabm import METRICS
from orgabm.cli import main


def run_cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("orgabm: error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def test_run_prints_a_summary_table(capsys):
    code, out, _ = run_cli(capsys, "run", "march_1991", "--reps", "3", "--quiet")
    assert code == 0
    assert "scenario march_1991: 50 employees" in out
    assert "equilibrium reached in 3 of 3" in out
    for metric in METRICS:
        assert metric in out
    assert "95% CI" in out


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_run_writes_one_row_per_run_and_step(capsys, tmp_path: Path, suffix):
    out_file = tmp_path / f"result{suffix}"
    code, _, _ = run_cli(
        capsys,
        "run",
        "march_1991",
        "--reps",
        "2",
        "--steps",
        "8",
        "--seed",
        "5",
        "--set",
        "stop_at_equilibrium=false",
        "--out",
        str(out_file),
        "--quiet",
    )
    assert code == 0 and out_file.exists()
    frame = pd.read_csv(out_file) if suffix == ".csv" else pd.read_parquet(out_file)
    assert list(frame.columns) == ["run_id", "seed", "step", *METRICS]
    assert len(frame) == 2 * 9
    assert frame.groupby("run_id")["step"].max().tolist() == [8, 8]
    assert frame.groupby("run_id")["seed"].nunique().tolist() == [1, 1]
    assert frame["seed"].nunique() == 2


def test_same_command_same_file(capsys, tmp_path: Path):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    for f in (a, b):
        run_cli(capsys, "run", "--reps", "2", "--seed", "3", "--out", str(f), "--quiet")
    assert pd.read_parquet(a).equals(pd.read_parquet(b))


def test_set_changes_the_scenario(capsys):
    code, out, _ = run_cli(
        capsys,
        "run",
        "--set",
        "organization.employees=20",
        "--set",
        "organization.network.kind=ring",
        "--quiet",
    )
    assert code == 0 and "20 employees" in out and "ring network" in out


def test_validate_and_scenarios(capsys, tmp_path: Path):
    code, out, _ = run_cli(capsys, "validate", "march_1991")
    assert code == 0 and out.startswith("ok: march_1991")
    code, out, _ = run_cli(capsys, "scenarios")
    assert code == 0 and "march_1991" in out
    assert "learning_organization" in out and "(default)" in out


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        ("leadership:\n  socialization: 0.5\n   code_learning: 0.1\n", ["not valid YAML"]),
        ("just words", ["expected a mapping"]),
        ("leadership: {socialisation: 0.3}\n", ["leadership.socialisation", "did you mean"]),
        ("leadership: {socialization: 7}\n", ["leadership.socialization", "7", "at most 1"]),
    ],
)
def test_bad_files_give_one_line_errors(capsys, tmp_path: Path, content, fragments):
    f = tmp_path / "bad.yaml"
    f.write_text(content)
    for command in ("run", "validate"):
        code, _, err = run_cli(capsys, command, str(f))
        assert_one_line_error(code, err, *fragments)


def test_binary_file_gives_a_one_line_error(capsys, tmp_path: Path):
    f = tmp_path / "bad.yaml"
    f.write_bytes(bytes(range(256)))
    code, _, err = run_cli(capsys, "validate", str(f))
    assert_one_line_error(code, err, "bad.yaml")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["run", "--set", "leadership.socialization"], ["expected PATH=VALUE"]),
        (["run", "--set", "leadership.socialization=high"], ["'high'", "must be a number"]),
        (["run", "--set", "leadership.rewards=0.5"], ["leadership.rewards", "unknown key"]),
        (["run", "--steps", "-5"], ["--steps", "0 or more"]),
        (["run", "--steps", "ten"], ["--steps", "whole number"]),
        (["run", "--reps", "0"], ["--reps", "1 or more"]),
        (["run", "no_such_scenario"], ["no scenario 'no_such_scenario'"]),
        (["run", "--out", "/no/such/folder/x.parquet"], ["does not exist"]),
        (["run", "--bogus"], ["unrecognized arguments: --bogus"]),
        (["fly"], ["invalid choice"]),
        ([], ["required"]),
    ],
)
def test_bad_arguments_give_one_line_errors(capsys, args, fragments):
    code, _, err = run_cli(capsys, *args)
    assert_one_line_error(code, err, *fragments)


def test_the_installed_command_exits_2_without_a_traceback(tmp_path: Path):
    exe = shutil.which("orgabm") or str(Path(sys.executable).with_name("orgabm"))
    proc = subprocess.run([exe, "run", "--steps", "-1"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    proc = subprocess.run([exe, "run", "--reps", "2"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "code_knowledge" in proc.stdout


def test_run_shows_each_teams_final_knowledge(capsys):
    code, out, _ = run_cli(capsys, "run", "one_safe_team", "--reps", "2", "--steps", "5",
                           "--quiet")  # fmt: skip
    assert code == 0
    line = [x for x in out.splitlines() if x.startswith("final knowledge by team")]
    assert len(line) == 1 and " 0:" in line[0] and " 9:" in line[0]


# --------------------------------------------------------------------------- hostile input
def test_an_alias_bomb_under_validate_is_refused_at_once(capsys, tmp_path: Path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    f = tmp_path / "bomb.yaml"
    f.write_text("\n".join(lines) + "\n")
    code, _, err = run_cli(capsys, "validate", str(f))
    assert_one_line_error(code, err, "bomb.yaml", "alias *a0 is not allowed")
    # refused about as fast as a shipped scenario validates (the bomb took a minute)
    ratio = slower_than(lambda: run_cli(capsys, "validate", str(f)),
                        lambda: run_cli(capsys, "validate", "learning_organization"))  # fmt: skip
    assert ratio < 10


def test_deep_nesting_under_validate_is_one_line(capsys, tmp_path: Path):
    f = tmp_path / "deep.yaml"
    f.write_text("events: " + "[" * 20_000 + "]" * 20_000 + "\n")
    code, _, err = run_cli(capsys, "validate", str(f))
    assert_one_line_error(code, err, "deep.yaml", "levels deep")


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["--set", "steps=true"], ["steps: true is not allowed", "whole number"]),
        (["--set", "calibration.training_cost=.inf"], ["calibration.training_cost: inf", "finite"]),
        (["--set", "leadership.training=.nan"], ["leadership.training: nan", "finite"]),
    ],
)
def test_true_and_infinity_are_refused(capsys, args, fragments):
    code, _, err = run_cli(capsys, "validate", "march_1991", *args)
    assert_one_line_error(code, err, *fragments)


def test_extends_outside_the_folder_is_refused(capsys, tmp_path: Path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "a.yaml").write_text("extends: /etc/hostname\n")
    code, _, err = run_cli(capsys, "validate", str(tmp_path / "mine" / "a.yaml"))
    assert_one_line_error(code, err, "extends: '/etc/hostname' is not allowed", "named scenario")


def test_the_largest_sizes_are_refused_with_the_estimate(capsys, monkeypatch):
    from orgabm.scenario import memory

    monkeypatch.setattr(memory, "available_memory", lambda: 8 * 2**30)
    sets = ["organization.employees=1000000", "environment.dimensions=10000",
            "organization.network.kind=none"]  # fmt: skip
    code, _, err = run_cli(capsys, "run", "march_1991", "--quiet",
                           *(x for s in sets for x in ("--set", s)))  # fmt: skip
    ratio = slower_than(
        lambda: run_cli(
            capsys, "run", "march_1991", "--quiet", *(x for s in sets for x in ("--set", s))
        ),
        lambda: run_cli(capsys, "run", "march_1991", "--quiet", "--steps", "1"),
    )
    assert ratio < 2  # refused before anything is built
    assert_one_line_error(code, err, "organization.employees=1,000,000",
                          "environment.dimensions=10,000", "GiB of memory",
                          "more than the 8.0 GiB available")  # fmt: skip


def test_running_out_of_memory_is_one_line(capsys, monkeypatch):
    import orgabm.scenario.loading

    def exhausted(*args, **kwargs):
        raise MemoryError

    # the command imports load_scenario when it runs: patch it where it is defined
    monkeypatch.setattr(orgabm.scenario.loading, "load_scenario", exhausted)
    code, _, err = run_cli(capsys, "validate", "march_1991")
    assert_one_line_error(code, err, "out of memory")


# --------------------------------------------------------------------------- --model
@pytest.mark.parametrize(
    ("source", "name", "fragments"),
    [
        ("raise RuntimeError('boom')\n", "X", ["failed to import: RuntimeError: boom", ".py:1)"]),
        ("x = (\n", "X", ["failed to import: SyntaxError"]),
        ("import sys\nsys.exit(3)\n", "X", ["failed to import: SystemExit: 3"]),
        ("import no_such_dependency_xyz\n", "X", ["No module named 'no_such_dependency_xyz'"]),
        ("class NotModel:\n    pass\n", "NotModel", ["the class NotModel, not a subclass"]),
        ("thing = 3\n", "thing", ["is int, not a subclass of orgabm.OrgModel"]),
        ("", "Missing", ["has no 'Missing'"]),
    ],
)
def test_a_bad_model_module_is_one_line(capsys, tmp_path: Path, monkeypatch, source, name,
                                        fragments):  # fmt: skip
    module = f"user_model_{tmp_path.name.replace('-', '_').replace('[', '_').replace(']', '_')}"
    (tmp_path / f"{module}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    model = f"{module}:{name}"
    code, _, err = run_cli(capsys, "sweep", "march_1991", "--vary", "steps=1,2", "--quiet",
                           "--model", model, "--out", str(tmp_path / "out"))  # fmt: skip
    assert_one_line_error(code, err, f"--model {model}: ", *fragments)
    assert not (tmp_path / "out" / "runs.parquet").exists()


@pytest.mark.parametrize(
    ("model", "fragment"),
    [
        ("no_such_module_xyz:Model", "no module named 'no_such_module_xyz'"),
        ("no_such_module_xyz.sub:Model", "no module named 'no_such_module_xyz'"),
        ("orgabm.model", "expected MODULE:CLASS"),
    ],
)
def test_a_missing_model_module_is_one_line(capsys, tmp_path: Path, model, fragment):
    code, _, err = run_cli(capsys, "sweep", "march_1991", "--vary", "steps=1,2", "--quiet",
                           "--model", model, "--out", str(tmp_path / "out"))  # fmt: skip
    assert_one_line_error(code, err, f"--model {model}: {fragment}")


def test_model_help_says_it_runs_the_code(capsys):
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "running its code with your permissions" in out
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert "runs the\n  module's code with your permissions" in readme


# --------------------------------------------------------------------------- paths
@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["run", "march_1991", "--steps", "1", "--quiet", "--out", "{link}"], "--out"),
        (["sweep", "march_1991", "--vary", "steps=1,2", "--quiet", "--out", "{link}"], "--out"),
        (["sensitivity", "march_1991", "--method", "morris", "--param",
          "leadership.socialization=0.1:0.9", "--quiet", "--out", "{link}"], "--out"),
        (["validate-suite", "--quick", "--out", "{link}"], "--out"),
        (["report", "{link}"], "folder"),
        (["sweep", "march_1991", "--design", "{link}", "--out", "{here}"], "--design"),
    ],
)  # fmt: skip
def test_a_dangling_link_is_named_clearly(capsys, tmp_path: Path, args, name):
    link = tmp_path / "results.parquet"
    link.symlink_to(tmp_path / "gone" / "results.parquet")
    given = [a.format(link=link, here=tmp_path / "out") for a in args]
    code, _, err = run_cli(capsys, *given)
    assert_one_line_error(code, err, f"{name} {link}: a symbolic link to",
                          "which does not exist")  # fmt: skip


def test_a_dangling_scenario_link_is_named_clearly(capsys, tmp_path: Path):
    link = tmp_path / "mine.yaml"
    link.symlink_to(tmp_path / "gone.yaml")
    code, _, err = run_cli(capsys, "validate", str(link))
    assert_one_line_error(code, err, f"{link}: a symbolic link to {tmp_path / 'gone.yaml'}")


def test_a_folder_that_cannot_be_made_is_one_line(capsys, tmp_path: Path):
    (tmp_path / "file").write_text("")
    code, _, err = run_cli(capsys, "validate-suite", "--quick", "--out",
                           str(tmp_path / "file" / "docs"))  # fmt: skip
    assert_one_line_error(code, err, str(tmp_path / "file"), "Not a directory")


def test_out_must_be_parquet_or_csv(capsys, tmp_path):
    code, _, err = run_cli(capsys, "run", "march_1991", "--steps", "2", "--out",
                           str(tmp_path / "x.xlsx"))  # fmt: skip
    assert_one_line_error(code, err, "--out", "x.xlsx", ".parquet or .csv")
    assert not (tmp_path / "x.xlsx").exists()


#: a sweep of one short run, in a temporary folder
SWEEP = """import tempfile
from orgabm.cli import main
with tempfile.TemporaryDirectory() as out:
    main(['sweep', 'march_1991', '--steps', '2', '--set', 'organization.employees=4',
          '--vary', 'leadership.socialization=0.1', '--reps', '1', '--workers', '1',
          '--metrics', 'knowledge', '--out', out + '/s', '--quiet'])"""

#: what a command should not load unless it uses it (issue 16: start-up)
HEAVY = ("mesa", "pandas", "scipy", "matplotlib", "pyarrow", "solara", "dask", "SALib",
         "networkx", "pydantic", "numpy")  # fmt: skip
LOADED = "import sys; print('loaded:', *(m for m in {heavy} if m in sys.modules))"


@pytest.mark.parametrize(
    ("code", "allowed"),
    [
        ("import orgabm", ()),
        ("from orgabm.cli import main\ntry: main(['--help'])\nexcept SystemExit: pass", ()),
        ("from orgabm.cli import main; main(['validate', 'march_1991'])", ("pydantic", "numpy")),
        # the sweep's parent runs no model: Mesa (and its SciPy and networkx) only in workers
        (SWEEP, ("pydantic", "numpy", "pandas", "pyarrow")),
    ],
    ids=["import orgabm", "orgabm --help", "orgabm validate", "orgabm sweep"],
)
def test_a_command_loads_only_the_libraries_it_uses(code, allowed):
    probe = f"{code}\n{LOADED.format(heavy=HEAVY)}"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    loaded = proc.stdout.strip().splitlines()[-1].split()[1:]  # after "loaded:"
    assert set(loaded) <= set(allowed), loaded
