"""How long a command takes to start: `orgabm --help`, `orgabm validate FILE`, and
`import orgabm` with the engine (what a sweep worker loads before its first run).

    .venv/bin/python benchmarks/bench_startup.py
    .venv/bin/python benchmarks/bench_startup.py --repeats 20

Each command runs in a fresh interpreter, the commands taking turns; the figure is the
median wall time over --repeats. Targets (issue 16): --help under 0.4 s, validate under
0.8 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORGABM = [sys.executable, "-m", "orgabm.cli"]
#: label -> command; each runs in its own interpreter
COMMANDS = {
    "orgabm --help": [*ORGABM, "--help"],
    "orgabm validate scenarios/march_1991.yaml": [*ORGABM, "validate",
                                                  str(ROOT / "scenarios" / "march_1991.yaml")],
    "import orgabm.engine.model (a worker's imports)": [sys.executable, "-c",
                                                        "import orgabm.engine.model"],
}  # fmt: skip
TARGETS = {"orgabm --help": 0.4, "orgabm validate scenarios/march_1991.yaml": 0.8}


def startup(repeats: int = 10) -> dict[str, float]:
    """Median seconds of each command, the commands taking turns."""
    seconds: dict[str, list[float]] = {label: [] for label in COMMANDS}
    for _ in range(repeats):
        for label, command in COMMANDS.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
            seconds[label].append(time.perf_counter() - started)
    return {label: statistics.median(times) for label, times in seconds.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    for label, median in startup(args.repeats).items():
        target = TARGETS.get(label)
        said = (
            f" (target under {target} s: {'met' if median < target else 'NOT met'})"
            if target
            else ""
        )
        print(f"{label}: {median:.2f} s{said}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
