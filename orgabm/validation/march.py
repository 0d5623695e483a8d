"""March (1991) reproduced: the experiments of its Figures 1 to 5, and their plots.

Each experiment is ``scenarios/validation/march_<experiment>.yaml`` run as a sweep;
the functions return tables of means with 95% confidence intervals. The tests call
them on fewer points and runs; :mod:`orgabm.validation.suite` with the full counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..analysis.figures import figure
from ..analysis.stats import curves, group_means
from ..engine.model import OrgModel
from ..scenario import Scenario, load_scenario
from .sweeps import run_experiment

__all__ = [
    "DOCKING_TOLERANCE",
    "FIGURE_3_SHARES",
    "P1_GRID",
    "P2_GRID",
    "PUBLISHED_FIGURE_1",
    "PUBLISHED_FIGURE_3",
    "WORKIEWICZ_FIGURE_1",
    "GroupKnowledgeModel",
    "docking",
    "figure1",
    "figure3",
    "heterogeneous",
    "plot_figure1",
    "plot_heterogeneous",
    "plot_turbulence",
    "plot_turnover",
    "turbulence",
    "turnover",
    "worst_point",
]

P1, P2 = "leadership.socialization", "leadership.code_learning"
P3, SHARE = "workforce.turnover", "workforce.fast_learners.share"
P1_GRID = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
P2_GRID = (0.9, 0.5, 0.1)

#: March (1991), Figure 1: equilibrium code knowledge, read off the figure
#: (March 1991, p. 77; each value to about +-0.01).
PUBLISHED_FIGURE_1: dict[float, tuple[float, ...]] = {
    0.9: (0.978, 0.949, 0.911, 0.887, 0.854, 0.803, 0.769, 0.743, 0.750),
    0.5: (0.954, 0.918, 0.873, 0.835, 0.795, 0.777, 0.780, 0.752, 0.745),
    0.1: (0.857, 0.813, 0.803, 0.787, 0.800, 0.815, 0.804, 0.802, 0.793),
}

#: An independent replication of Figure 1, for docking: Workiewicz's paper-following
#: Python code (repository Mac13kW/March_1991_Original), 10,000 runs per point, each run
#: to equilibrium (its time limit of 100 periods binds only with turnover or turbulence).
WORKIEWICZ_FIGURE_1: dict[float, tuple[float, ...]] = {
    0.9: (0.972, 0.940, 0.908, 0.874, 0.840, 0.807, 0.780, 0.756, 0.728),
    0.5: (0.954, 0.909, 0.869, 0.837, 0.811, 0.787, 0.768, 0.754, 0.742),
    0.1: (0.863, 0.817, 0.805, 0.802, 0.799, 0.803, 0.806, 0.809, 0.813),
}
WORKIEWICZ_RUNS = 10_000
#: Docking's criterion: at every point, orgabm within this of the replication (with at
#: least 1,500 runs per point, orgabm's 95% half-width is about 0.007 at worst).
DOCKING_TOLERANCE = 0.012

#: March (1991), Figure 3: knowledge at period 20 (p2 = 0.5) against the share of fast
#: learners (p1 = 0.9) among slow ones (p1 = 0.1), read off the figure (+-0.005; 80 runs per
#: point in the paper). NaN: not printed.
FIGURE_3_SHARES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
_NA = float("nan")
PUBLISHED_FIGURE_3: dict[str, tuple[float, ...]] = {
    "code_knowledge": (0.768, 0.769, 0.781, 0.773, 0.773, 0.780, 0.749, 0.747, 0.743, 0.743,
                       0.729),
    "fast_knowledge": (_NA, 0.754, _NA, _NA, _NA, 0.770, _NA, _NA, _NA, 0.727, _NA),
    "slow_knowledge": (0.478, 0.511, 0.510, 0.515, 0.515, 0.532, 0.517, 0.514, 0.523, 0.525,
                       _NA),
}  # fmt: skip
_GROUPS = list(PUBLISHED_FIGURE_3)


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
    store = run_experiment(name, march(), sweep_points, runs, seed, workers, progress, keep,
                           metrics=["code_knowledge"])  # fmt: skip
    table = group_means(store.runs(), [P1, P2], ["code_knowledge"]).drop(columns="metric")
    table = table.rename(columns={P1: "p1", P2: "p2"})
    table["published"] = [PUBLISHED_FIGURE_1[p2][P1_GRID.index(p1)]
                          for p1, p2 in zip(table["p1"], table["p2"], strict=True)]  # fmt: skip
    table["difference"] = table["mean"] - table["published"]
    table["replication"] = [WORKIEWICZ_FIGURE_1[p2][P1_GRID.index(p1)]
                            for p1, p2 in zip(table["p1"], table["p2"], strict=True)]  # fmt: skip
    return table


def docking(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`figure1`'s table with orgabm's difference from the replication, in combined
    standard errors (``z``): orgabm's from its runs' 95% CI, the replication's from
    orgabm's spread at the replication's run count (it publishes no spread)."""
    from scipy import stats

    out = table.copy()
    t = stats.t.ppf(0.975, out["runs"] - 1)
    se = (out["ci_high"] - out["ci_low"]) / 2 / t
    se_replication = se * np.sqrt(out["runs"] / WORKIEWICZ_RUNS)
    out["against_replication"] = out["mean"] - out["replication"]
    out["z"] = out["against_replication"] / np.hypot(se, se_replication)
    return out


