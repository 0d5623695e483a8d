"""Reports on a sweep's results: confidence intervals, plots, one self-contained HTML page.

``orgabm report DIR`` writes ``DIR/report.html`` (images embedded, so the page
can be mailed) and the same plots as PNG files in ``DIR/report_files/``, with
the table as CSV (one row per point and metric).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..batch.store import Results, StoreError, load_results
from .errors import ReportError, ReportParameterError
from .figures import figure, png
from .stats import group_means, half_width, mean_ci

__all__ = ["ReportError", "point_table", "write_report"]

DEFAULT_METRICS = ("code_knowledge", "knowledge", "performance")
#: Columns of runs.parquet that are not metrics.
RESERVED = {"run_id", "seed", "rep", "steps", "equilibrium", "error"}
#: A varied path is treated as sampled (and binned) when it has more distinct values than
#: this and nearly as many values as points: a Latin hypercube or Sobol design.
MAX_LEVELS = 12
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
    "figure{display:inline-block;margin:0.5em;max-width:48%;vertical-align:top}"
    "figcaption{font-size:13px;color:#444}img{max-width:100%}.warn{color:#a00}"
)


def point_table(runs: pd.DataFrame, varied: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """Per parameter point and metric: mean, 95% CI (t) and n over the successful runs."""
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    table = group_means(ok, varied, metrics, count="n", sort=True)
    return table[[*varied, "metric", "mean", "ci_low", "ci_high", "n"]]


def _sampled(column: pd.Series, points: int) -> bool:
    distinct = column.nunique()
    return pd.api.types.is_numeric_dtype(column) and distinct > MAX_LEVELS and distinct > points / 2


def _binned(values: pd.Series, bins: int = 10) -> pd.Series:
    """Sampled values as the midpoints of equal-width bins."""
    edges = np.linspace(values.min(), values.max(), bins + 1)
    index = np.clip(np.digitize(values, edges[1:-1]), 0, bins - 1)
    return pd.Series((edges[index] + edges[index + 1]) / 2, index=values.index)


def _label(value) -> str:
    return f"{value:g}" if isinstance(value, float | np.floating) else str(value)


def _effect_plot(ok: pd.DataFrame, x: str, by: str | None, metric: str, sampled: bool) -> bytes:
    """A metric's final value against x with its 95% band; a line per value of ``by``."""
    fig = figure(6.4, 4.0, dpi=100)
    ax = fig.add_subplot()
    xs_all = _binned(ok[x]) if sampled else ok[x]
    frame = ok.assign(_x=xs_all)
    if sampled:
        means = ok.groupby(x)[metric].mean()
        ax.scatter(means.index, means.to_numpy(), s=10, alpha=0.5, label="each point's mean")
    groups = [(None, frame)] if by is None else list(frame.groupby(by))
    numeric = pd.api.types.is_numeric_dtype(frame["_x"])
    for value, part in groups:
        table = part.groupby("_x")[metric].apply(lambda s: mean_ci(s.to_numpy(dtype=float)))
        xs = np.array(table.index, dtype=float) if numeric else np.arange(len(table))
        mean = np.array([t[0] for t in table])
        lo, hi = np.array([t[1] for t in table]), np.array([t[2] for t in table])
        label = "binned mean" if sampled and by is None else (
            None if by is None else f"{by} = {_label(value)}")  # fmt: skip
        ax.plot(xs, mean, marker="o", label=label)
        ax.fill_between(xs, lo, hi, alpha=0.2)
        if not numeric:
            ax.set_xticks(xs, [str(v) for v in table.index])
    ax.set_xlabel(x)
    ax.set_ylabel(f"{metric} (final)")
    ax.set_title(f"{metric} against {x}")
    if by is not None or sampled:
        ax.legend(fontsize=8)
    return png(fig)


def _heatmap(ok: pd.DataFrame, x: str, y: str, metric: str, sampled: bool) -> bytes:
    """Mean final metric over two varied paths (a scatter for sampled designs)."""
    fig = figure(6.4, 4.6, dpi=100)
    ax = fig.add_subplot()
    image: Any  # a scatter's collection or an image: either carries the colour bar
    if sampled:
        means = ok.groupby([x, y])[metric].mean().reset_index()
        image = ax.scatter(means[x], means[y], c=means[metric], cmap="viridis", s=28)
    else:
        grid = ok.pivot_table(index=y, columns=x, values=metric, aggfunc="mean")
        image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(grid.columns)), [_label(v) for v in grid.columns], rotation=45)
        ax.set_yticks(range(len(grid.index)), [_label(v) for v in grid.index])
        if grid.size <= 100:
            for (i, j), value in np.ndenumerate(grid.to_numpy()):
                if np.isfinite(value):
                    ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color="w")
    fig.colorbar(image, ax=ax, label=f"{metric} (final, mean)")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{metric}: mean final value")
    return png(fig)


