"""The validation suite: March (1991) reproduced, then the models that extend it.

``orgabm validate-suite`` (or ``python -m orgabm.validation``) runs every
experiment of ``scenarios/validation/`` as a sweep and writes
``docs/validation.md`` with its plots under ``docs/img/``. The tests call the
same functions on fewer points and runs. March's experiments live in
:mod:`orgabm.validation.march`, the other models' in :mod:`orgabm.validation.canonical`,
the report's text in :mod:`orgabm.validation.report` and its templates.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict

from . import canonical, march
from .landscape_theory import THEORY_N, theory_table
from .lf_readings import readings_table
from .march import P1_GRID, P2_GRID, docking, worst_point
from .options import add_arguments
from .report import SuiteResults, render

# P1_GRID and P2_GRID stay importable from here: benchmarks/bench_sweep.py takes them from suite.
__all__ = ["P1_GRID", "P2_GRID", "add_arguments", "main", "run", "run_suite", "write_report"]


class _How(TypedDict):
    """How every experiment runs: the keyword arguments they share."""

    workers: int | None
    progress: bool | None
    keep: Path | None


@contextmanager
def _timed(timings: dict[str, float], key: str) -> Iterator[None]:
    """Store the block's wall time as ``timings[key]`` (the report prints it)."""
    started = time.perf_counter()
    yield
    timings[key] = time.perf_counter() - started


def run_suite(
    img: Path,
    runs: int = 1500,
    seed: int = 1991,
    workers: int | None = None,
    progress: bool | None = None,
    keep: Path | None = None,
    other_runs: int = 200,
) -> SuiteResults:
    """Run every experiment (March's with ``runs`` runs per point, the other models' with
    ``other_runs``) and draw their plots into ``img``."""
    suite_started = time.perf_counter()
    timings: dict[str, float] = {}
    how: _How = {"workers": workers, "progress": progress, "keep": keep}

    with _timed(timings, "fig1"):
        fig1 = march.figure1(runs, seed, **how)
    march.plot_figure1(fig1, img / "march_figure1.png")
    with _timed(timings, "fig3"):
        fig3 = march.figure3(runs, seed, **how)
    with _timed(timings, "het"):
        het = march.heterogeneous(runs, seed, at_period=fig3, **how)
    march.plot_heterogeneous(het, 20, img / "march_heterogeneous.png")
    with _timed(timings, "turn"):
        turn = march.turnover(runs, seed, **how)
    march.plot_turnover(turn, 20, img / "march_turnover.png")
    with _timed(timings, "turb"):
        turb = march.turbulence(runs, seed, **how)
    march.plot_turbulence(turb, 0.02, img / "march_turbulence.png")
    # the closest call, again with ten times the runs (and other seeds): how far is it really?
    worst = worst_point(fig1)
    with _timed(timings, "close"):
        close = march.figure1(10 * runs, seed + 1, [(worst["p1"], worst["p2"])],
                              name="figure1_closest", **how).iloc[0]  # fmt: skip
    # and the point farthest from the docking reference, unless it is the same one
    dock = docking(fig1)
    far = dock.loc[dock["against_replication"].abs().idxmax()]
    with _timed(timings, "dock_check"):
        if (far["p1"], far["p2"]) == (worst["p1"], worst["p2"]):
            dock_check = close
        else:
            dock_check = march.figure1(10 * runs, seed + 1, [(far["p1"], far["p2"])],
                                       name="figure1_docking_check", **how).iloc[0]  # fmt: skip

    tables = {}
    for name in canonical.LF_EXPERIMENTS:
        with _timed(timings, name):
            tables[name] = canonical.lazer_friedman(name, other_runs, **how)
    with _timed(timings, "readings"):
        readings = readings_table(other_runs, seed=2007)
    with _timed(timings, "fang"):
        fang = canonical.fang(other_runs, variants=list(canonical.FANG_VARIANTS), **how)
    with _timed(timings, "miller"):
        miller = canonical.miller(other_runs, **how)
    with _timed(timings, "theory"):
        theory = theory_table(THEORY_N, landscapes=max(10, other_runs))
    canonical.plot_fang(fang, img / "fang_2010.png")
    canonical.plot_miller(miller, img / "miller_2006.png")
    for name, table in tables.items():
        columns, what = canonical.LF_TITLES[name]
        canonical.plot_curves(table, columns.split(), f"Lazer and Friedman (2007): {what}",
                              img / f"{name}.png")  # fmt: skip
    return SuiteResults(
        runs=runs, other_runs=other_runs, seed=seed, workers=workers, figure1=fig1,
        closest=close, docking_check=dock_check, figure3=fig3, heterogeneous=het,
        turnover=turn, turbulence=turb,
        lazer_friedman=tables, lf_readings=readings, fang=fang, miller=miller,
        landscape_theory=theory,
        theory_landscapes=max(10, other_runs), timings=timings,
        total=time.perf_counter() - suite_started,
    )  # fmt: skip


def write_report(
    out: Path = Path("docs"),
    runs: int = 1500,
    seed: int = 1991,
    workers: int | None = None,
    progress: bool | None = None,
    keep: Path | None = None,
    other_runs: int = 200,
) -> Path:
    """Run every experiment of the suite and write ``out/validation.md`` with plots in
    ``out/img``: March's with ``runs`` runs per point, the other models' with ``other_runs``.

    Each experiment is a sweep; with ``keep`` their results stay in that folder
    (and an interrupted report resumes where it stopped).
    """
    img = out / "img"
    img.mkdir(parents=True, exist_ok=True)
    results = run_suite(img, runs, seed, workers, progress, keep, other_runs)
    path = out / "validation.md"
    path.write_text(render(results), encoding="utf-8")
    return path


def run(args: argparse.Namespace, error: Callable[[str], object]) -> int:
    """Run the suite for parsed arguments; ``error(message)`` reports bad ones."""
    if args.quick:
        args.runs, args.other_runs = 100, 40
    if args.runs < 2 or args.other_runs < 2:
        error(f"--runs and --other-runs must be 2 or more (got {args.runs}, {args.other_runs})")
    if args.seed < 0 or (args.workers is not None and args.workers < 1):
        error("--seed must be 0 or more, --workers 1 or more")
    if args.out.exists() and not args.out.is_dir():
        error(f"--out {args.out}: is a file; give a folder")
    started = time.perf_counter()
    path = write_report(args.out, args.runs, args.seed, args.workers, progress=None,
                        keep=args.keep, other_runs=args.other_runs)  # fmt: skip
    print(f"wrote {path} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m orgabm.validation``: the same as ``orgabm validate-suite``."""
    parser = argparse.ArgumentParser(prog="python -m orgabm.validation", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv), parser.error)


if __name__ == "__main__":
    sys.exit(main())
