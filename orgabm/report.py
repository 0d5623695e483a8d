"""Reports on a sweep's results: confidence intervals, plots, one self-contained HTML page.

``orgabm report DIR`` writes ``DIR/report.html`` (images embedded, so the page
can be mailed) and the same plots as PNG files in ``DIR/report_files/``, with
the table as CSV.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from .metrics import METRICS
from .store import Results, load_results

__all__ = ["ReportError", "point_table", "write_report"]

DEFAULT_METRICS = ("code_knowledge", "knowledge", "performance")
STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
    "figure{display:inline-block;margin:0.5em}img{max-width:100%}"
)
#: A varied path with more distinct values than this is binned (a sampled design).
MAX_LEVELS = 12


class ReportError(ValueError):
    """A report that cannot be made as asked; the message is one line."""


def _ci(values: np.ndarray) -> tuple[float, float, float, int]:
    values = values[np.isfinite(values)]
    n = len(values)
    if n == 0:
        return np.nan, np.nan, np.nan, 0
    mean = float(values.mean())
    if n < 2:
        return mean, np.nan, np.nan, n
    half = float(stats.t.ppf(0.975, n - 1) * values.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half, n


def point_table(runs: pd.DataFrame, varied: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """Per parameter point and metric: mean, 95% CI (t) and n over the successful runs."""
    ok = runs[runs["error"].isna()] if "error" in runs else runs
    rows = []
    groups = ok.groupby(list(varied), sort=True, dropna=False) if varied else [((), ok)]
    for key, group in groups:
        key = key if isinstance(key, tuple) else (key,)
        for metric in metrics:
            mean, lo, hi, n = _ci(group[metric].to_numpy(dtype=float))
            rows.append({**dict(zip(varied, key, strict=True)), "metric": metric, "mean": mean,
                         "ci_low": lo, "ci_high": hi, "n": n})  # fmt: skip
    return pd.DataFrame(rows)


def _binned(values: pd.Series, bins: int = 10) -> pd.Series:
    """Continuous values (a sampled design) as the midpoints of equal-width bins."""
    edges = np.linspace(values.min(), values.max(), bins + 1)
    index = np.clip(np.digitize(values, edges[1:-1]), 0, bins - 1)
    return pd.Series((edges[index] + edges[index + 1]) / 2, index=values.index)


def _levels(frame: pd.DataFrame, path: str) -> pd.Series:
    column = frame[path]
    if column.nunique() > MAX_LEVELS and pd.api.types.is_numeric_dtype(column):
        return _binned(column)
    return column


def _figure(width: float = 6.4, height: float = 4.0):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), dpi=100, layout="constrained")


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _effect_plot(ok: pd.DataFrame, x: str, by: str | None, metric: str) -> bytes:
    """A metric's final value against x, with its 95% band; a line per value of ``by``."""
    fig = _figure()
    ax = fig.add_subplot()
    frame = ok.assign(_x=_levels(ok, x))
    groups = [(None, frame)] if by is None else list(frame.assign(_by=_levels(frame, by))
                                                     .groupby("_by"))  # fmt: skip
    for value, part in groups:
        table = part.groupby("_x")[metric].apply(lambda s: _ci(s.to_numpy(dtype=float)))
        xs = np.array(table.index, dtype=float) if pd.api.types.is_numeric_dtype(
            part["_x"]) else np.arange(len(table))  # fmt: skip
        mean = np.array([t[0] for t in table])
        lo, hi = np.array([t[1] for t in table]), np.array([t[2] for t in table])
        label = None if by is None else f"{by} = {value:g}" if isinstance(value, float) else (
            f"{by} = {value}")  # fmt: skip
        ax.plot(xs, mean, marker="o", label=label)
        ax.fill_between(xs, lo, hi, alpha=0.2)
        if not pd.api.types.is_numeric_dtype(part["_x"]):
            ax.set_xticks(xs, [str(v) for v in table.index])
    ax.set_xlabel(x)
    ax.set_ylabel(f"{metric} (final)")
    ax.set_title(f"{metric} against {x}, mean and 95% CI")
    if by is not None:
        ax.legend(fontsize=8)
    return _png(fig)


def _heatmap(ok: pd.DataFrame, x: str, y: str, metric: str) -> bytes:
    """Mean final metric over two varied paths."""
    frame = ok.assign(_x=_levels(ok, x), _y=_levels(ok, y))
    grid = frame.pivot_table(index="_y", columns="_x", values=metric, aggfunc="mean")
    fig = _figure(6.4, 4.6)
    ax = fig.add_subplot()
    image = ax.imshow(grid.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(grid.columns)), [f"{v:g}" if isinstance(v, float) else str(v)
                                             for v in grid.columns], rotation=45)  # fmt: skip
    ax.set_yticks(range(len(grid.index)), [f"{v:g}" if isinstance(v, float) else str(v)
                                           for v in grid.index])  # fmt: skip
    if grid.size <= 100:
        for (i, j), value in np.ndenumerate(grid.to_numpy()):
            if np.isfinite(value):
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color="w")
    fig.colorbar(image, ax=ax, label=f"{metric} (final, mean)")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(f"{metric}: mean final value")
    return _png(fig)