def _envelope(steps: pd.DataFrame, x: str | None, metric: str, sampled: bool) -> bytes:
    """A metric over time: mean and 95% band across runs, a line per value of x.

    A run that stopped early (at March's equilibrium) keeps its final value.
    """
    fig = figure(6.4, 4.0, dpi=100)
    ax = fig.add_subplot()
    paths = steps.pivot_table(index="run_id", columns="step", values=metric).ffill(axis=1)
    if x is None:
        groups = [(None, paths)]
    else:
        levels = steps.drop_duplicates("run_id").set_index("run_id")[x]
        levels = (_binned(levels) if sampled else levels).reindex(paths.index)
        values = sorted(levels.unique())
        if len(values) > 6:  # six levels, spread over the range
            values = [values[i] for i in np.linspace(0, len(values) - 1, 6).round().astype(int)]
        groups = [(v, paths[levels == v]) for v in values]
    for value, part in groups:
        mean, std, count = part.mean(), part.std(ddof=1).fillna(0), part.count()
        half = half_width(std, count)
        label = None if x is None else f"{x} = {_label(value)}"
        ax.plot(mean.index, mean.to_numpy(), label=label)
        ax.fill_between(mean.index, (mean - half).to_numpy(), (mean + half).to_numpy(), alpha=0.2)
    ax.set_xlabel("step")
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} over time")
    if x is not None:
        ax.legend(fontsize=8)
    return png(fig)


