"""How many replicates each effect test needs, from its effects and their standard errors.

    .venv/bin/python tests/engine/power.py            # every test in tests/engine
    .venv/bin/python tests/engine/power.py -k safety  # some (arguments go to pytest)
    .venv/bin/python tests/engine/power.py tests/validation/test_canonical.py

Runs the engine's tests once with ORGABM_EFFECTS_LOG set: ``effects.per_run`` notes every
set of per-run values a test averages. Within a test, the sets on one metric and window
are taken two by two, in the order the test made them (the low and the high setting of
one contrast, as ``effects.gaps`` makes them; a knockout's pair after the effect's). Two
sets of the same size are paired run by run (replicate r has the same seed in both, as
``effects.runs`` gives it), so the SE is that of the paired differences, the one the
tests assert with (``effects.mean_se``); sets of other sizes are compared as independent
samples. For each pair it prints |difference| / SE (z) and the replicates at which it
would stand Z = 4 standard errors clear: n * (4 / z)^2. Where a
test's smallest real effect needs far fewer replicates than it runs, it may use fewer;
more, it needs more. (A comparison with z near 0 is one the test expects to show
nothing: a knock-out.) The published models' tests (tests/validation/test_canonical.py)
note the paired differences they weigh, and those are printed as they are.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

Z = 4.0


def comparisons(lines: list[dict]) -> dict[str, list[tuple[str, float, float, int]]]:
    """{test: [(metric, difference, its SE, replicates)]} from the logged value sets."""
    out: dict[str, list[tuple[str, float, float, int]]] = {}
    pending: dict[tuple, dict] = {}
    for line in lines:
        if line.get("gap"):  # already paired differences (tests/validation)
            se = math.sqrt(line["var"] / line["n"])
            out.setdefault(line["test"], []).append((line["metric"], line["mean"], se, line["n"]))
            continue
        key = (line["test"], line["metric"], tuple(line["window"]))
        before = pending.pop(key, None)
        if before is None:
            pending[key] = line
            continue
        diff = line["mean"] - before["mean"]
        if before["n"] == line["n"]:
            gaps = [b - a for a, b in zip(before["values"], line["values"], strict=True)]
            se = statistics.stdev(gaps) / math.sqrt(len(gaps))
        else:
            se = math.sqrt(before["var"] / before["n"] + line["var"] / line["n"])
        out.setdefault(line["test"], []).append((line["metric"], diff, se, line["n"]))
    return out


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    given = [a for a in argv if not a.startswith("-") and Path(a.split("::")[0]).exists()]
    argv = [str(Path(a).resolve()) if a in given else a for a in argv]
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "effects.jsonl"
        env = {**os.environ, "ORGABM_EFFECTS_LOG": str(log)}
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0",
                               "-p", "no:cacheprovider", *([] if given else [str(here)]), *argv],
                              env=env, cwd=here.parents[1])  # fmt: skip
        lines = [json.loads(t) for t in log.read_text().splitlines()] if log.exists() else []
    print("| test | metric | difference | SE | z | replicates | replicates for z = 4 |")
    print("|---|---|---|---|---|---|---|")
    for test, rows in comparisons(lines).items():
        for metric, diff, se, n in rows:
            z = abs(diff) / se if se else (math.inf if diff else 0.0)  # 0/0: an exact knockout
            need = ("any" if z == math.inf else "none" if z == 0
                    else str(max(2, math.ceil(n * (Z / z) ** 2))))  # fmt: skip
            name = test.split("::")[-1]
            print(f"| {name} | {metric} | {diff:+.4f} | {se:.4f} | {z:.1f} | {n} | {need} |")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
