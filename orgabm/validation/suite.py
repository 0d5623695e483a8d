"""The validation suite: March (1991) reproduced, then the models that extend it.

``orgabm validate-suite`` (or ``python -m orgabm.validation``) runs every
experiment of ``scenarios/validation/`` as a sweep and writes
``docs/validation.md`` with its plots under ``docs/img/``. The tests call the
same functions on fewer points and runs. The other models' experiments live in
:mod:`orgabm.validation.canonical`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
import weakref
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..analysis.figures import figure
from ..analysis.stats import curves, group_means
from ..analysis.tables import markdown_table
from ..batch.store import Store
from ..batch.sweep import Sweep, run_sweep
from ..engine.model import OrgModel
from ..scenario import Scenario, load_scenario

__all__ = [
    "P1_GRID",
    "PUBLISHED_FIGURE_1",
    "figure1",
    "heterogeneous",
    "turbulence",
    "turnover",
    "write_report",
]

P1, P2 = "leadership.socialization", "leadership.code_learning"
P3, SHARE = "workforce.turnover", "workforce.fast_learners.share"
P1_GRID = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
P2_GRID = (0.9, 0.5, 0.1)

#: March (1991), Figure 1: equilibrium code knowledge, read off the figure
#: (../shared/research/canonical_models.md).
PUBLISHED_FIGURE_1: dict[float, tuple[float, ...]] = {
    0.9: (0.978, 0.949, 0.911, 0.887, 0.854, 0.803, 0.769, 0.743, 0.750),
    0.5: (0.954, 0.918, 0.873, 0.835, 0.795, 0.777, 0.780, 0.752, 0.745),
    0.1: (0.857, 0.813, 0.803, 0.787, 0.800, 0.815, 0.804, 0.802, 0.793),
}


def march(experiment: str = "figure1", **overrides: Any) -> Scenario:
    """``scenarios/validation/march_<experiment>.yaml`` with dotted-path overrides
    (``leadership__socialization`` style keys)."""
    return load_scenario(
        f"validation/march_{experiment}", {k.replace("__", "."): v for k, v in overrides.items()}
    )


def _group_knowledge(fast: bool):
    def measure(model: OrgModel) -> float:
        rows = model.fast_learner if fast else ~model.fast_learner
        if not rows.any():
            return float("nan")
        return float(model.reality.score(model.beliefs[rows]).mean()) / model.dimensions

    return measure


class GroupKnowledgeModel(OrgModel):
    """March's model, also recording the mean knowledge of fast and of slow learners."""

    extra_metrics: ClassVar[dict] = {
        "fast_knowledge": _group_knowledge(True),
        "slow_knowledge": _group_knowledge(False),
    }


def _run(
    name: str,
    scenario: Scenario,
    points: list[dict[str, Any]],
    runs: int,
    seed: int,
    workers: int | None,
    progress: bool | None,
    keep: Path | None,
    model: str | None = None,
    common_seeds: bool = False,
) -> Store:
    """One experiment as a sweep (in ``keep/name``, resumable, or a temporary folder)."""
    built = Sweep.build(scenario, points, reps=runs, seed=seed, model=model,
                        common_seeds=common_seeds, spec={"validation": name})  # fmt: skip
    if keep is not None:
        folder = Path(keep) / name
        run_sweep(built, folder, workers=workers, progress=progress)
        return Store(folder)
    folder = Path(tempfile.mkdtemp(prefix=f"orgabm-{name}-"))
    run_sweep(built, folder, workers=workers, progress=progress)
    store = Store(folder)
    weakref.finalize(store, shutil.rmtree, folder, ignore_errors=True)
    return store


