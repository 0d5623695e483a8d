"""docs/validation.md from the suite's results: the prose is in ``templates/`` (the
sections, and findings.toml's findings and phrases), this module only computes the
values that fill it (:mod:`orgabm.validation.texts` refuses a text and values that
disagree)."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..analysis.tables import decimals, markdown_table
from . import canonical
from .canonical import CELL, LF_TITLES
from .landscape_theory import THEORY_N, theory_findings
from .lf_levels import levels_table, within
from .lf_readings import ENGINE_READING, LF_FIGURE_4, READINGS, engine_row, readings_findings
from .march import (
    DOCKING_TOLERANCE,
    P2_GRID,
    PUBLISHED_FIGURE_1,
    WORKIEWICZ_FIGURE_1,
    docking,
    worst_point,
)
from .texts import Finding, fill, finding, phrase

__all__ = ["SuiteResults", "fill", "render"]

#: The NK theory table's headers.
THEORY_COLUMNS = {"local_optima": "local optima", "local_optima_se": "SE of the count",
                  "optimum_fitness": "a local optimum's mean fitness",
                  "optimum_fitness_se": "SE of the fitness",
                  "walk_fitness": "fitness a greedy walk reaches",
                  "walk_fitness_se": "SE of the walk's"}  # fmt: skip


@dataclass
class SuiteResults:
    """What the report shows: every experiment's table, how the suite ran, and how long
    each part took (seconds, keyed as in :func:`orgabm.validation.suite.run_suite`)."""

    runs: int
    other_runs: int
    seed: int
    workers: int | None
    figure1: pd.DataFrame
    closest: pd.Series
    """The Figure 1 point farthest from March's value, again with ten times the runs."""
    docking_check: pd.Series
    """The point farthest from the docking reference, again with ten times the runs."""
    figure3: pd.DataFrame
    """:func:`orgabm.validation.march.figure3`: period 20 beside March's Figure 3."""
    heterogeneous: pd.DataFrame
    turnover: pd.DataFrame
    turbulence: pd.DataFrame
    lazer_friedman: dict[str, pd.DataFrame]
    lf_readings: pd.DataFrame
    """:func:`orgabm.validation.lf_readings.readings_table`: Figure 4 under each reading."""
    fang: pd.DataFrame
    miller: pd.DataFrame
    landscape_theory: pd.DataFrame
    """:func:`orgabm.validation.landscape_theory.theory_table` at N = ``THEORY_N``."""
    theory_landscapes: int
    timings: dict[str, float]
    total: float


def render(results: SuiteResults) -> str:
    """The whole of docs/validation.md."""
    others, findings = _other_models(results)
    return fill("validation.md", {**_march(results, findings), "other_models": others})


