"""The mechanisms behind the leadership levers, each one vectorized over all employees.

Each function reads and writes the model's arrays and draws from the random
stream it is given. A lever at 0 skips its mechanism without drawing, so
March's model is untouched when they are all off. docs/ODD.md gives the
equations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .model import OrgModel

__all__ = [
    "Trial",
    "climate",
    "develop",
    "experiment",
    "learn_from",
    "meet_across_teams",
    "respond",
    "review",
    "share",
]


@dataclass
class Trial:
    """This step's experiments: who tried what, on which dimension, and how it went."""

    rows: np.ndarray
    dims: np.ndarray
    values: np.ndarray
    worked: np.ndarray
    kept: np.ndarray


def experiment(
    model: OrgModel, rng: np.random.Generator, exclude: np.ndarray | None = None
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
    if not model.lever_in_use("experimentation"):
        return None
    encouragement = model.lever("experimentation")
    n, m = model.beliefs.shape
    chance = encouragement * model.risk_tolerance * (1.0 + model.safety) / 2.0
    if exclude is not None:
        chance = np.where(exclude, 0.0, chance)
    rows = np.flatnonzero(rng.random(n) < chance)
    dims = rng.integers(0, m, size=len(rows))
    old = model.beliefs[rows, dims]
    coin = np.where(rng.random(len(rows)) < 0.5, 1, -1).astype(np.int8)
    values = np.where(old == 0, coin, -old).astype(np.int8)
    worked, acted = model.reality.trial(model.actions, model.performance, rows, dims, values)
    # the trial is acted out: this step's performance is the trial's
    model.performance[rows] = acted
    model.actions[rows, dims] = values
    seen = np.where(rng.random(len(rows)) < _at(model.lever("feedback"), rows), worked, ~worked)
    code = model.code[dims]
    approved = (code == 0) | (code == values)
    empowered = rng.random(len(rows)) < _at(model.lever("empowerment"), rows)
    kept = seen & (empowered | approved)
    model.beliefs[rows[kept], dims[kept]] = values[kept]
    counts = model.counts
    counts["experiments"] += len(rows)
    counts["innovations"] += int(worked.sum())
    counts["failures"] += int((~worked).sum())
    counts["kept"] += int(kept.sum())
    np.add.at(model.team_experiments, model.team[rows], 1)
    return Trial(rows, dims, values, worked, kept)


def respond(model: OrgModel, trial: Trial, rng: np.random.Generator) -> None:
    """The climate's answer to failure, and recognition of success.

    A failure is punished with probability 1 - psychological_safety: the victim
    loses ``punishment`` of their safety and risk tolerance, each neighbour
    ``onlooker_punishment`` of their safety. An unpunished failure is reported
    for review if its author feels safe enough (probability = their safety).
    Successes are reported with the same probability, and recognized with
    probability ``recognition``:
    risk tolerance gains ``recognition_boost`` of its gap to 1, at a cost.
    Team leaders who experiment set an example: each of their trials raises
    their members' risk tolerance by ``leader_example`` of its gap to 1.
    """
    cal, counts = model.config.calibration, model.counts
    fail_rows, fail_dims = trial.rows[~trial.worked], trial.dims[~trial.worked]
    punished = rng.random(len(fail_rows)) < 1.0 - _at(
        model.lever("psychological_safety"), fail_rows
    )
    victims = model.last_punished = fail_rows[punished]
    if len(victims):
        hits = np.bincount(victims, minlength=model.employees)
        model.safety *= (1.0 - cal.punishment) ** hits
        model.risk_tolerance *= (1.0 - cal.punishment) ** hits
        seen = np.bincount(model.ties.neighbours_of(victims), minlength=model.employees)
        model.safety *= (1.0 - cal.onlooker_punishment) ** seen
    speaks = rng.random(len(fail_rows)) < model.safety[fail_rows]
    told = ~punished & speaks
    model.reported[model.team[fail_rows[told]], fail_dims[told]] = True
    np.add.at(model.failures_reported, model.team[fail_rows[told]], 1)
    counts["punishments"] += int(punished.sum())
    counts["reported_failures"] += int(told.sum())

    win_rows, win_dims = trial.rows[trial.worked], trial.dims[trial.worked]
    shares = rng.random(len(win_rows)) < model.safety[win_rows]
    model.reported[model.team[win_rows[shares]], win_dims[shares]] = True
    recognized = win_rows[rng.random(len(win_rows)) < _at(model.lever("recognition"), win_rows)]
    if len(recognized):
        gains = np.bincount(recognized, minlength=model.employees)
        model.risk_tolerance = (
            1.0 - (1.0 - model.risk_tolerance) * (1.0 - cal.recognition_boost) ** gains
        )
        counts["cost"] += cal.recognition_cost * len(recognized)

    leading = trial.rows[model.is_leader[trial.rows]]
    if len(leading) and cal.leader_example > 0:
        tries = np.bincount(model.team[leading], minlength=model.teams)[model.team]
        tries[model.is_leader] = 0
        model.risk_tolerance = (
            1.0 - (1.0 - model.risk_tolerance) * (1.0 - cal.leader_example) ** tries
        )


def learn_from(
    model: OrgModel, learners: np.ndarray, sources: np.ndarray, rate: np.ndarray, rng
) -> int:
    """Learners adopt each belief of their source that differs, with probability ``rate``.

    The source speaks up only with probability = its safety. Returns beliefs adopted.
    """
    better = model.performance[sources] > model.performance[learners]
    speaks = rng.random(len(learners)) < model.safety[sources]
    go = better & speaks
    learners, sources, rate = learners[go], sources[go], rate[go]
    if len(learners) == 0:
        return 0
    theirs = model.beliefs[sources]
    mine = model.beliefs[learners]
    adopt = (theirs != mine) & (
        rng.random(mine.shape, dtype=np.float32) < rate.astype(np.float32)[:, None]
    )
    model.beliefs[learners] = np.where(adopt, theirs, mine)
    return int(np.count_nonzero(adopt))


def share(model: OrgModel, rng: np.random.Generator) -> np.ndarray | None:
    """Interpersonal learning along ties, by ``calibration.sharing_rule``.

    rate = knowledge_sharing x skill x openness, and a tie teaches only if it
    performs better and speaks up (probability = its safety).

    - best: each employee adopts each differing belief of their best-performing
      tie with probability rate (Miller et al. 2006).
    - majority: on each dimension, the majority belief of the ties that perform
      better is adopted with probability rate (Fang et al. 2010).
    - copy: with probability rate the employee looks at their ties; if the best
      performs better, they copy its acted solution, missing each differing
      value with probability copy_error, and revert if the result is worse
      (Lazer and Friedman 2007). Returns the mask of those who copied (they do
      not experiment this step); the other rules return None.
    """
    if not model.lever_in_use("knowledge_sharing"):
        return None
    rule = model.config.calibration.sharing_rule
    rate = (
        np.broadcast_to(model.lever("knowledge_sharing"), model.employees)
        * model.skill
        * model.openness
    )
    if rule == "majority":
        _share_majority(model, rate, rng)
        return None
    # the best-performing tie, ties broken at random for each learner: performance as
    # integers (ranks, when it is fractional), plus noise below 1 on each tie end
    perf = model.performance
    if not np.issubdtype(perf.dtype, np.integer):
        perf = np.unique(perf, return_inverse=True)[1]
    noise = rng.random(len(model.ties.indices), dtype=np.float32) * np.float32(0.5)
    source = model.ties.best(perf.astype(np.float64), noise)
    if rule == "copy":
        return _copy(model, source, rate, rng)
    learners = np.flatnonzero((source >= 0) & (rate > 0))
    model.counts["shares"] += learn_from(model, learners, source[learners], rate[learners], rng)
    return None


def _share_majority(model: OrgModel, rate: np.ndarray, rng: np.random.Generator) -> None:
    """The majority rule: each learner weighs the beliefs of its better ties, one vote each."""
    from scipy.sparse import csr_matrix

    ties, perf, n = model.ties, model.performance, model.employees
    if len(ties.indices) == 0:
        return
    speaks = rng.random(len(ties.indices)) < model.safety[ties.indices]
    votes = (perf[ties.indices] > perf[ties.owner]) & speaks
    weights = csr_matrix((votes.astype(np.int32), ties.indices, ties.indptr), shape=(n, n))
    majority = np.sign(weights @ model.beliefs.astype(np.int32)).astype(np.int8)
    draws = rng.random(model.beliefs.shape, dtype=np.float32)
    adopt = (
        (majority != 0) & (majority != model.beliefs) & (draws < rate.astype(np.float32)[:, None])
    )
    model.beliefs[adopt] = majority[adopt]
    model.counts["shares"] += int(np.count_nonzero(adopt))


def _copy(
    model: OrgModel, source: np.ndarray, rate: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """The copy rule (Lazer and Friedman): returns the mask of employees who copied."""
    n = model.employees
    looks = np.flatnonzero((rng.random(n) < rate) & (source >= 0))
    sources = source[looks]
    better = model.performance[sources] > model.performance[looks]
    speaks = rng.random(len(looks)) < model.safety[sources]
    rows, sources = looks[better & speaks], sources[better & speaks]
    copied = np.zeros(n, dtype=bool)
    copied[rows] = True
    if len(rows) == 0:
        return copied
    mine, theirs = model.actions[rows], model.actions[sources]
    missed = (mine != theirs) & (rng.random(mine.shape) < model.config.calibration.copy_error)
    new = np.where(missed, mine, theirs)
    result = model.reality.performance(new)
    keep = result >= model.performance[rows]  # revert if the copy came out worse
    rows, new = rows[keep], new[keep]
    model.counts["shares"] += int(np.count_nonzero(new != model.beliefs[rows]))
    model.beliefs[rows] = new
    model.actions[rows] = new
    model.performance[rows] = result[keep]
    return copied


def meet_across_teams(model: OrgModel, rng: np.random.Generator) -> None:
    """Communities of practice: chance encounters with someone from another team.

    Each employee meets a random colleague with probability
    communities_of_practice; if that colleague is in another team, performs
    better and speaks up, the employee adopts each differing belief with
    probability skill x openness.
    """
    if not model.lever_in_use("communities_of_practice") or model.teams < 2:
        return
    chance = model.lever("communities_of_practice")
    n = model.employees
    meets = np.flatnonzero(rng.random(n) < chance)
    partners = rng.integers(0, n - 1, size=len(meets))
    partners += partners >= meets  # anyone but oneself
    across = model.team[partners] != model.team[meets]
    meets, partners = meets[across], partners[across]
    rate = model.skill[meets] * model.openness[meets]
    model.counts["encounters"] += len(meets)
    model.counts["shares"] += learn_from(model, meets, partners, rate, rng)


def review(model: OrgModel, rng: np.random.Generator) -> None:
    """Team after-action reviews, every k steps (k = after_action_reviews, per team).

    Members learn the true value of every dimension behind the experiments their
    team reported since its last review (failures included), each with
    probability = their skill. Then the team's record is cleared. Costs
    ``review_cost`` per member.
    """
    if not model.lever_in_use("after_action_reviews"):
        return
    every = model.team_lever("after_action_reviews")
    due = (every > 0) & (int(model.time) % np.maximum(every, 1) == 0)
    if not due.any():
        return
    members = due[model.team]
    topics = model.reported[model.team] & members[:, None]
    if topics.any():
        learns = topics & (rng.random(topics.shape, dtype=np.float32) < model.skill[:, None])
        truth = np.broadcast_to(model.reality.values, model.beliefs.shape)
        model.counts["lessons"] += int(np.count_nonzero(learns & (model.beliefs != truth)))
        model.beliefs[learns] = truth[learns]
    model.last_review_failures[due] = model.failures_reported[due]
    model.reported[due] = False
    model.failures_reported[due] = 0
    model.counts["reviews"] += int(due.sum())
    model.counts["cost"] += model.config.calibration.review_cost * int(members.sum())


def develop(model: OrgModel, train: np.random.Generator, mentor: np.random.Generator) -> None:
    """Formal training and mentoring raise skill, with diminishing returns, at a cost.

    Training reaches each employee with probability ``training`` and closes
    ``training_gain`` of the gap between their skill and 1. Mentoring reaches
    each with probability ``mentoring``: their most skilled tie, if more skilled,
    closes ``mentoring_gain`` of the gap between them.
    """
    cal, n = model.config.calibration, model.employees
    if model.lever_in_use("training"):
        training = model.lever("training")
        trained = train.random(n) < training
        model.skill[trained] += cal.training_gain * (1.0 - model.skill[trained])
        model.counts["cost"] += cal.training_cost * int(trained.sum())
    if model.lever_in_use("mentoring"):
        mentoring = model.lever("mentoring")
        rows = np.flatnonzero(mentor.random(n) < mentoring)
        mentors = model.ties.best_of(rows, model.skill)
        keep = (mentors >= 0) & (model.skill[np.maximum(mentors, 0)] > model.skill[rows])
        rows, mentors = rows[keep], mentors[keep]
        model.skill[rows] += cal.mentoring_gain * (model.skill[mentors] - model.skill[rows])
        model.counts["cost"] += cal.mentoring_cost * len(rows)


def climate(model: OrgModel) -> None:
    """Perceived safety drifts towards psychological_safety, and risk tolerance towards
    experimentation, each team's own leadership's values, at ``climate_rate``."""
    rate = model.config.calibration.climate_rate
    if rate <= 0:
        return
    model.safety += rate * (model.lever("psychological_safety") - model.safety)
    model.risk_tolerance += rate * (model.lever("experimentation") - model.risk_tolerance)


def _at(lever: float | np.ndarray, rows: np.ndarray) -> float | np.ndarray:
    """A lever's value for the given rows (a scalar lever is the same for all)."""
    return lever[rows] if isinstance(lever, np.ndarray) else lever
