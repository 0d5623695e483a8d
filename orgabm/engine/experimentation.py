"""Experimentation: employees try a belief they do not hold, feedback judges it, leaders answer.

A lever at 0 skips its mechanism without drawing, so March's model is untouched when
they are all off. docs/ODD.md gives the equations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import climate
from .state import at

if TYPE_CHECKING:
    from .state import EngineState, Levers

__all__ = ["Trial", "answer_dissent", "experiment", "respond"]


@dataclass
class Trial:
    """This step's experiments: who tried what, on which dimension, and how it went."""

    rows: np.ndarray
    dims: np.ndarray
    values: np.ndarray
    worked: np.ndarray
    """Whether each trial truly did better: the reality's verdict, which no one sees. It
    feeds the counts, and what the author sees (``seen``) is it through ``feedback``."""
    seen: np.ndarray
    """Whether its author saw it do better, through ``feedback``: all anyone can report."""
    kept: np.ndarray


def experiment(
    state: EngineState,
    levers: Levers,
    rng: np.random.Generator,
    exclude: np.ndarray | None = None,
) -> Trial | None:
    """Some employees try a belief they do not hold, judge it by feedback, keep it or revert.

    Chance to try: experimentation x risk_tolerance x (1 + safety) / 2. The trial
    flips one random dimension (a 0 becomes +1 or -1 at random) and is acted
    out: it sets this step's performance. It *worked* if the new value beats its
    opposite, the rest of the employee's actions as they were. The employee sees
    the true outcome with probability ``feedback``, the opposite otherwise, and
    keeps a value seen to work if empowered or if the code does not contradict
    it (approval); otherwise reverts. Rows in the mask ``exclude`` (those who
    copied a colleague this step, under the copy rule) do not experiment.
    """
    if not levers.in_use("experimentation"):
        return None
    encouragement = levers("experimentation")
    n, m = state.beliefs.shape
    chance = encouragement * state.risk_tolerance * (1.0 + state.safety) / 2.0
    if exclude is not None:
        chance = np.where(exclude, 0.0, chance)
    rows = np.flatnonzero(rng.random(n) < chance)
    dims = rng.integers(0, m, size=len(rows))
    old = state.beliefs[rows, dims]
    coin = np.where(rng.random(len(rows)) < 0.5, 1, -1).astype(np.int8)
    values = np.where(old == 0, coin, -old).astype(np.int8)
    actions, performance = state.acted()
    worked, acted = state.reality.trial(actions, performance, rows, dims, values)
    # the trial is acted out: this step's performance is the trial's
    performance[rows] = acted
    actions[rows, dims] = values
    seen = np.where(rng.random(len(rows)) < at(levers("feedback"), rows), worked, ~worked)
    code = state.code[dims]
    approved = (code == 0) | (code == values)
    empowered = rng.random(len(rows)) < at(levers("empowerment"), rows)
    kept = seen & (empowered | approved)
    state.beliefs[rows[kept], dims[kept]] = values[kept]
    counts = state.counts
    counts["experiments"] += len(rows)
    state.spend(rows, levers.calibration.experiment_time)
    counts["innovations"] += int(worked.sum())
    counts["failures"] += int((~worked).sum())
    counts["kept"] += int(kept.sum())
    np.add.at(state.team_experiments, state.team[rows], 1)
    return Trial(rows, dims, values, worked, seen, kept)


def respond(state: EngineState, levers: Levers, trial: Trial, rng: np.random.Generator) -> None:
    """Leaders' answers to how the trials went, as their authors saw them; the climate
    follows from them (``climate``).

    A failure is punished with probability 1 - psychological_safety (``climate.punished``),
    otherwise answered with support (``climate.supported``). An unpunished failure is
    reported for review if its author feels safe enough (probability = their safety).
    Successes are reported with the same probability; one that says the code is wrong is
    answered like a failure (``answer_dissent``). Successes are recognized with probability
    ``recognition`` (``climate.recognized``), at a cost. Team leaders set an example by
    their trials and by the failures they report (``climate.leader_example``).
    """
    cal, counts = levers.calibration, state.counts
    failed = ~trial.seen  # a failure as its author saw it: no one sees the reality's verdict
    fail_rows = trial.rows[failed]
    punished = rng.random(len(fail_rows)) < 1.0 - at(levers("psychological_safety"), fail_rows)
    victims = state.last_punished = fail_rows[punished]
    if len(victims):
        climate.punished(state, cal, victims)
    if (~punished).any():
        climate.supported(state, cal, fail_rows[~punished])
    speaks = rng.random(len(fail_rows)) < state.safety[fail_rows]
    told = ~punished & speaks
    _report(state, trial, np.flatnonzero(failed)[told])
    np.add.at(state.failures_reported, state.team[fail_rows[told]], 1)
    counts["punishments"] += int(punished.sum())
    counts["reported_failures"] += int(told.sum())

    win_rows = trial.rows[trial.seen]
    shares = rng.random(len(win_rows)) < state.safety[win_rows]
    _report(state, trial, answer_dissent(state, levers, trial, np.flatnonzero(trial.seen)[shares],
                                         rng))  # fmt: skip
    recognized = win_rows[rng.random(len(win_rows)) < at(levers("recognition"), win_rows)]
    if len(recognized):
        climate.recognized(state, cal, recognized)
        counts["cost"] += cal.recognition_cost * len(recognized)

    leading = state.is_leader[trial.rows]
    if leading.any():
        admitted = fail_rows[told & state.is_leader[fail_rows]]
        climate.leader_example(state, cal, trial.rows[leading], admitted)


def answer_dissent(
    state: EngineState, levers: Levers, trial: Trial, told: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Leaders answer a dissenting report, one that says the code is wrong, as they answer a
    failure; a punished one is dropped. Returns the reports (positions in ``trial``) kept.

    A success told (positions ``told``) dissents when the code holds the other value on
    its dimension. With probability 1 - psychological_safety its author is punished
    (``climate.punished``: they and their ties saw it) and the report goes no further;
    otherwise they are supported and it goes on the team's record. A failure is answered
    once, as a failure, in ``respond``. With no dissent nothing is drawn.
    """
    code = state.code[trial.dims[told]]
    dissent = (code != 0) & (code != trial.values[told])
    if not dissent.any():
        return told
    rows = trial.rows[told[dissent]]
    silenced = rng.random(len(rows)) < 1.0 - at(levers("psychological_safety"), rows)
    if silenced.any():
        climate.punished(state, levers.calibration, rows[silenced])
        state.last_punished = np.concatenate([state.last_punished, rows[silenced]])
    if (~silenced).any():
        climate.supported(state, levers.calibration, rows[~silenced])
    state.counts["punishments"] += int(silenced.sum())
    state.counts["silenced"] += int(silenced.sum())
    dropped = np.zeros(len(told), dtype=bool)
    dropped[np.flatnonzero(dissent)[silenced]] = True
    return told[~dropped]


def _report(state: EngineState, trial: Trial, told: np.ndarray) -> None:
    """Record for the team's next review what the authors of trials ``told`` (positions in
    ``trial``) say they found: the value they tried if they saw it do better, its opposite
    if they saw it do worse. A later report on the same dimension replaces an earlier one."""
    found = np.where(trial.seen[told], trial.values[told], -trial.values[told]).astype(np.int8)
    state.findings[state.team[trial.rows[told]], trial.dims[told]] = found
