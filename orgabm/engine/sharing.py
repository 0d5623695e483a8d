"""Knowledge sharing on network ties: learning from better-performing colleagues.

Three rules (``calibration.sharing_rule``): adopt from the best better tie, follow the
majority of better ties (Fang et al. 2010), or copy (Lazer and Friedman 2007). A colleague
teaches only if they speak up (``voice``), which ``tenure_sharing`` makes likelier the
longer they have served.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .state import at

if TYPE_CHECKING:
    from .state import EngineState, Levers

__all__ = ["learn_from", "share", "voice"]


def voice(state: EngineState, levers: Levers, rows: np.ndarray) -> np.ndarray:
    """The chance each of ``rows`` speaks up when a colleague could learn from them.

    It is their safety, raised towards 1 by ``tenure_sharing`` (their team's) times
    their seniority, tenure / (tenure + ``calibration.tenure_scale``):
    safety + tenure_sharing x seniority x (1 - safety). With the lever at 0 it is
    their safety, and the draws it is compared with are the same.
    """
    safety = state.safety[rows]
    if not levers.in_use("tenure_sharing"):
        return safety
    tenure = state.tenure[rows].astype(np.float64)
    seniority = tenure / (tenure + levers.calibration.tenure_scale)
    return safety + at(levers("tenure_sharing"), rows) * seniority * (1.0 - safety)


def learn_from(
    state: EngineState,
    levers: Levers,
    learners: np.ndarray,
    sources: np.ndarray,
    rate: np.ndarray,
    rng: np.random.Generator,
) -> int:
    """Learners adopt each belief of their source that differs, with probability ``rate``.

    The source speaks up only with probability ``voice`` (its safety, more with
    ``tenure_sharing``). Returns beliefs adopted.
    """
    performance = state.performed()
    better = performance[sources] > performance[learners]
    speaks = rng.random(len(learners)) < voice(state, levers, sources)
    go = better & speaks
    learners, sources, rate = learners[go], sources[go], rate[go]
    if len(learners) == 0:
        return 0
    state.spend(np.concatenate([learners, sources]), levers.calibration.sharing_time)
    theirs = state.beliefs[sources]
    mine = state.beliefs[learners]
    adopt = (theirs != mine) & (
        rng.random(mine.shape, dtype=np.float32) < rate.astype(np.float32)[:, None]
    )
    state.beliefs[learners] = np.where(adopt, theirs, mine)
    return int(np.count_nonzero(adopt))


def share(state: EngineState, levers: Levers, rng: np.random.Generator) -> np.ndarray | None:
    """Interpersonal learning along ties, by ``calibration.sharing_rule``.

    rate = knowledge_sharing x skill x openness, and a tie teaches only if it
    performs better and speaks up (probability ``voice``: its safety, raised
    by ``tenure_sharing`` x its seniority).

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
    if not levers.in_use("knowledge_sharing"):
        return None
    rule = levers.calibration.sharing_rule
    rate = (
        np.broadcast_to(levers("knowledge_sharing"), state.employees) * state.skill * state.openness
    )
    if rule == "majority":
        _share_majority(state, levers, rate, rng)
        return None
    # the best-performing tie, ties broken at random for each learner: performance as
    # integers (ranks, when it is fractional), plus noise below 1 on each tie end
    perf = state.performed()
    if not np.issubdtype(perf.dtype, np.integer):
        perf = np.unique(perf, return_inverse=True)[1]
    noise = rng.random(len(state.ties.indices), dtype=np.float32) * np.float32(0.5)
    source = state.ties.best(perf.astype(np.float64), noise)
    if rule == "copy":
        return _copy(state, levers, source, rate, rng)
    learners = np.flatnonzero((source >= 0) & (rate > 0))
    state.counts["shares"] += learn_from(
        state, levers, learners, source[learners], rate[learners], rng
    )
    return None


def _share_majority(
    state: EngineState, levers: Levers, rate: np.ndarray, rng: np.random.Generator
) -> None:
    """The majority rule: each learner weighs the beliefs of its better ties, one vote each."""
    from scipy.sparse import csr_matrix

    ties, perf, n = state.ties, state.performed(), state.employees
    if len(ties.indices) == 0:
        return
    speaks = rng.random(len(ties.indices)) < voice(state, levers, ties.indices)
    votes = (perf[ties.indices] > perf[ties.owner]) & speaks
    weights = csr_matrix((votes.astype(np.int32), ties.indices, ties.indptr), shape=(n, n))
    majority = np.sign(weights @ state.beliefs.astype(np.int32)).astype(np.int8)
    draws = rng.random(state.beliefs.shape, dtype=np.float32)
    adopt = (
        (majority != 0) & (majority != state.beliefs) & (draws < rate.astype(np.float32)[:, None])
    )
    state.beliefs[adopt] = majority[adopt]
    state.counts["shares"] += int(np.count_nonzero(adopt))
    state.spend(np.flatnonzero(adopt.any(axis=1)), levers.calibration.sharing_time)


def _copy(
    state: EngineState,
    levers: Levers,
    source: np.ndarray,
    rate: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """The copy rule (Lazer and Friedman): returns the mask of employees who copied."""
    n = state.employees
    actions, performance = state.acted()
    looks = np.flatnonzero((rng.random(n) < rate) & (source >= 0))
    sources = source[looks]
    better = performance[sources] > performance[looks]
    speaks = rng.random(len(looks)) < voice(state, levers, sources)
    rows, sources = looks[better & speaks], sources[better & speaks]
    copied = np.zeros(n, dtype=bool)
    copied[rows] = True
    if len(rows) == 0:
        return copied
    state.spend(np.concatenate([rows, sources]), levers.calibration.sharing_time)
    mine, theirs = actions[rows], actions[sources]
    missed = (mine != theirs) & (rng.random(mine.shape) < levers.calibration.copy_error)
    new = np.where(missed, mine, theirs)
    result = state.reality.performance(new)
    keep = result >= performance[rows]  # revert if the copy came out worse
    rows, new = rows[keep], new[keep]
    state.counts["shares"] += int(np.count_nonzero(new != state.beliefs[rows]))
    state.beliefs[rows] = new
    actions[rows] = new
    performance[rows] = result[keep]
    return copied