# --------------------------------------------------------------------------- experiments
def figure1(
    runs: int = 400,
    seed: int = 1991,
    points: Iterable[tuple[float, float]] | None = None,
    workers: int | None = None,
    progress: bool | None = False,
    keep: Path | None = None,
    name: str = "figure1",
) -> pd.DataFrame:
    """Equilibrium code knowledge for each (p1, p2), beside March's published value."""
    grid = list(points) if points is not None else [(p1, p2) for p2 in P2_GRID for p1 in P1_GRID]
    sweep_points = [{P1: p1, P2: p2} for p1, p2 in grid]
    store = _run(name, march(), sweep_points, runs, seed, workers, progress, keep)
    table = group_means(store.runs(), [P1, P2], ["code_knowledge"]).drop(columns="metric")
    table = table.rename(columns={P1: "p1", P2: "p2"})
    table["published"] = [PUBLISHED_FIGURE_1[p2][P1_GRID.index(p1)]
                          for p1, p2 in zip(table["p1"], table["p2"], strict=True)]  # fmt: skip
    table["difference"] = table["mean"] - table["published"]
    return table


def heterogeneous(
    runs: int = 400,
    seed: int = 1991,
    shares: Sequence[float] = (0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0),
    period: int = 20,
    workers: int | None = None,
    progress: bool | None = False,
    keep: Path | None = None,
) -> pd.DataFrame:
    """Figures 2 and 3: a share of fast learners (p1 = 0.9) among slow ones (p1 = 0.1), p2 = 0.5.

    Equilibrium code knowledge, and code and group knowledge at ``period``.
    """
    base = march("heterogeneous")
    points = [{SHARE: s} for s in shares]
    eq = _run("heterogeneous_equilibrium", base, points, runs, seed, workers, progress, keep)
    mid_scenario = base.model_copy(update={"steps": period, "stop_at_equilibrium": False})
    mid = _run("heterogeneous_period", mid_scenario, points, runs, seed, workers, progress, keep,
               model="orgabm.validation.suite:GroupKnowledgeModel")  # fmt: skip
    at_eq = eq.runs().groupby(SHARE)["code_knowledge"].mean()
    at_mid = mid.runs().groupby(SHARE)[["code_knowledge", "fast_knowledge", "slow_knowledge"]]
    at_mid = at_mid.mean()
    counts = eq.runs().groupby(SHARE).size()
    return pd.DataFrame({
        "fast_share": list(shares),
        "runs": [int(counts[s]) for s in shares],
        "equilibrium_code": [at_eq[s] for s in shares],
        "code_at_period": [at_mid.loc[s, "code_knowledge"] for s in shares],
        "fast_knowledge": [at_mid.loc[s, "fast_knowledge"] for s in shares],
        "slow_knowledge": [at_mid.loc[s, "slow_knowledge"] for s in shares],
    })  # fmt: skip


def turnover(
    runs: int = 400,
    seed: int = 1991,
    p1s: Sequence[float] = (0.1, 0.5, 0.9),
    p3s: Sequence[float] = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5),
    period: int = 20,
    workers: int | None = None,
    progress: bool | None = False,
    keep: Path | None = None,
) -> pd.DataFrame:
    """Figure 4: code knowledge at ``period`` against turnover p3, for each p1 (p2 = 0.5)."""
    points = [{P1: p1, P3: p3} for p1 in p1s for p3 in p3s]
    store = _run("turnover", march("turnover", steps=period), points, runs, seed, workers,
                 progress, keep)  # fmt: skip
    table = group_means(store.runs(), [P1, P3], ["code_knowledge"]).drop(columns="metric")
    return table.rename(columns={P1: "p1", P3: "p3"})


def turbulence(
    runs: int = 400,
    seed: int = 1991,
    p3s: Sequence[float] = (0.0, 0.1),
    p4: float = 0.02,
    periods: int = 100,
    workers: int | None = None,
    progress: bool | None = False,
    keep: Path | None = None,
) -> pd.DataFrame:
    """Figure 5: code knowledge over time under turbulence p4, with and without turnover."""
    base = march("turbulence", environment__turbulence=p4, steps=periods)
    points = [{P3: p3} for p3 in p3s]
    store = _run("turbulence", base, points, runs, seed, workers, progress, keep)
    steps = store.steps(columns=["run_id", "step", "code_knowledge", P3])
    return curves(steps, [P3], "code_knowledge").rename(columns={P3: "p3"})