def _march(results: SuiteResults, findings: list[Finding]) -> dict[str, object]:
    """The header, the summary and March's sections: their values, formatted."""
    fig1, close, het, turn, turb = (results.figure1, results.closest, results.heterogeneous,
                                    results.turnover, results.turbulence)  # fmt: skip
    runs, timings = results.runs, results.timings
    worst = worst_point(fig1)
    wide = fig1.pivot(index="p1", columns="p2", values="mean")[list(P2_GRID)]
    table = pd.DataFrame({"p1": wide.index})
    for p2 in P2_GRID:
        table[f"orgabm p2={p2}"] = wide[p2].to_numpy()
        table[f"March p2={p2}"] = list(PUBLISHED_FIGURE_1[p2])
        table[f"Workiewicz p2={p2}"] = list(WORKIEWICZ_FIGURE_1[p2])
    dock = docking(fig1)
    far = dock.loc[dock["against_replication"].abs().idxmax()]
    check = results.docking_check
    check_gap = check["mean"] - check["replication"]
    docked = int((dock["against_replication"].abs() <= DOCKING_TOLERANCE).sum())
    apart = dock[(dock["published"] - dock["replication"]).abs() > 0.015]
    sides = int((apart["against_replication"].abs() < apart["difference"].abs()).sum())
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
        phrase("slow_turnover_falls")
        if (np.diff(slow_turn.to_numpy()) < 0).all()
        else phrase("slow_turnover_range", first=slow_turn.iloc[0], last=slow_turn.iloc[-1])
    )
    within = int((fig1["difference"].abs() <= 0.03).sum())
    printed = results.figure3.dropna(subset=["published"])
    fig3_within = int((printed["difference"].abs() <= 0.03).sum())
    fig3_worst = printed.loc[printed["difference"].abs().idxmax()]
    slow_gaps = printed[printed["metric"] == "slow_knowledge"]["difference"]
    worst_where = phrase("share_of", group=GROUP_NAMES[fig3_worst["metric"]],
                         share=fig3_worst["fast_share"])  # fmt: skip
    fast = turn_wide["p1 = 0.9"]
    march_rows = [
        finding("march_figure1", (fig1["difference"].abs() <= 0.03).all(), within=within,
                worst=worst["difference"]),
        finding("march_figure3", fig3_within == len(printed), printed=len(printed),
                within=fig3_within, worst=fig3_worst["difference"], where=worst_where),
        finding("march_figure4", fast.max() > fast.loc[0.0], none=fast.loc[0.0],
                best=fast.max(), best_p3=fast.idxmax()),
        finding("march_figure5",
                turb_at.iloc[-1, 0] < turb_peak and turb_at.iloc[-1, 1] > turb_at.iloc[-1, 0],
                without=turb_at.iloc[-1, 0], with_turnover=turb_at.iloc[-1, 1], peak=turb_peak),
        finding("march_docking", docked == 27, tolerance=DOCKING_TOLERANCE, docked=docked,
                far=far["against_replication"], z=far["z"], p1=far["p1"], p2=far["p2"],
                check=check_gap),
    ]  # fmt: skip
    summary_rows = [
        (f.experiment, phrase("ours", claim=f.published) if f.ours else f.published,
         f.observed, phrase("yes") if f.holds else phrase("no"))
        for f in march_rows + findings
    ]  # fmt: skip
    return {
        "runs": runs,
        "other_runs": results.other_runs,
        "seed": results.seed,
        "minutes": f"{results.total / 60:.1f}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "workers": results.workers or os.cpu_count(),
        "summary": markdown_table(
            pd.DataFrame(
                summary_rows,
                columns=["experiment", "published finding", "orgabm", "reproduced"],
            ),
            str,
        ),
        "worst_difference": f"{worst['difference']:+.3f}",
        "worst_p1": worst["p1"],
        "worst_p2": worst["p2"],
        "closest_runs": f"{10 * runs:,}",
        "closest_mean": f"{close['mean']:.3f}",
        "closest_ci_low": f"{close['ci_low']:.3f}",
        "closest_ci_high": f"{close['ci_high']:.3f}",
        "closest_difference": f"{close['difference']:+.3f}",
        "closest_seconds": f"{timings['close']:.0f}",
        "within": within,
        "figure1_seconds": f"{timings['fig1']:.0f}",
        "figure1_runs": f"{runs * 27:,}",
        "figure1_table": _markdown(table),
        "figure1_half_width": f"{((fig1['ci_high'] - fig1['ci_low']) / 2).max():.3f}",
        "docking_tolerance": DOCKING_TOLERANCE,
        "docking_z_max": f"{dock['z'].abs().max():.1f}",
        "docked": docked,
        "docking_far": f"{far['against_replication']:+.3f}",
        "docking_far_z": f"{far['z']:+.1f}",
        "docking_far_p1": far["p1"],
        "docking_far_p2": far["p2"],
        "docking_check_mean": f"{check['mean']:.3f}",
        "docking_check_ci_low": f"{check['ci_low']:.3f}",
        "docking_check_ci_high": f"{check['ci_high']:.3f}",
        "docking_check_gap": f"{check_gap:+.3f}",
        "docking_check_seconds": f"{timings['dock_check']:.0f}",
        "references_apart": len(apart),
        "references_apart_points": ", ".join(
            phrase(
                "references_point",
                p1=r.p1,
                p2=r.p2,
                published=r.published,
                replication=r.replication,
            )
            for r in apart.itertuples()
        ),
        "references_sides": sides,
        "heterogeneous_none": f"{het['equilibrium_code'].iloc[0]:.3f}",
        "heterogeneous_all": f"{het['equilibrium_code'].iloc[-1]:.3f}",
        "fast_ahead": fast_ahead,
        "mixes": len(both),
        "heterogeneous_seconds": f"{timings['het']:.0f}",
        "heterogeneous_table": _markdown(het),
        "figure3_within": fig3_within,
        "figure3_above": int((printed["difference"] > 0).sum()),
        "figure3_slow_gap": f"{slow_gaps.mean():+.3f}",
        "figure3_printed": len(printed),
        "figure3_worst": f"{fig3_worst['difference']:+.3f}",
        "figure3_worst_where": worst_where,
        "figure3_seconds": f"{timings['fig3']:.0f}",
        "figure3_table": _figure3_table(printed),
        "turnover_fast_none": f"{turn_wide.loc[0.0, 'p1 = 0.9']:.3f}",
        "turnover_fast_best": f"{turn_wide['p1 = 0.9'].max():.3f}",
        "turnover_fast_best_p3": turn_wide["p1 = 0.9"].idxmax(),
        "turnover_slow": slow_sentence,
        "turnover_seconds": f"{timings['turn']:.0f}",
        "turnover_table": _markdown(turn_wide.reset_index()),
        "turbulence_seconds": f"{timings['turb']:.0f}",
        "turbulence_table": _markdown(turb_at.reset_index()),
    }


