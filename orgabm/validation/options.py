"""The options of ``orgabm validate-suite`` and ``python -m orgabm.validation``: a module
of their own, so that the CLI's parser lists them without importing the experiments."""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["add_arguments"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``orgabm validate-suite``."""
    parser.add_argument(
        "--runs", type=int, default=1500, help="March: runs per point (default 1500)"
    )
    parser.add_argument(
        "--other-runs",
        type=int,
        default=200,
        help="the other models: runs per condition (default 200)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="a quick pass: 100 and 40 runs (a few minutes)"
    )
    parser.add_argument("--seed", type=int, default=1991, help="March's base seed (default 1991)")
    parser.add_argument("--workers", type=int, default=None, help="processes (default: all CPUs)")
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder (default docs)")
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="keep each experiment's sweep results here (resumable)",
    )
