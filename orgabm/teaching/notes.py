"""Teacher's notes: each shipped assignment's experiment run as a sweep, written to
``docs/teaching/<assignment>.md`` with its plot, the command that reproduces it and
what the numbers say.

    python -m orgabm.teaching                 # every assignment, 20 runs per point
    python -m orgabm.teaching --reps 5 --out /tmp/notes
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..analysis.tables import decimals, markdown_table
from .assignments import assignments
from .experiments import ExperimentSpec, Job

__all__ = ["READINGS", "expected", "main", "run", "spec_for", "write_note", "write_notes"]


def spec_for(name: str, reps: int | None = None, seed: int = 0) -> ExperimentSpec:
    """The assignment's own experiment (the experiment tab's starting point)."""
    from ..scenario import ScenarioError, load_scenario

    e = load_scenario(name).task.experiment
    if e is None:
        raise ScenarioError(f"{name}: the assignment gives no experiment to start from")
    return ExperimentSpec(scenario=name, lever=e.lever, low=e.low, high=e.high, points=e.points,
                          factor=e.factor, factor_values=list(e.factor_values),
                          replicates=reps or e.replicates, metric=e.metric, seed=seed)  # fmt: skip


def run(spec: ExperimentSpec, workers: int | None = None) -> Job:
    """Run the experiment as the dashboard does, but with all CPUs; the finished job."""
    from ..batch.store import Store
    from ..batch.sweep import run_sweep

    job = Job(spec, spec.load())
    started = time.perf_counter()
    run_sweep(job.sweep, job.folder, workers=workers, progress=None)
    job.seconds = time.perf_counter() - started
    job.runs, job.state = Store(job.folder).runs(), "done"
    return job


def expected(job: Job) -> str:
    """What the numbers say, in sentences: the outcome's range over the lever, per factor level."""
    spec, table = job.spec, job.summary()
    what, metric = spec.lever.replace("_", " "), spec.metric.replace("_", " ")
    groups = table.groupby(spec.factor, sort=False) if spec.factor else [(None, table)]
    lines = []
    for level, part in groups:
        first, last = part.iloc[0], part.iloc[-1]
        best = part.loc[part["mean"].idxmax()]
        where = "" if level is None else f"With {spec.factor} = {level}: "
        change = last["mean"] - first["mean"]
        lines.append(
            f"- {where}{metric} goes from {first['mean']:.3f} at {what} = {first[spec.path]:g} "
            f"to {last['mean']:.3f} at {last[spec.path]:g} ({change:+.3f}); the highest is "
            f"{best['mean']:.3f} at {best[spec.path]:g}."
        )
    return "\n".join(lines)


def _plot(job: Job, path: Path) -> None:
    from .figures import result_figure

    result_figure(job).savefig(path)


def write_note(name: str, job: Job, out: Path, reading: str) -> Path:
    """``out/<assignment>.md``: the result, its plot, the command, and the teacher's reading."""
    scenario = job.scenario
    task = scenario.task
    stem = name.split("/")[-1]
    (out / "img").mkdir(parents=True, exist_ok=True)
    _plot(job, out / "img" / f"{stem}.png")
    command = job.spec.command(scenario_file=name, out=f"results/{stem}")
    questions = "\n".join(f"{i}. {q}" for i, q in enumerate(task.questions, start=1))
    text = f"""# Teacher's note: {task.title}

Assignment file: `scenarios/assignments/{stem}.yaml` (open it in the dashboard with
`?assignment={stem}` or the Assignment picker). Open levers:
{", ".join(f"`{k}` [{lo:g}, {hi:g}]" for k, (lo, hi) in task.open.items())}; every other
lever is locked at the scenario's value.

## The questions

{questions}

## The expected result

The assignment's own experiment, {job.total} runs ({job.spec.replicates} per point), in
{job.seconds:.0f} s on this machine:

```sh
{command}
orgabm report results/{stem}
```

(`python -m orgabm.teaching` regenerates this note.) Students who keep the seed at 0
get exactly these numbers; other seeds give numbers within the confidence intervals.

{expected(job)}

![{task.title}](img/{stem}.png)

{_table(job)}

## Reading it

{reading}
"""
    path = out / f"{stem}.md"
    path.write_text(text, encoding="utf-8")
    return path


#: The teacher's reading of each assignment's result: the mechanism behind it (docs/ODD.md).
READINGS = {
    "assignments/exploration_exploitation": (
        "March's (1991) result: slow socialization keeps alternative beliefs alive long "
        "enough for the code to learn from the people who do better than it, so the code "
        "ends up knowing more. Fast socialization makes everyone agree early, on whatever the "
        "code held then. Fast code learning helps most when socialization is slow. "
        "See docs/validation.md for the same curves at 1,000 runs per point."
    ),
    "assignments/safety_and_complexity": (
        "Safety works through experiments: a failure, or a report that the code is wrong, "
        "is punished with probability 1 - psychological safety, and what people see of "
        "punishment and support sets how "
        "safe they feel, so an unsafe climate tries and reports fewer experiments. Half of "
        "what matters here is tacit: only people's own trials and what they pass on can "
        "find it. Safety raises performance on both tasks. In this model it raises it more "
        "on the simple task (K = 0): there a single change that does better is better "
        "wherever it is tried, so each protected experiment, and each report of it, "
        "teaches. On the complex task (K = 5) most single changes fail, and what did better "
        "in one colleague's context can do worse in another's, so the same experiments "
        "teach less. The gap between the tasks goes the same way at 16 and 20 decisions "
        "and at 50 to 500 employees; it is clear with after-action reviews, as here, "
        "since a review passes each finding to the whole team, and small, mostly within noise, "
        "without them (docs/sensitivity.md). The common saying that safety matters most "
        "for complex work is not what this mechanism shows."
    ),
    "assignments/silos_and_communities": (
        "With no ties across teams, each team converges on its own beliefs; most know-how is "
        "tacit, so the code cannot carry it between teams. Communities of practice give "
        "each person a chance to meet someone from another team and learn from them if "
        "they do better, so what one team found reaches the others. Most of the gain comes "
        "by 0.1; beyond it each encounter adds little knowledge and still takes time from "
        "work (see productivity in the Live run). This holds on tasks like this one, where "
        "a belief that does better does so in any team, at 50, 100 and 500 employees, with "
        "and without reviews, except in 3 of the 12 cells with reviews (100 employees at 20 "
        "dimensions, 500 at 20 and 30), where the gain is within noise. On rugged tasks (an NK "
        "landscape in the scenario) communities add no clear knowledge: what did better in "
        "another team's context need not do better in one's own (docs/sensitivity.md)."
    ),
    "assignments/reviews_and_safety": (
        "A review passes on what members reported finding since the last one: on each "
        "dimension tried, the value its author saw do better. They see it through "
        "feedback, so sometimes wrongly. A failure is reported only if it is answered with "
        "support rather than punishment (probability = psychological safety) and its "
        "author speaks up (probability = their own safety, which punishment lowers and "
        "support raises), so in an unsafe climate reviews have little to work with. A "
        "success that says the code is wrong reaches the review only if leaders answer it "
        "with support as well. In a "
        "safe team that already knows most of the answer, most trials change something "
        "that was right, and the few that are wrongly seen to work are passed to the whole "
        "team: with this assignment's feedback (0.9) frequent reviews can then lower "
        "knowledge a little. With clear feedback they raise it (add `--set "
        "leadership.feedback=1` to the sweep above; the assignment keeps feedback locked). "
        "A review also takes its members' time: productivity falls when reviews come "
        "too often. 0 means no reviews; smaller numbers mean more frequent reviews. So "
        "this model does not say that reviews always pay: in `learning_organization`, at "
        "50 to 500 employees on simple and rugged tasks, a review every 5 steps adds clear "
        "knowledge in only 2 of 24 cells at safety 0.1 or 0.9, and in large organizations "
        "on rugged tasks with a safe climate it lowers it (docs/sensitivity.md)."
    ),
}


def write_notes(out: Path = Path("docs/teaching"), reps: int | None = None,
                workers: int | None = None) -> list[Path]:  # fmt: skip
    """Run every shipped assignment's experiment and write its note."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in assignments():
        job = run(spec_for(name, reps), workers)
        reading = READINGS.get(name, "")
        paths.append(write_note(name, job, out, reading))
        job.discard()
        print(f"wrote {paths[-1]} ({job.total} runs, {job.seconds:.0f} s)", file=sys.stderr)
    return paths


def main(argv: list[str] | None = None) -> int:
    """``python -m orgabm.teaching``: regenerate docs/teaching/."""
    parser = argparse.ArgumentParser(prog="python -m orgabm.teaching", description=__doc__)
    parser.add_argument("--reps", type=int, help="runs per point (default: the assignment's)")
    parser.add_argument("--workers", type=int, help="processes (default: all CPUs)")
    parser.add_argument("--out", type=Path, default=Path("docs/teaching"))
    args = parser.parse_args(argv)
    write_notes(args.out, args.reps, args.workers)
    return 0


def _table(job: Job) -> str:
    return markdown_table(job.summary(), decimals(3, nan="nan"))


if __name__ == "__main__":
    sys.exit(main())
