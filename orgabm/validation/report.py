"""docs/validation.md from the suite's results: the prose is in ``templates/``, this
module only computes the named, formatted values that fill it.

Keeping the text out of the code lets it be edited as Markdown; :func:`fill` refuses
a template whose placeholders and values disagree, so the two cannot drift apart.
"""

from __future__ import annotations

import os
import platform
import string
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from ..analysis.tables import decimals, markdown_table
from . import canonical
from .canonical import CELL, LF_TITLES, Finding
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

__all__ = ["SuiteResults", "fill", "render"]

TEMPLATES = resources.files("orgabm.validation") / "templates"
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


def fill(name: str, values: Mapping[str, object]) -> str:
    """``templates/<name>`` with its ``{placeholders}`` filled from ``values``.

    Raises KeyError when a placeholder has no value or a value no placeholder: either
    means the template and the code went out of step.
    """
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    fields = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    if fields != set(values):
        missing, unused = sorted(fields - set(values)), sorted(set(values) - fields)
        raise KeyError(f"templates/{name}: no value for {missing}, no placeholder for {unused}")
    return text.format_map(values)


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
        "turnover lowers it at every rate tried"
        if (np.diff(slow_turn.to_numpy()) < 0).all()
        else f"it goes from {slow_turn.iloc[0]:.3f} to {slow_turn.iloc[-1]:.3f}"
    )
    within = int((fig1["difference"].abs() <= 0.03).sum())
    printed = results.figure3.dropna(subset=["published"])
    fig3_within = int((printed["difference"].abs() <= 0.03).sum())
    fig3_worst = printed.loc[printed["difference"].abs().idxmax()]
    slow_gaps = printed[printed["metric"] == "slow_knowledge"]["difference"]
    march_rows = [
        ("March (1991) Fig. 1", "each of the 27 points within 0.03 of the published value",
         f"{within} of 27 within 0.03 (worst {worst['difference']:+.3f})",
         bool((fig1["difference"].abs() <= 0.03).all())),
        ("March (1991) Fig. 3", f"each of the {len(printed)} values printed at period 20 "
         "within 0.03", f"{fig3_within} of {len(printed)} within 0.03 (worst "
         f"{fig3_worst['difference']:+.3f}, {GROUP_NAMES[fig3_worst['metric']]} at share "
         f"{fig3_worst['fast_share']:g})", fig3_within == len(printed)),
        ("March (1991) Fig. 4", "moderate turnover improves code knowledge under fast "
         "socialization", f"p1 = 0.9: {turn_wide.loc[0.0, 'p1 = 0.9']:.3f} without turnover, "
         f"{turn_wide['p1 = 0.9'].max():.3f} at p3 = {turn_wide['p1 = 0.9'].idxmax()}",
         bool(turn_wide["p1 = 0.9"].max() > turn_wide.loc[0.0, "p1 = 0.9"])),
        ("March (1991) Fig. 5", "under turbulence, code knowledge decays without turnover "
         "and is sustained with it", f"period 100: {turb_at.iloc[-1, 0]:.3f} without, "
         f"{turb_at.iloc[-1, 1]:.3f} with turnover (peak without: {turb_peak:.3f})",
         bool(turb_at.iloc[-1, 0] < turb_peak and turb_at.iloc[-1, 1] > turb_at.iloc[-1, 0])),
        ("March (1991) Fig. 1, docking", "*an independent replication, not the paper:* "
         f"each point within {DOCKING_TOLERANCE} of Workiewicz's "
         "(10,000 runs per point)", f"{docked} of 27 (largest {far['against_replication']:+.3f}"
         f", {far['z']:+.1f} SE, at p1 = {far['p1']}, p2 = {far['p2']}; with ten times "
         f"the runs and other seeds: {check_gap:+.3f})", docked == 27),
    ]  # fmt: skip
    summary_rows = march_rows + [
        (f.experiment, f"*not published, orgabm's own check:* {f.published}" if f.ours
         else f.published, f.observed, f.holds)
        for f in findings
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
                [
                    (name, published, observed, "yes" if holds else "**no**")
                    for name, published, observed, holds in summary_rows
                ],
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
            f"p1 = {r.p1}, p2 = {r.p2} ({r.published:.3f} against {r.replication:.3f})"
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
        "figure3_worst_where": f"{GROUP_NAMES[fig3_worst['metric']]} at share "
        f"{fig3_worst['fast_share']:g}",
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
    levels.insert(0, Finding(
        "published levels", f"each of the {count} numbers the figures and Table B.1 print "
        "within 0.03", f"{met} of {count} within 0.03 (worst {worst['difference']:+.3f}: "
        f"{worst['figure']}, {worst['what']})", met == count))  # fmt: skip
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
        "readings_list": "\n".join(f"- *{name}*: {what}" for name, what in READINGS.items()),
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
    first = (f"Within 0.03 of all five published scores: {', '.join(near)}." if near else
             "No reading tried comes within 0.03 of all five published scores.")  # fmt: skip
    worst = f"{closest['largest_gap']:.3f}"
    parts = [first, f"The closest, *{closest['reading']}*, is {worst} from the figure at "
             f"its worst (the engine: {engine['largest_gap']:.3f})."]  # fmt: skip
    line = LF_FIGURE_4["line_100"]
    if (readings["line_100"] + readings["line_100_half"] < line).all():
        parts.append(f"Every reading leaves the line network's round-100 score below the "
                     f"published {line}, beyond its CI.")  # fmt: skip
    ours = readings.set_index("reading").loc[ENGINE_READING]
    higher = readings[readings["line_100"] > ours["line_100"] + ours["line_100_half"]]
    if len(higher):
        early = LF_FIGURE_4["line_10"]
        parts.append("Those that raise it beyond the CI of orgabm's reading on the same "
                     "landscapes: " + "; ".join(
            f"*{r.reading}*, {r.line_100:.3f} at round 100 and {r.line_10:.3f} at round 10 "
            f"(published {early})" for r in higher.itertuples()) + ".")  # fmt: skip
    if closest["reading"] == ENGINE_READING:
        parts.append("The engine's reading fits best of those tried.")
    elif closest["largest_gap"] <= 0.03:
        parts.append(f"*{closest['reading']}* reaches the figure: the engine should take it.")
    else:
        parts.append(f"The engine keeps its reading: *{closest['reading']}* fits better but "
                     "still misses the figure, and taking it would change every NK "
                     "experiment's numbers.")  # fmt: skip
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
            return f"{'Holds' if f.holds else 'Does not hold'}, not a published finding"
        return "Reproduced" if f.holds else "Not reproduced"

    return "\n".join(
        f"- **{verdict(f)}** ({f.experiment}): {f.published}. orgabm: {f.observed}."
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
