"""The orgabm command: output, files written, and one-line errors with exit code 2."""

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from orgabm import METRICS
from orgabm.cli.main import main


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
