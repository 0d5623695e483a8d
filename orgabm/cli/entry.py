"""The ``orgabm`` command's entry point: parse, run the subcommand, and end every input
error in one line on stderr and exit code 2, never a traceback."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from ..analysis.errors import ReportError
from ..batch.errors import SweepError
from ..scenario.errors import ParameterError, ScenarioError
from .commands import (
    cmd_dashboard,
    cmd_report,
    cmd_run,
    cmd_scenarios,
    cmd_sensitivity,
    cmd_sweep,
    cmd_validate,
    cmd_validate_suite,
)
from .parser import UsageError, build_parser

__all__ = ["COMMANDS", "EXIT_USAGE", "FLAGS", "main"]

EXIT_USAGE = 2

#: Each subcommand's function.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "run": cmd_run, "validate": cmd_validate, "scenarios": cmd_scenarios,
    "sweep": cmd_sweep, "report": cmd_report, "sensitivity": cmd_sensitivity,
    "dashboard": cmd_dashboard, "validate-suite": cmd_validate_suite,
}  # fmt: skip

#: Library parameters -> the flags that set them, for errors in the caller's words.
FLAGS = {
    "reps": "--reps", "seed": "--seed", "steps": "--steps", "workers": "--workers",
    "backend": "--backend", "scheduler": "--scheduler", "out": "--out", "x": "--x",
    "ys": "--y", "metrics": "--y", "method": "--method", "samples": "--samples",
    "params": "--param", "vary": "--vary", "model": "--model", "design": "--design",
    "sets": "--set",
}  # fmt: skip
#: Where a command's flag for a parameter differs from FLAGS'.
COMMAND_FLAGS = {"sweep": {"metrics": "--metrics"}}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``orgabm`` command."""
    parser = build_parser()
    args = None
    try:
        args = parser.parse_args(argv)
        _check_links(args)
        return COMMANDS[args.command](args)
    except ParameterError as exc:  # the library's parameter, said as this command's flag
        flags = {**FLAGS, **COMMAND_FLAGS.get(getattr(args, "command", ""), {})}
        print(f"orgabm: error: {exc.in_words(flags)}", file=sys.stderr)
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
