"""The figure of an experiment's result, shared by the dashboard's download and the notes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .experiments import Job

from ..analysis.figures import figure

__all__ = ["result_figure"]


def result_figure(job: Job) -> Figure:
    """The metric against the lever with 95% CIs, one line per level of the second factor."""
    spec, table = job.spec, job.summary()
    fig = figure(6.4, 3.8, dpi=100)
    ax = fig.add_subplot()
    groups = table.groupby(spec.factor, sort=False) if spec.factor else [(None, table)]
    for level, part in groups:
        label = None if level is None else f"{(spec.factor or '').split('.')[-1]} = {level}"
        ax.errorbar(part[spec.path], part["mean"],
                    yerr=[part["mean"] - part["ci_low"], part["ci_high"] - part["mean"]],
                    marker="o", capsize=3, label=label)  # fmt: skip
    ax.set_xlabel(spec.lever.replace("_", " "))
    ax.set_ylabel(f"{spec.metric.replace('_', ' ')} at the end (mean, 95% CI)")
    ax.set_title(f"{job.total} runs, {spec.replicates} per point", fontsize=10)
    if spec.factor:
        ax.legend(fontsize=8)
    return fig