# --------------------------------------------------------------------------- report


def plot_figure1(table: pd.DataFrame, path: Path) -> None:
    """orgabm's Figure 1 (lines with 95% CI) beside March's published points."""
    fig = figure()
    ax = fig.add_subplot()
    for p2, color in zip(P2_GRID, ("tab:blue", "tab:orange", "tab:green"), strict=True):
        part = table[table["p2"] == p2]
        ax.plot(part["p1"], part["mean"], color=color, marker="o", label=f"orgabm, p2 = {p2}")
        ax.fill_between(part["p1"], part["ci_low"], part["ci_high"], color=color, alpha=0.2)
        ax.plot(part["p1"], part["published"], color=color, ls="none", marker="x", ms=8,
                label=f"March (1991), p2 = {p2}")  # fmt: skip
    ax.set_xlabel("socialization rate p1")
    ax.set_ylabel("equilibrium code knowledge")
    ax.set_title(f"March (1991) Figure 1, {int(table['runs'].min())} runs per point")
    ax.legend(fontsize=7, ncol=2)
    fig.savefig(path)


def plot_heterogeneous(table: pd.DataFrame, period: int, path: Path) -> None:
    """Figures 2 and 3: knowledge against the share of fast learners."""
    fig = figure()
    ax = fig.add_subplot()
    x = table["fast_share"]
    ax.plot(x, table["equilibrium_code"], marker="o", label="code, at equilibrium")
    ax.plot(x, table["code_at_period"], marker="o", label=f"code, period {period}")
    ax.plot(
        x, table["fast_knowledge"], marker="s", ls="--", label=f"fast learners, period {period}"
    )
    ax.plot(
        x, table["slow_knowledge"], marker="s", ls="--", label=f"slow learners, period {period}"
    )
    ax.set_xlabel("share of fast learners (p1 = 0.9; the rest p1 = 0.1)")
    ax.set_ylabel("knowledge")
    ax.set_title("March (1991) Figures 2 and 3: heterogeneous socialization")
    ax.legend(fontsize=8)
    fig.savefig(path)


def _plot_bands(
    table: pd.DataFrame, by: str, x: str, label: str, labels: tuple[str, str, str], path: Path
) -> None:
    """One line with its 95% band per value of ``by``; labels are (x, y, title)."""
    fig = figure()
    ax = fig.add_subplot()
    for value, part in table.groupby(by):
        ax.plot(part[x], part["mean"], marker="o" if len(part) < 20 else None,
                label=label.format(value))  # fmt: skip
        ax.fill_between(part[x], part["ci_low"], part["ci_high"], alpha=0.2)
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(labels[2])
    ax.legend(fontsize=8)
    fig.savefig(path)


def plot_turnover(table: pd.DataFrame, period: int, path: Path) -> None:
    """Figure 4: code knowledge at a period against turnover, one line per p1."""
    titles = ("turnover p3", f"code knowledge at period {period}",
              "March (1991) Figure 4: turnover and socialization (p2 = 0.5)")  # fmt: skip
    _plot_bands(table, "p1", "p3", "p1 = {}", titles, path)


def plot_turbulence(table: pd.DataFrame, p4: float, path: Path) -> None:
    """Figure 5: code knowledge over time, with and without turnover."""
    titles = ("period", "code knowledge",
              f"March (1991) Figure 5: turbulence p4 = {p4}, p1 = p2 = 0.5")  # fmt: skip
    _plot_bands(table, "p3", "step", "turnover p3 = {}", titles, path)


def _other_models(
    runs: int, workers: int | None, progress: bool | None, keep: Path | None, img: Path
) -> tuple[dict[str, Any], dict[str, float]]:
    """Run Lazer and Friedman's, Fang et al.'s and Miller et al.'s experiments; their text."""
    from . import canonical

    timings: dict[str, float] = {}
    tables = {}
    for name in canonical.LF_EXPERIMENTS:
        started = time.perf_counter()
        tables[name] = canonical.lazer_friedman(name, runs, workers=workers, progress=progress,
                                                keep=keep)  # fmt: skip
        timings[name] = time.perf_counter() - started
    started = time.perf_counter()
    fang = canonical.fang(runs, workers=workers, progress=progress, keep=keep)
    timings["fang"] = time.perf_counter() - started
    started = time.perf_counter()
    miller = canonical.miller(runs, workers=workers, progress=progress, keep=keep)
    timings["miller"] = time.perf_counter() - started
    canonical.plot_fang(fang, img / "fang_2010.png")
    canonical.plot_miller(miller, img / "miller_2006.png")
    lf, fa, mi = (canonical.lf_findings(tables), canonical.fang_findings(fang),
                  canonical.miller_findings(miller))  # fmt: skip
    lf_time = sum(timings[name] for name in canonical.LF_EXPERIMENTS)
    fang_cols = fang[["cross_group_ties", "runs", "knowledge", "knowledge_low", "knowledge_high"]]
    miller_cols = miller[["p5", "runs", "tacit_knowledge", "codifiable_knowledge",
                          "code_knowledge"]]  # fmt: skip
    text = f"""# Lazer and Friedman (2007)

"The Network Structure of Exploration and Exploitation", Administrative Science
Quarterly 52. 100 agents search an NK landscape (N = 20, K = 5) on a fixed
network for 100 rounds. Each round an agent looks at its neighbours with
probability v (the velocity); if one scores strictly better, it copies the best
one's solution (each differing bit kept unchanged with probability e, the
copying error, and reverted if the result is worse); otherwise it flips one
random bit and keeps the flip only if the score improves. Scores are the mean
contribution, normalized by the landscape's global maximum (all 2^20 solutions
tried) and raised to the power 8. The plots show the mean score of the agents'
current solutions.

In orgabm this is March's organization with the code off (p1 = p2 = 0), an NK
environment, decided starting beliefs (random full solutions), the sharing rule
`copy` (`leadership.knowledge_sharing` is the velocity, `calibration.copy_error`
the error) and experimentation on with full risk tolerance, safety and
feedback: the experiment is the one-bit local search, and it is made only by
those who did not copy. Every condition in an experiment uses the same
landscapes and starting solutions: the sweeps use common seeds, and the model
draws the landscape and the solutions before the network.

Readings where the specification leaves room:
- an agent that does not look at its neighbours (probability 1 - v) searches
  locally that round; an agent that finds a better neighbour copies and does not
  search, even if it reverts the copy;
- all agents move at once, each against the scores of the round before;
- an agent ties a neighbour's score only by equal score, and equal is not better;
  among equally best neighbours one is chosen at random;
- "long run" is round 100, the end of the published horizon. The published run
  counts are not in our specification; orgabm uses {runs} runs per condition.

{_bullets(lf)}

Wall time for the {len(tables)} experiments: {lf_time:.0f} s.

{canonical.lf_section(tables, timings, img)}

# Fang, Lee and Schilling (2010)

"Balancing Exploration and Exploitation Through Structural Design", Organization
Science 21(3). 100 people in 10 subgroups of 10, fully connected inside, with
cross-group ties at a probability swept on a log scale from 1e-4 to 1. There is
no code: on each dimension, each person adopts the majority belief of the
colleagues they are tied to who performed better this period, with probability
0.5 (`calibration.sharing_rule: majority`, `leadership.knowledge_sharing: 0.5`).
Reality is March's (m = 30, beliefs -1, 0 or +1). "Equilibrium" knowledge is the
mean individual knowledge after 150 periods, by which time beliefs have stopped
moving in nearly every run (`scenarios/validation/fang_2010.yaml`).

Readings: the paper's own task and adoption rule are unverified in our
specification (majority of the superior neighbours, adopted with some
probability); orgabm takes March's reality, a strict majority (a tie leaves the
belief alone), and zero beliefs counting as no vote.

{_bullets(fa)}

{runs} runs per probability, {timings["fang"]:.0f} s.

![Fang et al.](img/fang_2010.png)

{markdown_table(fang_cols, canonical.CELL)}

# Miller, Zhao and Calantone (2006)

"Adding Interpersonal Learning and Tacit Knowledge to March's
Exploration-Exploitation Model", Academy of Management Journal 49(4). March's
model (p1 = 0.1, p2 = 0.5, m = 30) with 100 people on a 10 x 10 torus. Each period
each person finds the best performer among their four neighbours and, if that
neighbour performed better, takes each of its differing beliefs with
probability p5 (`calibration.sharing_rule: best`). 30% of the dimensions are
tacit: the code cannot hold them, and the superior group is judged on the
codifiable dimensions only (`scenarios/validation/miller_2006.yaml`). Values are
after 200 periods.

Readings: the neighbour's value is taken outright (not one step at a time, as
socialization does); interpersonal learning happens after acting and before
socialization; the published details are unverified in our specification, so
only the direction it states is checked, plus the slow-learning pattern March's
model predicts.

{_bullets(mi)}

{runs} runs per rate, {timings["miller"]:.0f} s.

![Miller et al.](img/miller_2006.png)

{markdown_table(miller_cols, canonical.CELL)}
"""
    return {"text": text, "findings": lf + fa + mi}, timings


def _bullets(findings) -> str:
    return "\n".join(
        f"- **{'Reproduced' if f.holds else 'Not reproduced'}** ({f.experiment}): "
        f"{f.published}. orgabm: {f.observed}."
        for f in findings
    )


def write_report(
    out: Path = Path("docs"),
    runs: int = 1000,
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
    command = f"orgabm validate-suite --runs {runs} --other-runs {other_runs} --seed {seed}"
    suite_started = time.perf_counter()
    timings = {}

    started = time.perf_counter()
    fig1 = figure1(runs, seed, workers=workers, progress=progress, keep=keep)
    timings["fig1"] = time.perf_counter() - started
    plot_figure1(fig1, img / "march_figure1.png")

    started = time.perf_counter()
    het = heterogeneous(runs, seed, workers=workers, progress=progress, keep=keep)
    timings["het"] = time.perf_counter() - started
    plot_heterogeneous(het, 20, img / "march_heterogeneous.png")

    started = time.perf_counter()
    turn = turnover(runs, seed, workers=workers, progress=progress, keep=keep)
    timings["turn"] = time.perf_counter() - started
    plot_turnover(turn, 20, img / "march_turnover.png")

    started = time.perf_counter()
    turb = turbulence(runs, seed, workers=workers, progress=progress, keep=keep)
    timings["turb"] = time.perf_counter() - started
    plot_turbulence(turb, 0.02, img / "march_turbulence.png")

    worst = fig1.loc[fig1["difference"].abs().idxmax()]
    # the closest call, again with ten times the runs (and other seeds): how far is it really?
    started = time.perf_counter()
    close = figure1(10 * runs, seed + 1, [(worst["p1"], worst["p2"])], workers, progress, keep,
                    name="figure1_closest").iloc[0]  # fmt: skip
    timings["close"] = time.perf_counter() - started
    wide = fig1.pivot(index="p1", columns="p2", values="mean")[list(P2_GRID)]
    table = pd.DataFrame({"p1": wide.index})
    for p2 in P2_GRID:
        table[f"orgabm p2={p2}"] = wide[p2].to_numpy()
        table[f"March p2={p2}"] = list(PUBLISHED_FIGURE_1[p2])
    turb_at = turb[turb["step"].isin([0, 10, 20, 40, 60, 80, 100])].pivot(
        index="step", columns="p3", values="mean"
    )
    turb_at.columns = [f"code knowledge, p3 = {c}" for c in turb_at.columns]
    turb_peak = float(turb[turb["p3"] == 0.0]["mean"].max())
    turn_wide = turn.pivot(index="p3", columns="p1", values="mean")
    turn_wide.columns = [f"p1 = {c}" for c in turn_wide.columns]
    both = het.dropna(subset=["fast_knowledge", "slow_knowledge"])
    fast_ahead = int((both["fast_knowledge"] > both["slow_knowledge"]).sum())
    slow_turn = turn_wide["p1 = 0.1"]
    slow_sentence = (
        "turnover lowers it at every rate tried"
        if (np.diff(slow_turn.to_numpy()) < 0).all()
        else f"it goes from {slow_turn.iloc[0]:.3f} to {slow_turn.iloc[-1]:.3f}"
    )

    others, _ = _other_models(other_runs, workers, progress, keep, img)
    findings = others["findings"]
    march_rows = [
        ("March (1991) Fig. 1", "each of the 27 points within 0.03 of the published value",
         f"{int((fig1['difference'].abs() <= 0.03).sum())} of 27 within 0.03 "
         f"(worst {worst['difference']:+.3f})", bool((fig1["difference"].abs() <= 0.03).all())),
        ("March (1991) Fig. 4", "moderate turnover improves code knowledge under fast "
         "socialization", f"p1 = 0.9: {turn_wide.loc[0.0, 'p1 = 0.9']:.3f} without turnover, "
         f"{turn_wide['p1 = 0.9'].max():.3f} at p3 = {turn_wide['p1 = 0.9'].idxmax()}",
         bool(turn_wide["p1 = 0.9"].max() > turn_wide.loc[0.0, "p1 = 0.9"])),
        ("March (1991) Fig. 5", "under turbulence, code knowledge decays without turnover "
         "and is sustained with it", f"period 100: {turb_at.iloc[-1, 0]:.3f} without, "
         f"{turb_at.iloc[-1, 1]:.3f} with turnover (peak without: {turb_peak:.3f})",
         bool(turb_at.iloc[-1, 0] < turb_peak and turb_at.iloc[-1, 1] > turb_at.iloc[-1, 0])),
    ]  # fmt: skip
    summary_rows = march_rows + [
        (f"{f.experiment}", f.published, f.observed, f.holds) for f in findings
    ]
    summary = "\n".join(
        f"| {name} | {published} | {observed} | {'yes' if holds else '**no**'} |"
        for name, published, observed, holds in summary_rows
    )
    total = time.perf_counter() - suite_started

    text = f"""# Validation: the canonical models of organizational learning

With its extra mechanisms switched off, orgabm reproduces the published
agent-based models it generalizes: March (1991), Lazer and Friedman (2007),
Fang, Lee and Schilling (2010) and Miller, Zhao and Calantone (2006). Each
experiment is a scenario file in `scenarios/validation/`, run as a sweep. Every
number and plot on this page was produced by

```sh
{command}
```

in {total / 60:.1f} minutes on {platform.python_implementation()} {platform.python_version()}
with {workers or os.cpu_count()} worker processes (`--quick` runs a reduced version).
Specifications: `../shared/research/canonical_models.md`; equations: `docs/ODD.md`.

## Summary

| experiment | published finding | orgabm | reproduced |
|---|---|---|---|
{summary}

# March (1991)

orgabm's engine, with March's scenario, reproduces
March's "Exploration and Exploitation in Organizational Learning" (Organization
Science 2(1), 1991). Each point is the mean of {runs} independent runs; run r of
point k uses the seed `derive_seed({seed}, hash(point), r)` (numpy SeedSequence), so
any run can be repeated alone.

### The reading of March's rules

The paper underdetermines its rules. orgabm takes the reading of Christensen
(2015), which reproduces Figure 1 (see `docs/ODD.md` for the equations):

- each period: employees act, then socialize, then the code learns;
- an employee acts on each belief, with a fair coin flip where the belief is 0;
- socialization is gradual: with probability p1 a belief that differs from a
  non-zero code moves one step towards it (opposite value to 0, 0 to the code's);
- the superior group is those whose realized performance (actions . reality)
  beats the code's score (code . reality);
- the code learns from the superior group's *actions*: with k = |#(+1) - #(-1)|
  on a dimension where the majority differs from the code, it takes the
  majority's value with probability 1 - (1 - p2)^k;
- equilibrium (only when p3 = p4 = 0): every belief equals the code and no
  employee could beat the code even with lucky coin flips;
- knowledge is March's score, (correct - wrong) / m.

Where the paper measures "at period 20" (Figures 3 and 4), orgabm reports the
state after 20 steps. The fast-learner share is an exact count of employees
(round(share x n)), chosen at random.

### Figure 1: equilibrium code knowledge against p1 and p2

Criterion: each of the 27 points within 0.03 of the published value.
Largest difference: {worst["difference"]:+.3f} at p1 = {worst["p1"]}, p2 = {worst["p2"]}
(published values are read off the paper's figure, itself the mean of 80 runs).
Run again with {10 * runs:,} runs and other seeds, that point gives {close["mean"]:.3f}
(95% CI {close["ci_low"]:.3f} to {close["ci_high"]:.3f}), {close["difference"]:+.3f} from the
published value ({timings["close"]:.0f} s).
**{int((fig1["difference"].abs() <= 0.03).sum())} of 27 points are within 0.03.**
Wall time: {timings["fig1"]:.0f} s for {runs * 27:,} runs.

![Figure 1](img/march_figure1.png)

{_markdown(table)}

95% confidence half-widths are at most {((fig1["ci_high"] - fig1["ci_low"]) / 2).max():.3f}.

### Figures 2 and 3: heterogeneous socialization

A share of employees learn fast (p1 = 0.9), the rest slowly (p1 = 0.1); p2 = 0.5.
March's finding: a mix keeps the code's knowledge high; fast learners know more
individually, and slow learners carry the exploration. In orgabm, at equilibrium
the code knows {het["equilibrium_code"].iloc[0]:.3f} with no fast learners and
{het["equilibrium_code"].iloc[-1]:.3f} with all fast; at period 20, the fast
learners know more than the slow ones in {fast_ahead} of the {len(both)} mixes.
Wall time: {timings["het"]:.0f} s.

![Heterogeneous socialization](img/march_heterogeneous.png)

{_markdown(het.drop(columns="runs"))}

### Figure 4: turnover

Code knowledge at period 20 against turnover p3, with p2 = 0.5. March's finding:
moderate turnover improves the code's knowledge when socialization is fast.
In orgabm, with p1 = 0.9, code knowledge at period 20 rises from
{turn_wide.loc[0.0, "p1 = 0.9"]:.3f} without turnover to
{turn_wide["p1 = 0.9"].max():.3f} at p3 = {turn_wide["p1 = 0.9"].idxmax()}; with
slow socialization (p1 = 0.1), {slow_sentence}. Wall time: {timings["turn"]:.0f} s.

![Turnover](img/march_turnover.png)

{_markdown(turn_wide.reset_index())}

### Figure 5: turbulence, with and without turnover

Reality flips each dimension with p4 = 0.02 per period; p1 = p2 = 0.5. March's
finding: without turnover, code knowledge rises, then decays as the world moves
away from what everyone agreed on; with turnover p3 = 0.1, newcomers bring the
variety that keeps it up. Wall time: {timings["turb"]:.0f} s.

![Turbulence](img/march_turbulence.png)

{_markdown(turb_at.reset_index())}

{others["text"]}
"""
    path = out / "validation.md"
    path.write_text(text, encoding="utf-8")
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``orgabm validate-suite``."""
    parser.add_argument(
        "--runs", type=int, default=1000, help="March: runs per point (default 1000)"
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


def run(args: argparse.Namespace, error) -> int:
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


def _markdown(frame: pd.DataFrame) -> str:
    """A Markdown table: the first column (the parameter) as given, the rest to 3 decimals."""
    first = str(frame.columns[0])
    return markdown_table(frame, columns={first: lambda v: f"{v:g}"})
