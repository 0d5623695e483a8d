"""The ``orgabm`` command line: run, validate, scenarios.

Every input error ends in one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ..analysis.report import ReportError
from ..batch.errors import SweepError
from ..scenario import (
    DEFAULT_SCENARIO,
    ScenarioError,
    available_scenarios,
    load_scenario,
    parse_override,
    read_yaml,
)
from ..scenario.errors import ParameterError

EXIT_USAGE = 2


#: Library parameters -> the flags that set them, for errors in the caller's words.
FLAGS = {
    "reps": "--reps", "seed": "--seed", "steps": "--steps", "workers": "--workers",
    "backend": "--backend", "scheduler": "--scheduler", "out": "--out", "x": "--x",
    "ys": "--y", "metrics": "--y", "method": "--method", "samples": "--samples",
    "params": "--param", "vary": "--vary", "design": "--design", "sets": "--set",
}  # fmt: skip


class UsageError(Exception):
    """Bad command-line input; the message is one line."""


class _Parser(argparse.ArgumentParser):
    """argparse, but errors are one line and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see '{self.prog} --help')")


def _count(name: str, minimum: int):
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
        "validation.md with its plots. About 15 minutes on 2 cores; --quick: a few.",
    )
    from ..validation.suite import add_arguments

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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``orgabm`` command."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        commands = {
            "run": cmd_run, "validate": cmd_validate, "scenarios": cmd_scenarios,
            "sweep": cmd_sweep, "report": cmd_report, "sensitivity": cmd_sensitivity,
            "dashboard": cmd_dashboard, "validate-suite": cmd_validate_suite,
        }  # fmt: skip
        _check_links(args)
        return commands[args.command](args)
    except ParameterError as exc:  # the library's parameter, said as this command's flag
        print(f"orgabm: error: {exc.in_words(FLAGS)}", file=sys.stderr)
        return EXIT_USAGE
    except (UsageError, ScenarioError, SweepError, ReportError) as exc:
        print(f"orgabm: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # a file or folder the command could not use
        where = f"{exc.filename}: " if exc.filename is not None else ""
        print(f"orgabm: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("orgabm: error: out of memory: choose fewer employees, dimensions or steps",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("orgabm: interrupted", file=sys.stderr)
        return 130


#: Path arguments, by dest, as the user names them (a scenario is checked where it is read).
PATH_ARGUMENTS = {"out": "--out", "design": "--design", "folder": "folder"}


def _check_links(args: argparse.Namespace) -> None:
    """Refuse a path argument that is a symbolic link to nothing: creating a folder or
    a file there fails with a bare "File exists" or "No such file"."""
    for dest, name in PATH_ARGUMENTS.items():
        value = getattr(args, dest, None)
        if value is not None and Path(value).is_symlink() and not Path(value).exists():
            target = os.readlink(value)
            raise UsageError(f"{name} {value}: a symbolic link to {target}, which does not "
                             "exist (remove the link or give another path)")  # fmt: skip


def _overrides(sets: list[str]) -> dict[str, object]:
    return dict(parse_override(text) for text in sets)


def _check_out(out: Path | None) -> None:
    if out is None:
        return
    if out.is_dir():
        raise UsageError(f"--out {out}: is a folder; give a file name ending .parquet or .csv")
    if not out.parent.exists():
        raise UsageError(f"--out {out}: folder {out.parent} does not exist")
    if out.suffix.lower() not in (".parquet", ".csv"):
        raise UsageError(f"--out {out}: must end .parquet or .csv (got {out.suffix or 'none'})")


def cmd_run(args: argparse.Namespace) -> int:
    """``orgabm run``: run replicates, print a summary, optionally write every step."""
    from ..analysis.stats import summarize
    from ..batch.replicates import run_scenario

    _check_out(args.out)
    overrides = _overrides(args.sets)
    if args.steps is not None:
        overrides["steps"] = args.steps
    scenario = load_scenario(args.scenario, overrides)
    result = run_scenario(
        scenario, reps=args.reps, seed=args.seed, progress=None if not args.quiet else False
    )
    print(_header(args.scenario, result))
    print()
    print(_table(summarize(result)))
    if scenario.organization.teams > 1:
        print("\n" + _team_line(result))
    if args.out is not None:
        _write(result.steps, args.out)
        print(f"\nwrote {len(result.steps):,} rows (one per run and step) to {args.out}")
    return 0


def _header(ref: str, result) -> str:
    cfg = result.scenario
    org = cfg.organization
    runs = result.runs
    steps = runs["steps"]
    reached = int(runs["equilibrium"].sum())
    span = f"{steps.min()}" if steps.min() == steps.max() else f"{steps.min()}-{steps.max()}"
    lines = [
        f"scenario {cfg.name or ref}: {org.employees:,} employees in {org.teams} team(s), "
        f"{'no' if org.network.kind == 'none' else org.network.kind} network, "
        f"{cfg.environment.dimensions} dimensions",
        f"{len(runs)} run(s) from base seed {result.base_seed}, {span} steps each"
        + (f", equilibrium reached in {reached} of {len(runs)}" if cfg.stop_at_equilibrium else "")
        + f", {result.seconds:.2f} s",
    ]
    return "\n".join(lines)


def _table(summary) -> str:
    def fmt(x: float) -> str:
        return "" if x != x else f"{x:+.3f}"  # NaN -> blank

    header = ["metric", "start", "final", "95% CI", "min", "max"]
    rows = []
    for name, r in summary.iterrows():
        ci = "" if r.ci_low != r.ci_low else f"[{r.ci_low:+.3f}, {r.ci_high:+.3f}]"
        rows.append([name, fmt(r.start), fmt(r.final), ci, fmt(r["min"]), fmt(r["max"])])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    out = [
        "  ".join(
            str(x).ljust(w) if i == 0 else str(x).rjust(w)
            for i, (x, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in [header, *rows]
    ]
    out.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(out)


def _team_line(result, most: int = 12) -> str:
    """Final knowledge of each team, averaged over runs (the first ``most`` teams)."""
    by_team = result.teams.groupby("team")["knowledge"].mean()
    shown = " ".join(f"{team}:{value:+.2f}" for team, value in by_team.iloc[:most].items())
    more = f" ... ({len(by_team)} teams)" if len(by_team) > most else ""
    return f"final knowledge by team (mean over runs): {shown}{more}"


def _write(frame, out: Path) -> None:
    try:
        if out.suffix.lower() == ".csv":
            frame.to_csv(out, index=False)
        else:
            frame.to_parquet(out, index=False)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write: {exc.strerror or exc}") from None


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the sweep is, so it stops as it does on Ctrl-C."""


def _terminate(signum, frame) -> None:
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: let the clean-up finish
    raise _Terminated()


def cmd_sweep(args: argparse.Namespace) -> int:
    """``orgabm sweep``: run a sweep into a folder; exit 1 if any run failed.

    Ctrl-C (exit 130) and SIGTERM (exit 143) stop the workers, keep what was
    committed (``runs.parquet`` included) and say how many runs are stored.
    """
    import signal

    from ..batch.designs import design_points, grid_points, load_design, parse_vary
    from ..batch.sweep import Sweep, run_sweep

    if args.vary and args.design:
        raise UsageError("give the points with --vary or with --design, not both")
    if not args.vary and not args.design:
        raise UsageError("give the points: --vary PATH=SPEC (one or more) or --design FILE")
    if args.design is not None:
        points = design_points(load_design(args.design))
        spec = {"design": str(args.design)}
    else:
        vary = dict(parse_vary(text) for text in args.vary)
        if len(vary) != len(args.vary):
            raise UsageError("each path may be varied once")
        points = grid_points(vary)
        spec = {"vary": args.vary}
    built = Sweep.build(args.scenario, points, reps=args.reps, seed=args.seed, steps=args.steps,
                        overrides=_overrides(args.sets), model=args.model, spec=spec,
                        round_integers=args.design is not None)  # fmt: skip
    progress = False if args.quiet else None
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread: SIGTERM keeps its handler
        previous = None
    try:
        summary = run_sweep(built, args.out, workers=args.workers, backend=args.backend,
                            scheduler=args.scheduler, progress=progress)  # fmt: skip
    except KeyboardInterrupt as exc:
        from ..batch.store import Store

        try:  # run_sweep wrote runs.parquet before it let go of the folder
            stored = len(Store(args.out).runs())
        except (OSError, ValueError):
            stored = 0
        what, code = ("terminated", 143) if isinstance(exc, _Terminated) else ("interrupted", 130)
        print(f"orgabm: {what}; {stored:,} of {built.size:,} runs are stored in {args.out}; "
              "run the same command again to finish", file=sys.stderr)  # fmt: skip
        return code
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    print(summary.line())
    return 1 if summary.failed else 0


def cmd_dashboard(args: argparse.Namespace) -> int:
    """``orgabm dashboard``: serve the dashboard until interrupted."""
    import os
    import subprocess

    from ..dashboard.assets import ensure_offline_assets, missing_assets
    from ..dashboard.serve import command, server_env

    if args.port > 65535:
        raise UsageError(f"--port {args.port}: must be 65535 or less")
    ensure_offline_assets()
    missing = missing_assets()
    if missing:
        print(
            f"orgabm: warning: front-end files missing ({', '.join(missing)}); without "
            "internet the page may stay blank (pip install solara-assets)",
            file=sys.stderr,
        )
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"orgabm: the dashboard listens on {args.host}: anyone who can reach this "
              "machine can use it. Keep it on a trusted network, never the open internet.",
              file=sys.stderr)  # fmt: skip
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    print(f"orgabm dashboard: http://{shown}:{args.port}  (Ctrl-C to stop)", flush=True)
    line = command(args.host, args.port, production=not args.dev)
    if hasattr(os, "execve") and sys.platform != "win32":
        # become the server: stopping this process (Ctrl-C, kill) stops the server too
        sys.stdout.flush()
        os.execve(line[0], line, server_env())
    try:  # pragma: no cover - Windows
        return subprocess.call(line, env=server_env())
    except KeyboardInterrupt:  # pragma: no cover
        return 0


def cmd_report(args: argparse.Namespace) -> int:
    """``orgabm report``: the HTML report of a sweep."""
    from ..analysis.report import write_report

    path = write_report(args.folder, x=args.x, ys=args.y, out=args.out)
    print(f"wrote {path} (plots and table.csv in {path.with_name(path.stem + '_files')})")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """``orgabm sensitivity``: Morris or Sobol indices with their confidence intervals."""
    from ..analysis.sensitivity import parse_param, run_sensitivity

    params = [parse_param(text) for text in args.param]
    out = args.out or Path(f"sensitivity-{args.method}")
    result = run_sensitivity(
        args.scenario, args.method, params, samples=args.samples, reps=args.reps,
        seed=args.seed, metrics=args.y, steps=args.steps, overrides=_overrides(args.sets),
        workers=args.workers, out=out, progress=False if args.quiet else None,
    )  # fmt: skip
    print(f"{args.method}: {result.samples} sample points x {args.reps} replicates "
          f"= {result.runs} runs")  # fmt: skip
    print(result.text())
    print(f"\nwrote {out / 'sensitivity.csv'}, {out / 'sensitivity.md'}, {out / 'sensitivity.png'}")
    return 0


def cmd_validate_suite(args: argparse.Namespace) -> int:
    """``orgabm validate-suite``: reproduce the published models, write validation.md."""
    from ..validation.suite import run

    def error(message: str) -> None:
        raise UsageError(message)

    return run(args, error)


def cmd_validate(args: argparse.Namespace) -> int:
    """``orgabm validate``: check a scenario and say what it describes."""
    cfg = load_scenario(args.scenario, _overrides(args.sets))
    org = cfg.organization
    print(
        f"ok: {args.scenario}: {org.employees:,} employees, {org.network.kind} network, "
        f"{cfg.environment.dimensions} dimensions, {cfg.steps} steps"
    )
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """``orgabm scenarios``: the named scenarios with their descriptions."""
    named = available_scenarios()
    if not named:
        print("no named scenarios found")
        return 0
    width = max(map(len, named))
    for name, path in named.items():
        try:
            description = str(read_yaml(path).get("description", "")).strip().splitlines()
        except ScenarioError as exc:
            description = [f"(cannot read: {exc})"]
        first = description[0] if description else ""
        default = " (default)" if name == DEFAULT_SCENARIO else ""
        print(f"{name.ljust(width)}  {first}{default}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