def _other_models(results: SuiteResults) -> tuple[str, list[Finding]]:
    """Lazer and Friedman's, Fang et al.'s and Miller et al.'s sections, and their findings."""
    tables, fang, miller, timings = (results.lazer_friedman, results.fang, results.miller,
                                     results.timings)  # fmt: skip
    lf, fa, mi = (canonical.lf_findings(tables), canonical.fang_findings(fang),
                  canonical.miller_findings(miller))  # fmt: skip
    theory = results.landscape_theory
    nk = theory_findings(theory)
    engine = engine_row(tables["lazer_friedman_networks"])
    readings = results.lf_readings
    levels = readings_findings(engine, readings)
    printed = levels_table(tables)
    met, count = within(printed)
    worst = printed.loc[printed["difference"].abs().idxmax()]
    levels.insert(0, finding("lf_published_levels", met == count, count=count, met=met,
                             worst=worst["difference"], figure=worst["figure"],
                             what=worst["what"]))  # fmt: skip
    fang_cols = fang[
        ["variant", "cross_group_ties", "runs", "knowledge", "knowledge_low", "knowledge_high"]
    ]
    miller_cols = miller[["p5", "runs", "tacit_knowledge", "codifiable_knowledge",
                          "code_knowledge"]]  # fmt: skip
    text = fill("other_models.md", {
        "runs": results.other_runs,
        "lf_findings": _bullets(lf),
        "levels_findings": _bullets(levels),
        "levels_met": met,
        "levels_count": count,
        "levels_table": _levels_markdown(printed),
        "readings_table": _readings_table(engine, readings),
        "readings_list": "\n".join(phrase("reading_bullet", name=name, what=what)
                                    for name, what in READINGS.items()),
        "readings_seconds": f"{timings['readings']:.0f}",
        "readings_verdict": _readings_verdict(engine, readings),
        "lf_count": len(tables),
        "lf_seconds": f"{sum(timings[name] for name in canonical.LF_EXPERIMENTS):.0f}",
        "lf_sections": "\n".join(_lazer_friedman(name, table, timings[name])
                                 for name, table in tables.items()),
        "fang_findings": _bullets(fa),
        "fang_seconds": f"{timings['fang']:.0f}",
        "fang_table": markdown_table(fang_cols, CELL, {"cross_group_ties": lambda v: f"{v:g}"}),
        "miller_findings": _bullets(mi),
        "miller_seconds": f"{timings['miller']:.0f}",
        "miller_table": markdown_table(miller_cols, CELL),
        "theory_findings": _bullets(nk),
        "theory_n": THEORY_N,
        "theory_landscapes": results.theory_landscapes,
        "theory_seconds": f"{timings['theory']:.0f}",
        "theory_table": markdown_table(
            theory.drop(columns="theory").rename(columns=THEORY_COLUMNS), decimals(4),
            {"K": lambda v: f"{v:g}", "local optima": lambda v: f"{v:.1f}",
             "SE of the count": lambda v: f"{v:.2f}"}),
    })  # fmt: skip
    return text, lf + levels + fa + mi + nk


def _levels_markdown(printed: pd.DataFrame) -> str:
    """The published numbers beside orgabm's, one row each."""
    frame = pd.DataFrame({
        "figure": printed["figure"], "what": printed["what"], "round": printed["round"],
        "published": printed["published"], "orgabm": printed["orgabm"],
        "95% CI": [f"{lo:.3f} to {hi:.3f}" for lo, hi in zip(printed["ci_low"],
                                                           printed["ci_high"], strict=True)],
        "difference": [f"{d:+.3f}" for d in printed["difference"]],
    })  # fmt: skip
    return markdown_table(frame, CELL)