def worst_point(table: pd.DataFrame) -> pd.Series:
    """The Figure 1 point farthest from March's published value (the suite runs it again)."""
    return table.loc[table["difference"].abs().idxmax()]


def figure3(
    runs: int = 400,
    seed: int = 1991,
    shares: Sequence[float] = FIGURE_3_SHARES,
    period: int = 20,
    workers: int | None = None,
    progress: bool | None = False,
    keep: Path | None = None,
) -> pd.DataFrame:
    """Figure 3: the code's, the fast learners' and the slow learners' knowledge at
    ``period`` for each share of fast learners, each beside March's value where the figure
    prints one (at period 20). One row per share and measure (``metric``): runs, mean,
    95% CI, ``published`` and ``difference``."""
    base = march("heterogeneous").model_copy(update={"steps": period, "stop_at_equilibrium": False})
    store = run_experiment("heterogeneous_period", base, [{SHARE: s} for s in shares], runs,
                           seed, workers, progress, keep,
                           model="orgabm.validation.march:GroupKnowledgeModel",
                           metrics=_GROUPS)  # fmt: skip
    table = group_means(store.runs(), [SHARE], _GROUPS).rename(columns={SHARE: "fast_share"})
    table = table.dropna(subset=["mean"]).reset_index(drop=True)  # no such group at 0 or 1
    printed = {(s, m): PUBLISHED_FIGURE_3[m][i] for m in _GROUPS
               for i, s in enumerate(FIGURE_3_SHARES)}  # fmt: skip
    keys = zip(table["fast_share"], table["metric"], strict=True)
    table["published"] = [printed.get(key, _NA) if period == 20 else _NA for key in keys]
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
    at_period: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Figures 2 and 3: a share of fast learners (p1 = 0.9) among slow ones (p1 = 0.1), p2 = 0.5.

    Equilibrium code knowledge for each of ``shares``, and code and group knowledge at
    ``period`` from ``at_period`` (:func:`figure3`'s table; None: run it on ``shares``).
    A share that only one of them ran is blank in the other's columns.
    """
    eq = run_experiment("heterogeneous_equilibrium", march("heterogeneous"),
                        [{SHARE: s} for s in shares], runs, seed, workers, progress, keep,
                        metrics=["code_knowledge"])  # fmt: skip
    if at_period is None:
        at_period = figure3(runs, seed, shares, period, workers, progress, keep)
    mid = at_period.pivot(index="fast_share", columns="metric", values="mean")
    mid = mid.reindex(columns=_GROUPS).rename(columns={"code_knowledge": "code_at_period"})
    table = pd.DataFrame({
        "equilibrium_code": eq.runs().groupby(SHARE)["code_knowledge"].mean(),
    }).join(mid, how="outer")  # fmt: skip
    table.index.name = "fast_share"
    return table.reset_index()


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
    store = run_experiment("turnover", march("turnover", steps=period), points, runs, seed,
                           workers, progress, keep, metrics=["code_knowledge"])  # fmt: skip
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
    store = run_experiment("turbulence", base, points, runs, seed, workers, progress, keep,
                           metrics=["code_knowledge"])  # fmt: skip
    steps = store.steps(columns=["run_id", "step", "code_knowledge", P3])
    return curves(steps, [P3], "code_knowledge").rename(columns={P3: "p3"})


# --------------------------------------------------------------------------- plots
def plot_figure1(table: pd.DataFrame, path: Path) -> None:
    """orgabm's Figure 1 (lines with 95% CI) beside March's published points and an
    independent replication's."""
    fig = figure()
    ax = fig.add_subplot()
    for p2, color in zip(P2_GRID, ("tab:blue", "tab:orange", "tab:green"), strict=True):
        part = table[table["p2"] == p2]
        ax.plot(part["p1"], part["mean"], color=color, marker="o", label=f"orgabm, p2 = {p2}")
        ax.fill_between(part["p1"], part["ci_low"], part["ci_high"], color=color, alpha=0.2)
        ax.plot(part["p1"], part["published"], color=color, ls="none", marker="x", ms=8,
                label=f"March (1991), p2 = {p2}")  # fmt: skip
        ax.plot(part["p1"], part["replication"], color=color, ls="none", marker="+", ms=10,
                label=f"Workiewicz's replication, p2 = {p2}")  # fmt: skip
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
    settled = table.dropna(subset=["equilibrium_code"])
    ax.plot(settled["fast_share"], settled["equilibrium_code"], marker="o",
            label="code, at equilibrium")  # fmt: skip
    ax.plot(x, table["code_at_period"], marker="o", label=f"code, period {period}")
    ax.plot(
        x, table["fast_knowledge"], marker="s", ls="--", label=f"fast learners, period {period}"
    )
    ax.plot(
        x, table["slow_knowledge"], marker="s", ls="--", label=f"slow learners, period {period}"
    )
    if period == 20:
        for i, values in enumerate(PUBLISHED_FIGURE_3.values()):
            ax.plot(FIGURE_3_SHARES, values, ls="none", marker="+", ms=9, color=f"C{i + 1}",
                    label="March (1991)" if i == 0 else None)  # fmt: skip
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