def _envelope(steps: pd.DataFrame, x: str | None, metric: str) -> bytes:
    """A metric over time: mean and 95% band across runs, a line per value of x.

    A run that stopped early (at March's equilibrium) keeps its final value.
    """
    fig = _figure()
    ax = fig.add_subplot()
    paths = steps.pivot_table(index="run_id", columns="step", values=metric).ffill(axis=1)
    if x is None:
        groups = [(None, paths)]
    else:
        levels = _levels(steps.drop_duplicates("run_id").set_index("run_id"), x)
        levels = levels.reindex(paths.index)
        values = sorted(levels.unique())
        if len(values) > 6:  # show six levels, spread over the range
            values = [values[i] for i in np.linspace(0, len(values) - 1, 6).round().astype(int)]
        groups = [(v, paths[levels == v]) for v in values]
    for value, part in groups:
        summary = pd.DataFrame(
            {"mean": part.mean(), "std": part.std(ddof=1), "count": part.count()}
        )
        half = 1.96 * summary["std"].fillna(0) / np.sqrt(summary["count"])
        label = None if x is None else f"{x} = {value:g}" if isinstance(value, float) else (
            f"{x} = {value}")  # fmt: skip
        ax.plot(summary.index, summary["mean"], label=label)
        ax.fill_between(summary.index, summary["mean"] - half, summary["mean"] + half, alpha=0.2)
    ax.set_xlabel("step")
    ax.set_ylabel(metric)
    ax.set_title(f"{metric} over time, mean and 95% band (stopped runs hold)")
    if x is not None:
        ax.legend(fontsize=8)
    return _png(fig)


def _html_table(table: pd.DataFrame) -> str:
    def cell(value) -> str:
        if isinstance(value, float | np.floating):
            return "" if not np.isfinite(value) else f"{value:.4g}"
        return html.escape(str(value))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def write_report(
    root: str | Path,
    x: str | None = None,
    ys: Sequence[str] | None = None,
    out: str | Path | None = None,
) -> Path:
    """Write the HTML report (and PNGs and the CSV table beside it); returns its path."""
    try:
        results: Results = load_results(root)
    except (OSError, ValueError) as exc:
        raise ReportError(f"{root}: {exc}") from None
    runs, varied = results.runs, results.varied
    if runs.empty:
        raise ReportError(f"{root}: no runs stored yet")
    metrics = [m for m in METRICS if m in runs.columns] + [
        c for c in runs.columns if c not in METRICS and c.endswith("knowledge")
        and c not in varied]  # fmt: skip
    if x is not None and x not in varied:
        raise ReportError(f"--x {x}: not varied in this sweep (varied: {', '.join(varied)})")
    x = x or (varied[0] if varied else None)
    ys = list(ys or [m for m in DEFAULT_METRICS if m in runs.columns])
    for metric in ys:
        if metric not in runs.columns:
            raise ReportError(f"--y {metric}: not a metric of this sweep "
                              f"(metrics: {', '.join(metrics)})")  # fmt: skip
    out = Path(out) if out is not None else Path(root) / "report.html"
    files = out.with_name(out.stem + "_files")
    files.mkdir(parents=True, exist_ok=True)

    ok = runs[runs["error"].isna()]
    table = point_table(runs, varied, ys)
    table.to_csv(files / "table.csv", index=False)
    others = [p for p in varied if p != x]
    by = others[0] if others and ok[others[0]].nunique() <= 8 else None
    images: list[tuple[str, bytes]] = []
    for metric in ys:
        if x is not None:
            images.append((f"effect_{metric}.png", _effect_plot(ok, x, by, metric)))
        if x is not None and others:
            images.append((f"heatmap_{metric}.png", _heatmap(ok, x, others[0], metric)))
    steps = results.steps(columns=["run_id", "step", *ys, *([x] if x else [])])
    if not steps.empty:
        for metric in ys:
            images.append((f"envelope_{metric}.png", _envelope(steps, x, metric)))
    for name, data in images:
        (files / name).write_bytes(data)

    failed = runs[runs["error"].notna()]
    sweep = results.manifest["sweep"]
    versions = ", ".join(f"{k} {v}" for k, v in results.manifest.get("versions", {}).items())
    pictures = "\n".join(
        f'<figure><img alt="{html.escape(name)}" '
        f'src="data:image/png;base64,{base64.b64encode(data).decode()}"></figure>'
        for name, data in images
    )
    failures = (
        f"<p><b>{len(failed)} runs failed</b>; the first: run {failed.iloc[0]['run_id']}: "
        f"{html.escape(str(failed.iloc[0]['error']))}</p>"
        if len(failed) else "<p>No run failed.</p>"
    )  # fmt: skip
    title = html.escape(str(root))
    name = html.escape(sweep["scenario"].get("name") or "(unnamed)")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>orgabm sweep report: {title}</title>
<style>{STYLE}</style></head><body>
<h1>Sweep report</h1>
<p>Folder <code>{title}</code>: scenario <b>{name}</b>,
{len(sweep["points"])} parameter points x {sweep["reps"]} replicates = {len(runs)} runs stored,
base seed {sweep["seed"]}. Varied: {html.escape(", ".join(varied) or "nothing")}.</p>
{failures}
<p>Versions: {html.escape(versions)}.</p>
<h2>Plots</h2>
{pictures}
<h2>Final values: mean, 95% confidence interval (t) and n, per point</h2>
{_html_table(table)}
</body></html>
"""
    out.write_text(page, encoding="utf-8")
    return out
