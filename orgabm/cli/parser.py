"""The ``orgabm`` command's arguments: every subcommand's flags, parsed by an argparse
whose errors are one line (a UsageError) instead of a usage dump and exit 2."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from ..scenario.vocabulary import DEFAULT_SCENARIO

__all__ = ["UsageError", "build_parser"]


class UsageError(Exception):
    """Bad command-line input; the message is one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _count(name: str, minimum: int) -> Callable[[str], int]:
    """A ``type=`` for a whole-number flag of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} {text!r}: must be a whole number, {minimum} or more"
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{name} {value}: must be {minimum} or more")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    parser = _Parser(
        prog="orgabm",
        description="Agent-based simulator of organizational learning.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    run = sub.add_parser(
        "run",
        help="run a scenario and print a summary table",
        description=f"Run a scenario (default: {DEFAULT_SCENARIO}) and print a summary table.",
    )
    run.add_argument("scenario", nargs="?", default=DEFAULT_SCENARIO, help="name or YAML file")
    run.add_argument("--steps", type=_count("--steps", 0), help="steps to run (at most)")
    run.add_argument("--seed", type=_count("--seed", 0), default=0, help="base seed (default 0)")
    run.add_argument("--reps", type=_count("--reps", 1), default=1, help="replicates (default 1)")
    run.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a setting, e.g. --set leadership.socialization=0.5 (repeatable)",
    )
    run.add_argument(
        "--out", type=Path, help="write every run and step to FILE (.parquet, or .csv)"
    )
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    val = sub.add_parser("validate", help="check a scenario file", description="Check a scenario.")
    val.add_argument("scenario", help="name or YAML file")
    val.add_argument("--set", dest="sets", action="append", default=[], metavar="PATH=VALUE")

    sub.add_parser("scenarios", help="list the named scenarios", description="List scenarios.")

    sw = sub.add_parser(
        "sweep",
        help="run a parameter sweep with replicates into a resumable results folder",
        description="Run a sweep: every combination of the --vary values (or a --design "
        "file's points), --reps replicates each. Results stream into --out as Parquet; "
        "running the same command again skips the runs already stored.",
    )
    sw.add_argument("scenario", help="name or YAML file")
    sw.add_argument(
        "--vary",
        action="append",
        default=[],
        metavar="PATH=SPEC",
        help="a list a,b,c or a range start:stop:count (repeatable: a full grid)",
    )
    sw.add_argument(
        "--design",
        type=Path,
        metavar="FILE",
        help="a YAML design: a grid, or a Latin hypercube (lhs) or Sobol sample",
    )
    sw.add_argument(
        "--reps", type=_count("--reps", 1), default=1, help="replicates per point (default 1)"
    )
    sw.add_argument("--seed", type=_count("--seed", 0), default=0, help="base seed (default 0)")
    sw.add_argument(
        "--common-seeds",
        action="store_true",
        help="the same seed for replicate r at every point: points compare run by run",
    )
    sw.add_argument(
        "--metrics",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        metavar="NAMES",
        help="record only these metrics, comma-separated (default: all); small runs go "
        "up to twice as fast with one",
    )
    sw.add_argument("--steps", type=_count("--steps", 0), help="steps to run (at most)")
    sw.add_argument(
        "--set",
        dest="sets",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="change the scenario for every run",
    )
    sw.add_argument("--workers", type=_count("--workers", 1), help="processes (default: CPUs)")
    sw.add_argument("--backend", choices=["local", "dask"], default="local")
    sw.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster)",
    )
    sw.add_argument(
        "--model",
        metavar="MODULE:CLASS",
        help="a subclass of orgabm.OrgModel to run instead; this imports MODULE, running "
        "its code with your permissions: name only code you trust",
    )
    sw.add_argument("--out", type=Path, required=True, metavar="DIR", help="results folder")
    sw.add_argument("--quiet", action="store_true", help="no progress bar")

    rep = sub.add_parser(
        "report",
        help="write an HTML report (CIs, plots, heatmaps, envelopes) of a sweep",
        description="Write a self-contained HTML report of a sweep's results, "
        "with its plots as PNG files and its table as CSV beside it.",
    )
    rep.add_argument("folder", type=Path, help="a sweep's --out folder")
    rep.add_argument("--x", metavar="PATH", help="the varied path on the x axis (default: first)")
    rep.add_argument("--y", nargs="+", metavar="METRIC", help="metrics (default: knowledge ones)")
    rep.add_argument("--out", type=Path, metavar="FILE", help="default: FOLDER/report.html")

    dash = sub.add_parser(
        "dashboard",
        help="start the dashboard (a local web page; works with no internet)",
        description="Start the Solara dashboard. It binds to 127.0.0.1 (this machine only) "
        "unless --host says otherwise.",
    )
    dash.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; 0.0.0.0: every interface)",
    )
    dash.add_argument("--port", type=_count("--port", 1), default=8765, help="default 8765")
    dash.add_argument("--dev", action="store_true", help="reload when the code changes")

    suite = sub.add_parser(
        "validate-suite",
        help="reproduce the published models; writes docs/validation.md",
        description="Run every experiment of scenarios/validation/ (March 1991, Lazer and "
        "Friedman 2007, Fang et al. 2010, Miller et al. 2006) as sweeps and write "
        "validation.md with its plots. About 11 minutes on 2 cores; --quick: a few.",
    )
    from ..validation.options import add_arguments

    add_arguments(suite)

    sens = sub.add_parser(
        "sensitivity",
        help="global sensitivity analysis (SALib): Morris or Sobol",
        description="Sample the --param ranges with SALib, run every sample --reps times "
        "(a sweep), and print each parameter's index with its 95% CI; writes CSV, "
        "Markdown and a plot to --out.",
    )
    sens.add_argument("scenario", help="name or YAML file")
    sens.add_argument("--method", choices=["morris", "sobol"], required=True)
    sens.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="PATH=LOW:HIGH",
        help="a range to sample (repeatable)",
    )
    sens.add_argument(
        "--samples",
        type=_count("--samples", 2),
        default=16,
        help="SALib's N: Morris trajectories, or Sobol's base sample (a power of 2)",
    )
    sens.add_argument("--reps", type=_count("--reps", 1), default=5, help="replicates per sample")
    sens.add_argument("--seed", type=_count("--seed", 0), default=0)
    sens.add_argument("--steps", type=_count("--steps", 1), help="steps to run (at most)")
    sens.add_argument(
        "--y", nargs="+", metavar="METRIC", default=["code_knowledge", "knowledge", "performance"]
    )
    sens.add_argument("--set", dest="sets", action="append", default=[], metavar="PATH=VALUE")
    sens.add_argument("--workers", type=_count("--workers", 1))
    sens.add_argument("--out", type=Path, metavar="DIR", help="default: sensitivity-METHOD")
    sens.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser
