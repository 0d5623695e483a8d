"""The published models orgabm generalizes, besides March: Lazer and Friedman (2007),
Fang, Lee and Schilling (2010), Miller, Zhao and Calantone (2006).

Each experiment is a scenario in ``scenarios/validation/`` run as a sweep; the
functions return tables of means with 95% confidence intervals. The tests call
them with fewer runs; ``orgabm validate-suite`` with the full counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from ..analysis.figures import figure
from ..analysis.stats import curves, first_lead, group_means, mean_ci
from ..analysis.tables import decimals
from ..batch.store import Store
from ..engine.model import OrgModel
from ..scenario import load_scenario
from .sweeps import run_experiment
from .texts import Finding, finding, phrase

#: Table cells: three decimals, whole numbers (counts, rounds) as written.
CELL = decimals(3, whole=True, nan="nan")

__all__ = [
    "CELL",
    "FANG_VARIANTS",
    "LF_EXPERIMENTS",
    "LF_TITLES",
    "Finding",
    "SolutionModel",
    "TacitModel",
    "curve_at",
    "fang",
    "lazer_friedman",
    "miller",
    "paired_gaps",
    "plot_curves",
    "plot_fang",
    "plot_miller",
]

NETWORK = "organization.network.kind"
VELOCITY = "leadership.knowledge_sharing"
COPY_ERROR = "calibration.copy_error"
REWIRE = "organization.network.rewire"
DENSITY = "organization.network.density"
CROSS = "organization.network.cross_team_ties"
P5 = "leadership.knowledge_sharing"

#: Lazer and Friedman's experiments: scenario file -> the points it sweeps.
LF_EXPERIMENTS: dict[str, list[dict[str, Any]]] = {
    "lazer_friedman_networks": [{NETWORK: "line"}, {NETWORK: "complete"}],
    "lazer_friedman_velocity": [
        {NETWORK: net, VELOCITY: v} for net in ("line", "complete") for v in (1.0, 0.5, 0.2, 0.1)
    ],
    "lazer_friedman_copy_error": [
        {NETWORK: net, COPY_ERROR: e} for net in ("line", "complete") for e in (0.0, 0.2)
    ],
    "lazer_friedman_k0": [{NETWORK: "line"}, {NETWORK: "complete"}],
    "lazer_friedman_small_world": [{REWIRE: r} for r in (0.0, 0.01, 0.05, 0.1, 0.25, 1.0)],
    "lazer_friedman_density": [{DENSITY: d} for d in (0.02, 0.05, 0.1, 0.25, 0.5, 1.0)],
}

#: Lazer and Friedman's experiments: the columns a plot and table split by, and a title.
LF_TITLES = {
    "lazer_friedman_networks": ("network", "linear against totally connected"),
    "lazer_friedman_velocity": ("network velocity", "velocity"),
    "lazer_friedman_copy_error": ("network copy_error", "copying error"),
    "lazer_friedman_k0": ("network", "a smooth landscape, K = 0"),
    "lazer_friedman_small_world": ("rewire", "small worlds: rewired shortcuts"),
    "lazer_friedman_density": ("density", "random networks by density"),
}

#: Fang et al.: cross-group tie probabilities, on a log scale.
FANG_CROSS = (0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
#: Fang et al.'s robustness: the task and the world the inverted U should survive
#: (the paper's claim), as overrides of ``fang_2010``; the first is the experiment itself.
FANG_VARIANTS: dict[str, dict[str, Any]] = {
    "March's reality, m = 100": {},
    "NK, N = 16, K = 5": {"environment.kind": "nk", "environment.dimensions": 16,
                          "environment.k": 5, "workforce.beliefs": "decided"},
    "turbulence p4 = 0.01": {"environment.turbulence": 0.01},
    "turnover p3 = 0.01": {"workforce.turnover": 0.01},
}  # fmt: skip
#: Miller et al.: interpersonal learning rates p5.
MILLER_P5 = (0.0, 0.05, 0.1, 0.3, 0.5, 0.9)


class SolutionModel(OrgModel):
    """Also records the mean score of employees' current solutions (their beliefs)."""

    extra_metrics: ClassVar[dict] = {
        "solution_score": lambda model: float(
            model.reality.performance(model.beliefs, memo="beliefs").mean()
        ),
    }


def _knowledge_on(tacit: bool):
    def measure(model: OrgModel) -> float:
        cut = model.codifiable if model.codifiable is not None else model.dimensions
        part = slice(cut, None) if tacit else slice(0, cut)
        truth = model.reality.values[part].astype(np.int32)
        if len(truth) == 0:
            return float("nan")
        return float((model.beliefs[:, part] @ truth).mean()) / len(truth)

    return measure


class TacitModel(OrgModel):
    """Also records knowledge on the tacit and on the codifiable dimensions apart."""

    extra_metrics: ClassVar[dict] = {
        "tacit_knowledge": _knowledge_on(True),
        "codifiable_knowledge": _knowledge_on(False),
    }


def _sweep(
    name: str,
    points: list[dict[str, Any]],
    runs: int,
    seed: int,
    workers: int | None,
    progress: bool | None,
    keep: Path | None,
    model: str | None = None,
    common_seeds: bool = False,
    metrics: list[str] | None = None,
    folder: str | None = None,
) -> Store:
    """Run ``scenarios/validation/<name>.yaml`` over ``points`` (in ``keep/<folder>``,
    ``folder`` defaulting to ``name``, if given), recording ``metrics``."""
    return run_experiment(folder or name, load_scenario(f"validation/{name}"), points, runs,
                          seed, workers, progress, keep, model, common_seeds, metrics)  # fmt: skip


# --------------------------------------------------------------------------- experiments
def lazer_friedman(
    name: str = "lazer_friedman_networks",
    runs: int = 300,
    seed: int = 2007,
    points: list[dict[str, Any]] | None = None,
    workers: int | None = None,
    progress: bool | None = False,
    keep: Path | None = None,
) -> pd.DataFrame:
    """Mean solution score per round, for each point of one of :data:`LF_EXPERIMENTS`.

    Every point sees the same landscapes and starting solutions (common seeds):
    the environment and the beliefs are drawn before the network.
    """
    chosen = points if points is not None else LF_EXPERIMENTS[name]
    store = _sweep(name, chosen, runs, seed, workers, progress, keep,
                   model="orgabm.validation.canonical:SolutionModel",
                   common_seeds=True, metrics=["solution_score"])  # fmt: skip
    by = list(dict.fromkeys(path for point in chosen for path in point))
    steps = store.steps(columns=["run_id", "step", "solution_score", *by])
    names = {NETWORK: "network", VELOCITY: "velocity", COPY_ERROR: "copy_error",
             REWIRE: "rewire", DENSITY: "density"}  # fmt: skip
    table = curves(steps, by, "solution_score").rename(columns=names)
    reps = store.runs().set_index("run_id")["rep"]
    # every run's score by replicate: conditions share landscapes rep by rep (paired)
    table.attrs["runs"] = steps.assign(rep=steps["run_id"].map(reps)).rename(columns=names)
    return table


def fang(
    runs: int = 300,
    seed: int = 2010,
    cross: Sequence[float] = FANG_CROSS,
    workers: int | None = None,
    progress: bool | None = False,
    keep: Path | None = None,
    variants: Sequence[str] | None = None,
    common_seeds: bool = False,
    changes: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Final mean knowledge against the cross-group tie probability, for each of
    ``variants`` (names in :data:`FANG_VARIANTS`; None: the experiment alone), with
    ``changes`` (scenario paths) on top of each. Every run's value is kept in
    ``attrs["runs"]`` (variant, cross_group_ties, rep, knowledge): with ``common_seeds``,
    replicate r starts from the same reality and beliefs at every level (paired)."""
    chosen = list(variants) if variants is not None else list(FANG_VARIANTS)[:1]
    tables, every = [], []
    for i, name in enumerate(chosen):
        sets = {**FANG_VARIANTS[name], **(changes or {})}
        store = _sweep("fang_2010", [{CROSS: c, **sets} for c in cross], runs, seed, workers,
                       progress, keep, metrics=["knowledge"], common_seeds=common_seeds,
                       folder=f"fang_2010_{i}" if i else None)  # fmt: skip
        frame = store.runs()
        table = group_means(frame, [CROSS], ["knowledge"], wide=True)
        table.insert(0, "variant", name)
        tables.append(table)
        every.append(frame[[CROSS, "rep", "knowledge"]].assign(variant=name))
    out = pd.concat(tables, ignore_index=True).rename(columns={CROSS: "cross_group_ties"})
    out.attrs["runs"] = pd.concat(every, ignore_index=True).rename(
        columns={CROSS: "cross_group_ties"}
    )
    return out


def miller(
    runs: int = 300,
    seed: int = 2006,
    rates: Sequence[float] = MILLER_P5,
    workers: int | None = None,
    progress: bool | None = False,
    keep: Path | None = None,
    common_seeds: bool = False,
    changes: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Final knowledge (tacit, codifiable, the code's) against interpersonal learning p5,
    with ``changes`` (scenario paths) at every rate. Every run's values are kept in
    ``attrs["runs"]`` (p5, rep, the metrics, and ``tacit_start``, the tacit knowledge
    after the first period), its tacit knowledge step by step in ``attrs["steps"]``; with
    ``common_seeds``, replicate r starts alike at every rate (paired)."""
    metrics = ["tacit_knowledge", "codifiable_knowledge", "code_knowledge", "knowledge"]
    points = [{P5: p, **(changes or {})} for p in rates]
    store = _sweep("miller_2006", points, runs, seed, workers, progress, keep,
                   model="orgabm.validation.canonical:TacitModel", metrics=metrics,
                   common_seeds=common_seeds)  # fmt: skip
    frame = store.runs()
    table = group_means(frame, [P5], metrics, wide=True).rename(columns={P5: "p5"})
    steps = store.steps(columns=["run_id", "step", "tacit_knowledge"])
    start = steps[steps["step"] == steps["step"].min()].set_index("run_id")["tacit_knowledge"]
    table.attrs["runs"] = (
        frame[["run_id", P5, "rep", *metrics]]
        .rename(columns={P5: "p5"})
        .assign(tacit_start=frame["run_id"].map(start))
    )
    table.attrs["steps"] = steps
    return table


# --------------------------------------------------------------------------- findings
def curve_at(table: pd.DataFrame, step: int, **where: Any) -> pd.Series:
    """The row of a curves table at ``step`` for the condition ``where``."""
    rows = table[table["step"] == step]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return rows.iloc[0]


def _crossing(table: pd.DataFrame, slow: dict, fast: dict) -> int | None:
    """The first round from which ``slow`` stays at or above ``fast`` (None: never)."""
    a = table.loc[(table[list(slow)] == pd.Series(slow)).all(axis=1)].set_index("step")["mean"]
    b = table.loc[(table[list(fast)] == pd.Series(fast)).all(axis=1)].set_index("step")["mean"]
    lead = first_lead(a.to_numpy(), b.reindex(a.index).to_numpy())
    return None if lead is None else int(a.index[lead])


def _beats(a: pd.Series, b: pd.Series) -> bool:
    """Whether mean a exceeds mean b by more than the wider of their 95% half-widths."""
    half = max(a["ci_high"] - a["ci_low"], b["ci_high"] - b["ci_low"]) / 2
    return bool(a["mean"] - b["mean"] > half)


def _stat(row: pd.Series, metric: str) -> pd.Series:
    """A row's ``metric`` with its CI, as mean, ci_low, ci_high (for :func:`_beats`)."""
    return pd.Series({"mean": row[metric], "ci_low": row[f"{metric}_low"],
                      "ci_high": row[f"{metric}_high"]})  # fmt: skip


def paired_gaps(table: pd.DataFrame, step: int, a: dict, b: dict) -> np.ndarray:
    """Replicate by replicate (the same landscape and start), a's score minus b's at
    ``step``, in a table of :func:`lazer_friedman`."""
    runs = table.attrs["runs"]
    runs = runs[runs["step"] == step]

    def pick(where: dict) -> pd.Series:
        rows = runs.loc[(runs[list(where)] == pd.Series(where)).all(axis=1)]
        return rows.set_index("rep")["solution_score"]

    return (pick(a) - pick(b)).dropna().to_numpy(dtype=float)


def _paired(table: pd.DataFrame, step: int, a: dict, b: dict) -> tuple[float, float, float]:
    """Mean paired difference a - b at ``step``, with its 95% CI."""
    return mean_ci(paired_gaps(table, step, a, b))


def _ahead(table: pd.DataFrame, step: int, a: dict, b: dict) -> tuple[bool, str]:
    """Whether a scores above b at ``step`` (paired 95% CI above 0), and the difference."""
    mean, low, high = _paired(table, step, a, b)
    return bool(low > 0), phrase("paired", mean=mean, low=low, high=high)


def lf_findings(tables: dict[str, pd.DataFrame], early: int = 5, late: int = 100) -> list[Finding]:
    """Lazer and Friedman's directions, checked on the tables of :func:`lazer_friedman`."""
    out: list[Finding] = []
    line, full = {"network": "line"}, {"network": "complete"}
    if "lazer_friedman_networks" in tables:
        t = tables["lazer_friedman_networks"]
        line_e, full_e = curve_at(t, early, **line), curve_at(t, early, **full)
        line_l, full_l = curve_at(t, late, **line), curve_at(t, late, **full)
        cross = _crossing(t, line, full)
        early_ok, early_diff = _ahead(t, early, full, line)
        late_ok, late_diff = _ahead(t, late, line, full)
        out.append(finding("lf_short_run", early_ok, round=early, complete=full_e["mean"],
                           line=line_e["mean"], difference=early_diff))  # fmt: skip
        out.append(finding("lf_long_run", late_ok and cross is not None and cross <= 50,
                           round=late, line=line_l["mean"], complete=full_l["mean"],
                           difference=late_diff, crossing=cross))  # fmt: skip
    for name, key, column, low, high in (
        ("lazer_friedman_velocity", "lf_velocity", "velocity", 0.1, 1.0),
        ("lazer_friedman_copy_error", "lf_copy_error", "copy_error", 0.2, 0.0),
    ):
        if name not in tables:
            continue
        t = tables[name]
        a, b = {**full, column: low}, {**full, column: high}
        ok, diff = _ahead(t, late, a, b)
        on_line = ""
        if (t["network"] == "line").any():  # the paper's figure is of the complete network
            la, lb = {**line, column: low}, {**line, column: high}
            _, line_diff = _ahead(t, late, la, lb)
            way = phrase("higher" if _paired(t, late, la, lb)[0] > 0 else "lower")
            on_line = phrase("lf_on_line", round=late, said=column.replace("_", " "), low=low,
                             low_mean=curve_at(t, late, **la)["mean"], high=high,
                             high_mean=curve_at(t, late, **lb)["mean"], difference=line_diff,
                             way=way)  # fmt: skip
        out.append(finding(key, ok, round=late, low=low,
                           low_mean=curve_at(t, late, **a)["mean"], high=high,
                           high_mean=curve_at(t, late, **b)["mean"], difference=diff,
                           on_line=on_line))  # fmt: skip
    if "lazer_friedman_k0" in tables and "lazer_friedman_networks" in tables:
        t, base = tables["lazer_friedman_k0"], tables["lazer_friedman_networks"]
        gap0 = _paired(t, late, line, full)
        gap5 = _paired(base, late, line, full)
        out.append(finding("lf_k0", abs(gap0[0]) < 0.01 and gap5[1] > 0, round=late,
                           k0=gap0[0], k5=gap5[0]))  # fmt: skip
    for name, key, column, low, high in (
        ("lazer_friedman_small_world", "lf_small_world", "rewire", 0.0, 1.0),
        ("lazer_friedman_density", "lf_density", "density", 0.02, 1.0),
    ):
        if name not in tables:
            continue
        t = tables[name]
        sparse, dense = {column: low}, {column: high}
        early_ok, early_diff = _ahead(t, early, dense, sparse)
        late_ok, late_diff = _ahead(t, late, sparse, dense)
        out.append(finding(
            key, early_ok and late_ok, high=high, low=low,
            early=early, early_dense=curve_at(t, early, **dense)["mean"],
            early_sparse=curve_at(t, early, **sparse)["mean"], late=late,
            late_dense=curve_at(t, late, **dense)["mean"],
            late_sparse=curve_at(t, late, **sparse)["mean"], difference=late_diff))  # fmt: skip
    return out


def fang_findings(table: pd.DataFrame) -> list[Finding]:
    """Fang et al.'s inverted U: a moderate cross-group probability does best, in the
    experiment and in each variant that was run."""
    out, main = [], next(iter(FANG_VARIANTS))
    for name, part in table.groupby("variant", sort=False):
        part = part.reset_index(drop=True)
        best = part.loc[part["knowledge"].idxmax()]
        ends = part.iloc[[0, -1]]
        below = [_beats(_stat(best, "knowledge"), _stat(end, "knowledge"))
                 for _, end in ends.iterrows()]  # fmt: skip
        interior = 0 < int(part["knowledge"].to_numpy().argmax()) < len(part) - 1
        first, last = ends.iloc[0], ends.iloc[-1]
        values = {"best": best["knowledge"], "best_at": best["cross_group_ties"],
                  "first": first["knowledge"], "first_at": first["cross_group_ties"],
                  "last": last["knowledge"], "last_at": last["cross_group_ties"]}  # fmt: skip
        holds = interior and all(below)
        out.append(finding("fang", holds, **values) if name == main else
                   finding("fang_variant", holds, variant=name, **values))  # fmt: skip
    return out


def miller_findings(table: pd.DataFrame) -> list[Finding]:
    """Miller et al.: tacit knowledge spreads only through interpersonal learning."""
    none = table.iloc[0]
    some = table.iloc[1:]
    best = some.loc[some["tacit_knowledge"].idxmax()]
    fastest = table.iloc[-1]
    return [
        finding("miller_tacit",
                bool(abs(none["tacit_knowledge"]) < 0.05 and (some["tacit_knowledge"] > 0.5).all()),
                none=none["tacit_knowledge"], low=some["tacit_knowledge"].min(),
                high=some["tacit_knowledge"].max()),
        finding("miller_rate",
                bool(best["p5"] != fastest["p5"])
                and _beats(_stat(best, "tacit_knowledge"), _stat(fastest, "tacit_knowledge")),
                ours=True, fastest=fastest["tacit_knowledge"], fastest_p5=fastest["p5"],
                best=best["tacit_knowledge"], best_p5=best["p5"]),
    ]  # fmt: skip


# --------------------------------------------------------------------------- plots
def plot_curves(table: pd.DataFrame, by: Sequence[str], title: str, path: Path) -> None:
    """Mean solution score per round (with 95% bands), one line per combination of ``by``."""
    fig = figure()
    ax = fig.add_subplot()
    for key, part in table.groupby(list(by), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{name} {value}" for name, value in zip(by, key, strict=True))
        ax.plot(part["step"], part["mean"], label=label)
        ax.fill_between(part["step"], part["ci_low"], part["ci_high"], alpha=0.2)
    ax.set_xlabel("round")
    ax.set_ylabel("mean score (normalized, to the 8th power)")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, ncol=2)
    fig.savefig(path)


def plot_fang(table: pd.DataFrame, path: Path) -> None:
    """Final knowledge against the cross-group tie probability (log scale), per variant."""
    fig = figure()
    ax = fig.add_subplot()
    for name, part in table.groupby("variant", sort=False):
        errors = [part["knowledge"] - part["knowledge_low"],
                  part["knowledge_high"] - part["knowledge"]]  # fmt: skip
        ax.errorbar(part["cross_group_ties"], part["knowledge"], yerr=errors, marker="o",
                    capsize=3, label=name)  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("cross-group tie probability")
    ax.set_ylabel("mean individual knowledge, final")
    ax.set_title("Fang, Lee and Schilling (2010): subgroups", fontsize=10)
    ax.legend(fontsize=8)
    fig.savefig(path)


def plot_miller(table: pd.DataFrame, path: Path) -> None:
    """Final knowledge (tacit, codifiable, the code's) against p5."""
    fig = figure()
    ax = fig.add_subplot()
    for metric, label in (("tacit_knowledge", "employees, tacit dimensions"),
                          ("codifiable_knowledge", "employees, codifiable dimensions"),
                          ("code_knowledge", "the code (all dimensions)")):  # fmt: skip
        ax.errorbar(table["p5"], table[metric],
                    yerr=[table[metric] - table[f"{metric}_low"],
                          table[f"{metric}_high"] - table[metric]],
                    marker="o", capsize=3, label=label)  # fmt: skip
    ax.set_xlabel("interpersonal learning rate p5")
    ax.set_ylabel("knowledge, final")
    ax.set_title("Miller, Zhao and Calantone (2006): tacit knowledge", fontsize=10)
    ax.legend(fontsize=8)
    fig.savefig(path)