def _wide_table(table: pd.DataFrame, varied: Sequence[str], metrics: Sequence[str]) -> str:
    """One row per point: each metric's mean [95% CI], and n."""

    def fmt(row) -> str:
        if not np.isfinite(row["mean"]):
            return ""
        if not np.isfinite(row["ci_low"]):
            return f"{row['mean']:.3f}"
        return f"{row['mean']:.3f} [{row['ci_low']:.3f}, {row['ci_high']:.3f}]"

    keys = list(varied)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in [*keys, *metrics, "n"])
    body = []
    groups = table.groupby(keys, sort=True) if keys else [((), table)]
    for key, part in groups:
        key = key if isinstance(key, tuple) else (key,)
        by_metric = part.set_index("metric")
        cells = [html.escape(_label(k)) for k in key]
        cells += [fmt(by_metric.loc[m]) for m in metrics]
        cells.append(str(int(part["n"].max())))
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def write_report(
    root: str | Path,
    x: str | None = None,
    ys: Sequence[str] | None = None,
    out: str | Path | None = None,
) -> Path:
    """Write the HTML report (and PNGs and the CSV table beside it); returns its path."""
    try:
        results: Results = load_results(root)
    except StoreError as exc:
        raise ReportError(str(exc)) from None
    except (OSError, ValueError) as exc:
        raise ReportError(f"{root}: cannot read the results ({exc})") from None
    runs, varied = results.runs, results.varied
    if runs.empty:
        raise ReportError(f"{root}: no runs stored yet")
    metrics = [c for c in runs.columns if c not in RESERVED and c not in varied]
    if x is not None and x not in varied:
        raise ReportParameterError(
            "x", x, f"not varied in this sweep (varied: {', '.join(varied)})"
        )
    x = x or (varied[0] if varied else None)
    ys = list(ys or [m for m in DEFAULT_METRICS if m in metrics])
    for metric in ys:
        if metric not in metrics:
            raise ReportParameterError("ys", metric, "not a metric of this sweep "
                                       f"(metrics: {', '.join(metrics)})")  # fmt: skip
    out = Path(out) if out is not None else Path(root) / "report.html"
    if out.is_dir():
        raise ReportParameterError(
            "out", str(out), "is a folder; give a file name such as report.html"
        )
    if not out.parent.is_dir():
        raise ReportParameterError("out", str(out), f"folder {out.parent} does not exist")
    files = out.with_name(out.stem + "_files")
    try:
        files.mkdir(exist_ok=True)
        for old in [*files.glob("*.png"), files / "table.csv"]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        raise ReportParameterError(
            "out", str(out), f"cannot write beside it ({exc.strerror or exc})"
        ) from None

    sweep = results.manifest["sweep"]
    points = len(sweep["points"])
    ok = runs[runs["error"].isna()]
    sampled = {p: _sampled(ok[p], points) for p in varied}
    table = point_table(runs, varied, ys)
    others = [p for p in varied if p != x]
    by = others[0] if others and not sampled[others[0]] and ok[others[0]].nunique() <= 8 else None
    averaged = [p for p in others if p != by]
    figures: list[tuple[str, bytes, str]] = []
    over = f" Averaged over {', '.join(averaged)}." if averaged else ""
    binned = (
        " x is sampled, so runs are grouped in ten equal bins of x." if x and sampled[x] else ""
    )
    for metric in ys:
        if x is not None:
            lines = f", a line per {by}" if by else ""
            figures.append((f"effect_{metric}.png", _effect_plot(ok, x, by, metric, sampled[x]),
                            f"Final {metric} against {x}: mean of the runs with its 95% "
                            f"confidence band{lines}.{binned}{over}"))  # fmt: skip
        if x is not None and others:
            y2 = others[0]
            rest = [p for p in others if p != y2]
            note = f" Averaged over {', '.join(rest)}." if rest else ""
            figures.append((f"heatmap_{metric}.png",
                            _heatmap(ok, x, y2, metric, sampled[x] or sampled[y2]),
                            f"Mean final {metric} over {x} and {y2}.{note}"))  # fmt: skip
    steps = results.steps(columns=["run_id", "step", *ys, *([x] if x else [])])
    if not steps.empty:
        for metric in ys:
            note = f" Averaged over {', '.join(others)}." if others else ""
            figures.append((f"envelope_{metric}.png",
                            _envelope(steps, x, metric, bool(x and sampled[x])),
                            f"{metric} over time: mean of the runs and 95% band"
                            f"{f', a line per value of {x}' if x else ''}; a run that stopped "
                            f"early (at equilibrium) holds its final value.{note}"))  # fmt: skip
    try:
        table.to_csv(files / "table.csv", index=False)
        for name, data, _ in figures:
            (files / name).write_bytes(data)
    except OSError as exc:
        raise ReportParameterError(
            "out", str(out), f"cannot write ({exc.strerror or exc})"
        ) from None

    expected = points * sweep["reps"]
    failed = runs[runs["error"].notna()]
    status = []
    if len(runs) < expected:
        status.append(f'<p class="warn"><b>Incomplete: {len(runs):,} of {expected:,} runs are '
                      "stored.</b> Run the sweep command again to finish it.</p>")  # fmt: skip
    if len(failed):
        first = failed.iloc[0]
        status.append(f'<p class="warn"><b>{len(failed)} runs failed</b>; the first: run '
                      f"{first['run_id']}: {html.escape(str(first['error']))}</p>")  # fmt: skip
    if not status:
        status.append(f"<p>All {expected:,} runs are stored and none failed.</p>")
    versions = ", ".join(f"{k} {v}" for k, v in results.manifest.get("versions", {}).items())
    pictures = "\n".join(
        f'<figure><img alt="{html.escape(name)}" '
        f'src="data:image/png;base64,{base64.b64encode(data).decode()}">'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        for name, data, caption in figures
    )
    title = html.escape(str(root))
    name = html.escape(sweep["scenario"].get("name") or "(unnamed)")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>orgabm sweep report: {title}</title>
<style>{STYLE}</style></head><body>
<h1>Sweep report</h1>
<p>Folder <code>{title}</code>: scenario <b>{name}</b>, {points} parameter points x
{sweep["reps"]} replicates, base seed {sweep["seed"]}.
Varied: {html.escape(", ".join(varied) or "nothing")}.</p>
{"".join(status)}
<p>Versions: {html.escape(versions)}.</p>
<h2>Plots</h2>
{pictures}
<h2>Final values per point: mean [95% confidence interval (t)] and the runs n</h2>
{_wide_table(table, varied, ys)}
<p>The same numbers, one row per point and metric:
<code>{html.escape(files.name)}/table.csv</code>.</p>
</body></html>
"""
    out.write_text(page, encoding="utf-8")
    return out