def _readings_verdict(engine: dict, readings: pd.DataFrame) -> str:
    """What the readings table shows, in words."""
    closest = readings.loc[readings["largest_gap"].idxmin()]
    near = readings[readings["largest_gap"] <= 0.03]["reading"].tolist()
    parts = [phrase("readings_near", near=", ".join(near)) if near else
             phrase("readings_none_near"),
             phrase("readings_closest", reading=closest["reading"], gap=closest["largest_gap"],
                    engine=engine["largest_gap"])]  # fmt: skip
    line = LF_FIGURE_4["line_100"]
    if (readings["line_100"] + readings["line_100_half"] < line).all():
        parts.append(phrase("readings_all_below", line=line))
    ours = readings.set_index("reading").loc[ENGINE_READING]
    higher = readings[readings["line_100"] > ours["line_100"] + ours["line_100_half"]]
    if len(higher):
        parts.append(phrase("readings_higher", readings="; ".join(
            phrase("readings_higher_one", reading=r.reading, line_100=r.line_100,
                   line_10=r.line_10, early=LF_FIGURE_4["line_10"])
            for r in higher.itertuples())))  # fmt: skip
    if closest["reading"] == ENGINE_READING:
        parts.append(phrase("readings_engine_best"))
    elif closest["largest_gap"] <= 0.03:
        parts.append(phrase("readings_take", reading=closest["reading"]))
    else:
        parts.append(phrase("readings_keep", reading=closest["reading"]))
    return " ".join(parts)


def _readings_table(engine: dict, readings: pd.DataFrame) -> str:
    """Figure 4's values, orgabm's engine and each reading tried, with 95% CI half-widths."""
    keys = ["line_10", "line_30", "line_50", "line_100", "complete_100"]
    heads = ["line, round 10", "line, 30", "line, 50", "line, 100", "complete, 100"]
    rows = [["Lazer and Friedman, Fig. 4", *[f"{LF_FIGURE_4[k]:.3f}" for k in keys],
             f"{LF_FIGURE_4['crossing']}", ""]]  # fmt: skip
    for row in [engine, *readings.to_dict("records")]:
        cells = [f"{row[k]:.3f} +- {row[f'{k}_half']:.3f}" for k in keys]
        rows.append([str(row["reading"]), *cells, f"{row['crossing']:g}",
                     f"{row['largest_gap']:.3f}"])  # fmt: skip
    frame = pd.DataFrame(rows, columns=["", *heads, "line leads from", "largest gap"])
    return markdown_table(frame)


def _lazer_friedman(name: str, table: pd.DataFrame, seconds: float) -> str:
    """One Lazer and Friedman experiment's section (its plot is drawn by the suite)."""
    columns, what = LF_TITLES[name]
    wide = table[table["step"].isin([0, 10, 25, 50, 100])].pivot_table(
        index=columns.split(), columns="step", values="mean", sort=False
    )
    wide.columns = [f"round {c}" for c in wide.columns]
    return fill("lazer_friedman_experiment.md", {
        "title": f"{what[0].upper()}{what[1:]}",
        "name": name,
        "runs": int(table["runs"].min()),
        "seconds": f"{seconds:.0f}",
        "what": what,
        "table": markdown_table(wide.reset_index(), CELL),
    })  # fmt: skip


def _bullets(findings: list[Finding]) -> str:
    """Findings as a Markdown list, each marked reproduced or not."""

    def verdict(f: Finding) -> str:
        if f.ours:
            return phrase("holds" if f.holds else "does_not_hold")
        return phrase("reproduced" if f.holds else "not_reproduced")

    return "\n".join(
        phrase(
            "bullet",
            verdict=verdict(f),
            experiment=f.experiment,
            published=f.published,
            observed=f.observed,
        )
        for f in findings
    )


#: Figure 3's measures, as the report names them.
GROUP_NAMES = {"code_knowledge": "code", "fast_knowledge": "fast learners",
               "slow_knowledge": "slow learners"}  # fmt: skip


def _figure3_table(printed: pd.DataFrame) -> str:
    """Figure 3's printed values beside orgabm's, with 95% CIs, one row per value."""
    rows = pd.DataFrame({
        "share of fast learners": printed["fast_share"],
        "knowledge of": printed["metric"].map(GROUP_NAMES),
        "March": printed["published"],
        "orgabm": printed["mean"],
        "95% CI": [f"{lo:.3f} to {hi:.3f}" for lo, hi in zip(printed["ci_low"],
                                                           printed["ci_high"], strict=True)],
        "difference": [f"{d:+.3f}" for d in printed["difference"]],
    }).sort_values(["knowledge of", "share of fast learners"], kind="stable")  # fmt: skip
    return _markdown(rows)


def _markdown(frame: pd.DataFrame) -> str:
    """A Markdown table: the first column (the parameter) as given, the rest to 3 decimals."""
    first = str(frame.columns[0])
    return markdown_table(frame, columns={first: lambda v: f"{v:g}"})
