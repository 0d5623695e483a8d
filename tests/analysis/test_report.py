"""The sweep report: a self-contained HTML page, PNGs and the CI table."""

from pathlib import Path

import pandas as pd
import pytest

from orgabm.analysis.report import point_table
from orgabm.batch.designs import grid_points
from orgabm.batch.sweep import Sweep, run_sweep
from orgabm.cli import main


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sweep") / "s"
    points = grid_points({"leadership.socialization": [0.1, 0.5, 0.9],
                          "leadership.code_learning": [0.1, 0.9]})  # fmt: skip
    run_sweep(Sweep.build("march_1991", points, reps=8, seed=1), root, workers=2,
              progress=False)  # fmt: skip
    return root


def test_report_writes_html_pngs_and_table(folder: Path, capsys):
    assert main(["report", str(folder)]) == 0
    page = (folder / "report.html").read_text()
    files = folder / "report_files"
    for kind in ("effect", "heatmap", "envelope"):
        assert (files / f"{kind}_code_knowledge.png").stat().st_size > 10_000
    assert page.count("data:image/png;base64,") == 9  # 3 kinds x 3 default metrics
    assert "<table>" in page and "95% confidence interval" in page
    table = pd.read_csv(files / "table.csv")
    assert len(table) == 6 * 3 and (table["n"] == 8).all()
    assert (table["ci_low"] <= table["mean"]).all() and (table["mean"] <= table["ci_high"]).all()


def test_point_table_is_mean_ci_and_n():
    runs = pd.DataFrame({"p": [1, 1, 1, 2, 2, 2], "m": [1.0, 2.0, 3.0, 5.0, 5.0, 5.0],
                         "error": [None] * 6})  # fmt: skip
    table = point_table(runs, ["p"], ["m"])
    first = table.iloc[0]
    assert first["mean"] == 2.0 and first["n"] == 3
    assert first["ci_low"] == pytest.approx(2.0 - 4.302653 * 1.0 / 3**0.5, rel=1e-5)
    assert table.iloc[1]["ci_low"] == table.iloc[1]["ci_high"] == 5.0


def test_report_options_and_errors(folder: Path, tmp_path: Path, capsys):
    out = tmp_path / "mine.html"
    assert main(["report", str(folder), "--x", "leadership.code_learning", "--y", "knowledge",
                 "--out", str(out)]) == 0  # fmt: skip
    assert out.exists() and (tmp_path / "mine_files" / "effect_knowledge.png").exists()
    (tmp_path / "a_file").write_text("x")
    (tmp_path / "not_a_sweep").mkdir()
    for args, fragment in [
        ([str(folder), "--x", "workforce.turnover"], "not varied in this sweep"),
        ([str(folder), "--y", "happiness"], "not a metric of this sweep"),
        ([str(folder), "--y", "steps"], "not a metric of this sweep"),
        ([str(folder), "--y", "leadership.socialization"], "not a metric of this sweep"),
        ([str(folder), "--out", str(tmp_path)], "is a folder"),
        ([str(folder), "--out", str(tmp_path / "a_file" / "r.html")], "does not exist"),
        ([str(tmp_path / "nothing")], "no such folder"),
        ([str(tmp_path / "not_a_sweep")], "not a sweep's folder"),
    ]:
        assert main(["report", *args]) == 2, args
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and fragment in err[0], err


def test_a_report_of_an_incomplete_sweep_says_so(tmp_path: Path):
    points = grid_points({"leadership.socialization": [0.1, 0.9]})
    built = Sweep.build("march_1991", points, reps=4, seed=1)
    run_sweep(built, tmp_path / "s", workers=1, progress=False)
    parts = sorted((tmp_path / "s" / "runs").glob("part-*.parquet"))
    parts[-1].unlink()  # as if the sweep had been killed before its last batch
    assert main(["report", str(tmp_path / "s")]) == 0
    page = (tmp_path / "s" / "report.html").read_text()
    assert "Incomplete" in page and "of 8 runs are stored" in page


def test_library_errors_name_the_librarys_parameters(folder):
    from orgabm import write_report

    with pytest.raises(ValueError, match=r"^x=workforce.turnover: not varied in this sweep"):
        write_report(folder, x="workforce.turnover")
    with pytest.raises(ValueError, match=r"^ys=happiness: not a metric of this sweep"):
        write_report(folder, ys=["happiness"])
