"""The ``orgabm`` subcommands: run, validate, scenarios, sweep, report, sensitivity,
dashboard and validate-suite, each translating its flags into library calls and the
results into lines on the terminal (the flags are in :mod:`.parser`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from .parser import UsageError

if TYPE_CHECKING:  # each command imports what it uses: `orgabm --help` loads none of it
    import pandas as pd

    from ..batch.replicates import Runs

__all__ = [
    "cmd_dashboard",
    "cmd_report",
    "cmd_run",
    "cmd_scenarios",
    "cmd_sensitivity",
    "cmd_sweep",
    "cmd_validate",
    "cmd_validate_suite",
]


def _overrides(sets: list[str]) -> dict[str, object]:
    from ..scenario.overrides import parse_override

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
    from ..scenario.loading import load_scenario

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


def _header(ref: str, result: Runs) -> str:
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


def _table(summary: pd.DataFrame) -> str:
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


def _team_line(result: Runs, most: int = 12) -> str:
    """Final knowledge of each team, averaged over runs (the first ``most`` teams)."""
    by_team = result.teams.groupby("team")["knowledge"].mean()
    shown = " ".join(f"{team}:{value:+.2f}" for team, value in by_team.iloc[:most].items())
    more = f" ... ({len(by_team)} teams)" if len(by_team) > most else ""
    return f"final knowledge by team (mean over runs): {shown}{more}"


def _write(frame: pd.DataFrame, out: Path) -> None:
    try:
        if out.suffix.lower() == ".csv":
            frame.to_csv(out, index=False)
        else:
            frame.to_parquet(out, index=False)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write: {exc.strerror or exc}") from None


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the sweep is, so it stops as it does on Ctrl-C."""


def _terminate(signum: int, frame: FrameType | None) -> NoReturn:
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
                        round_integers=args.design is not None,
                        common_seeds=args.common_seeds, metrics=args.metrics)  # fmt: skip
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
    from ..scenario.loading import load_scenario

    cfg = load_scenario(args.scenario, _overrides(args.sets))
    org = cfg.organization
    print(
        f"ok: {args.scenario}: {org.employees:,} employees, {org.network.kind} network, "
        f"{cfg.environment.dimensions} dimensions, {cfg.steps} steps"
    )
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """``orgabm scenarios``: the named scenarios with their descriptions."""
    from ..scenario.errors import ScenarioError
    from ..scenario.loading import DEFAULT_SCENARIO, available_scenarios, read_yaml

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
