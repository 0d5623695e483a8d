"""Sensitivity analysis: SALib's indices from replicated runs, with CIs, table and plot."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orgabm.analysis.sensitivity import parse_param, run_sensitivity
from orgabm.batch.errors import SweepError
from orgabm.cli import main

PARAMS = [("leadership.socialization", 0.1, 0.9), ("workforce.skill.mean", 0.3, 0.7)]


def test_morris_finds_march_sensitive_to_socialization_not_to_skill(tmp_path: Path):
    # March's model never uses skill: its elementary effects are exactly zero
    result = run_sensitivity("march_1991", "morris", PARAMS, samples=6, reps=4, seed=1,
                             metrics=["code_knowledge"], workers=2, out=tmp_path / "m",
                             progress=False)  # fmt: skip
    table = result.table.set_index("parameter")
    assert table.loc["workforce.skill.mean", "mu_star"] == 0.0
    # SALib's mu_star_conf is a 95% bootstrap half-width (about 2 SE): 1.5 of it is 3 SE
    social = table.loc["leadership.socialization"]
    assert social["mu_star"] > 1.5 * social["mu_star_conf"], social
    assert table.loc["leadership.socialization", "mu"] < 0  # more socialization, less knowledge
    assert result.runs == 6 * 3 * 4
    for name in ("sensitivity.csv", "sensitivity.md", "sensitivity.png"):
        assert (tmp_path / "m" / name).exists()
    assert len(pd.read_csv(tmp_path / "m" / "sensitivity.csv")) == 2


def test_sobol_indices_with_confidence_intervals(tmp_path: Path, capsys):
    code = main(["sensitivity", "march_1991", "--method", "sobol",
                 "--param", "leadership.socialization=0.1:0.9",
                 "--param", "workforce.skill.mean=0.3:0.7", "--samples", "8", "--reps", "3",
                 "--y", "code_knowledge", "--out", str(tmp_path / "s"), "--quiet"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0 and "S1_conf" in out and "ST" in out
    table = pd.read_csv(tmp_path / "s" / "sensitivity.csv").set_index("parameter")
    assert table.loc["workforce.skill.mean", "ST"] == pytest.approx(0.0, abs=1e-9)
    # at 8 samples the interval is as wide as the index (ST 0.81, ST_conf 0.73): this
    # checks the tool's output, and the Morris test above shows socialization's effect
    social = table.loc["leadership.socialization"]
    assert social["ST"] > 0 and 0 < social["ST_conf"] < np.inf, social


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--param", "leadership.socialization=0.9:0.1"], "HIGH must be above LOW"),
        (["--param", "leadership.socialization"], "PATH=LOW:HIGH"),
        ([], "--param []: give at least one PATH=LOW:HIGH"),
        (["--param", "leadership.socialization=0.1:0.9", "--samples", "6"], "power of 2"),
        (["--param", "leadership.socialisation=0.1:0.9"], "did you mean"),
    ],
)
def test_bad_sensitivity_arguments_give_one_line_errors(tmp_path: Path, capsys, args, fragment):
    code = main(["sensitivity", "march_1991", "--method", "sobol", *args,
                 "--out", str(tmp_path / "x"), "--quiet"])  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and fragment in err[0], err


def test_parse_param():
    assert parse_param("a.b=0:1") == ("a.b", 0.0, 1.0)
    with pytest.raises(SweepError):
        parse_param("a.b=x:1")


def test_library_errors_name_the_librarys_parameters():
    from orgabm import run_sensitivity
    from orgabm.analysis.sensitivity import parse_param

    with pytest.raises(ValueError, match=r"^method=fast: must be morris or sobol$"):
        run_sensitivity("march_1991", "fast", [("leadership.socialization", 0.1, 0.9)])
    with pytest.raises(ValueError, match=r"^samples=3: must be 2 or more"):
        run_sensitivity("march_1991", "sobol", [("leadership.socialization", 0.1, 0.9)],
                        samples=3)  # fmt: skip
    with pytest.raises(ValueError, match=r"^params=x: expected PATH=LOW:HIGH"):
        parse_param("x")
