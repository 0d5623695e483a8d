"""Lazer and Friedman's (2007) rules under each reading their text leaves open.

The paper does not say whether agents update at once or one at a time, whether an agent
who copies also searches, whether equal-scoring neighbours are copied, or how the local
search picks its bit. This is a small reference implementation of their model, apart
from orgabm's engine, with a switch for each reading: every landscape is a table of the
scores of all 2^N solutions (orgabm's own NK generator), every solution an integer, and
all runs advance together, so a reading costs seconds. Its first reading is the
engine's; the tests dock the two (tests/validation/test_lf_readings.py).

Scores are read from the landscape's full table, which no agent could know: this is a
check of the published model, not a mechanism.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..analysis.stats import first_lead, mean_ci
from ..engine.environments import NKLandscape
from ..engine.landscape import SolutionSums
from ..engine.powers import whole_power
from .lf_levels import LF_CROSSING, LF_PUBLISHED
from .texts import Finding, catalog, finding

__all__ = ["ENGINE_READING", "LF_FIGURE_4", "READINGS", "engine_row", "fit", "reading_curves",
           "readings_findings", "readings_table"]  # fmt: skip

#: Lazer and Friedman's Figure 4 (``lf_levels.LF_PUBLISHED``): the line network's mean
#: score at rounds 10, 30, 50 and 100, the totally connected network's plateau, and the
#: round from which the line leads.
LF_FIGURE_4: dict[str, float] = {
    **{f"{p.where['network']}_{p.step}": p.value for p in LF_PUBLISHED if p.figure == "Fig. 4"},
    "crossing": LF_CROSSING,
}

#: The readings tried: name -> what it changes from the engine's reading (the text is in
#: templates/findings.toml; the first is the engine's).
READINGS = catalog("readings")

N, K, AGENTS, POWER = 20, 5, 100, 8


def _landscapes(runs: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Each run's scores of all 2^N solutions ((fitness / max)^8, float32) and its agents'
    starting solutions: the same for every reading and network (paired)."""
    scores = np.empty((runs, 2**N), dtype=np.float32)
    starts = np.empty((runs, AGENTS), dtype=np.int64)
    for r in range(runs):
        rng = np.random.default_rng([seed, r])
        land = NKLandscape(N, K, "random", 1, rng)
        fitness = SolutionSums(land.table, land.deps).sums.ravel()
        scores[r] = whole_power(fitness / fitness.max(), POWER)
        starts[r] = rng.integers(0, 2**N, AGENTS)
    return scores, starts


def _best_neighbour(cur: np.ndarray, network: str, rng: np.random.Generator) -> np.ndarray:
    """Each agent's best-scoring neighbour (runs x agents): on the line its better side
    (a tie, which only identical solutions make, broken at random), on the complete
    network the best other agent."""
    n = cur.shape[1]
    idx = np.arange(n)
    if network == "line":
        left = np.where(idx > 0, idx - 1, idx + 1)
        right = np.where(idx < n - 1, idx + 1, idx - 1)
        ls, rs = cur[:, left], cur[:, right]
        coin = rng.random(cur.shape) < 0.5
        return np.where((ls > rs) | ((ls == rs) & coin), left, right)
    top2 = np.argsort(-cur, axis=1, kind="stable")[:, :2]
    return np.where(idx[None, :] == top2[:, :1], top2[:, 1:2], top2[:, :1])


def _search_bits(tried: np.ndarray | None, shape: tuple[int, ...], rng: np.random.Generator):
    """The bit each search flips: at random, or among those not yet tried."""
    if tried is None:
        return rng.integers(0, N, shape)
    keys = rng.random((*shape, N))
    keys[tried & ~tried.all(axis=-1, keepdims=True)] = -1.0
    return keys.argmax(axis=-1)


def _sync_round(scores, sol, network, reading, tried, rng) -> None:
    rows = np.arange(len(sol))[:, None]
    cur = scores[rows, sol]
    best = _best_neighbour(cur, network, rng)
    theirs = sol[rows, best]
    better = cur[rows, best]
    copy = (better > cur) | ((better == cur) & (theirs != sol) & (reading == "equal scores copied"))
    new = np.where(copy, theirs, sol)
    search = np.ones_like(copy) if reading == "copy, then search" else ~copy
    if tried is not None:
        tried[copy & (theirs != sol)] = False
    bits = _search_bits(tried, sol.shape, rng)
    flipped = new ^ (np.int64(1) << (N - 1 - bits))
    gain = search & (scores[rows, flipped] > scores[rows, new])
    if tried is not None:
        r, a = np.nonzero(search)
        tried[r, a, bits[r, a]] = True
        tried[gain] = False
    sol[:] = np.where(gain, flipped, new)


def _async_round(scores, sol, network, rng) -> None:
    runs, n = sol.shape
    rows = np.arange(runs)
    cur = scores[rows[:, None], sol]
    order = np.argsort(rng.random((runs, n)), axis=1)
    for k in range(n):
        i = order[:, k]
        if network == "line":
            left, right = np.where(i > 0, i - 1, i + 1), np.where(i < n - 1, i + 1, i - 1)
            ls, rs = cur[rows, left], cur[rows, right]
            j = np.where((ls > rs) | ((ls == rs) & (rng.random(runs) < 0.5)), left, right)
        else:
            masked = cur.copy()
            masked[rows, i] = -np.inf
            j = masked.argmax(axis=1)
        copy = cur[rows, j] > cur[rows, i]
        flipped = sol[rows, i] ^ (np.int64(1) << (N - 1 - rng.integers(0, N, runs)))
        gain = ~copy & (scores[rows, flipped] > cur[rows, i])
        new = np.where(copy, sol[rows, j], np.where(gain, flipped, sol[rows, i]))
        sol[rows, i] = new
        cur[rows, i] = scores[rows, new]


def reading_curves(
    reading: str,
    network: str,
    scores: np.ndarray,
    starts: np.ndarray,
    rounds: int = 100,
    seed: int = 2007,
) -> np.ndarray:
    """Every run's mean score by round (runs x rounds + 1) under one reading. Every
    reading draws from the same stream, so one that changes nothing gives the same runs."""
    rng = np.random.default_rng([seed, network == "line"])
    sol = starts.copy()
    rows = np.arange(len(sol))[:, None]
    tried = np.zeros((*sol.shape, N), dtype=bool) if reading == "untried bit" else None
    out = np.empty((len(sol), rounds + 1))
    for t in range(rounds + 1):
        out[:, t] = scores[rows, sol].mean(axis=1)
        if t == rounds:
            break
        if reading == "one at a time":
            _async_round(scores, sol, network, rng)
        else:
            _sync_round(scores, sol, network, reading, tried, rng)
    return out


def fit(row: pd.Series | dict) -> float:
    """How far a row is from Figure 4: the largest gap of the five scores."""
    return max(abs(row[key] - LF_FIGURE_4[key]) for key in LF_FIGURE_4 if key != "crossing")


def readings_table(
    runs: int = 200,
    seed: int = 2007,
    readings: Sequence[str] | None = None,
    chunk: int = 50,
) -> pd.DataFrame:
    """Per reading: the line's mean score at rounds 10, 30, 50 and 100, the complete
    network's at 100 (each with its 95% CI half-width), the crossing and the largest gap
    from Figure 4. Runs go in chunks (2^20 scores each, 4 MB a run)."""
    chosen = list(readings) if readings is not None else list(READINGS)
    parts: dict[tuple[str, str], list[np.ndarray]] = {}
    for first in range(0, runs, chunk):
        scores, starts = _landscapes(min(chunk, runs - first), seed + first)
        for reading in chosen:
            for network in ("line", "complete"):
                curves = reading_curves(reading, network, scores, starts, seed=seed + first)
                parts.setdefault((reading, network), []).append(curves)
    rows = []
    for reading in chosen:
        line = np.concatenate(parts[(reading, "line")])
        complete = np.concatenate(parts[(reading, "complete")])
        row: dict[str, object] = {"reading": reading}
        for key, values in [("line_10", line[:, 10]), ("line_30", line[:, 30]),
                            ("line_50", line[:, 50]), ("line_100", line[:, 100]),
                            ("complete_100", complete[:, 100])]:  # fmt: skip
            mean, low, high = mean_ci(values)
            row[key], row[f"{key}_half"] = mean, (high - low) / 2
        lead = first_lead(line.mean(axis=0), complete.mean(axis=0))
        row["crossing"] = float("nan") if lead is None else float(lead)
        row["largest_gap"] = fit(row)
        rows.append(row)
    return pd.DataFrame(rows)


def engine_row(table: pd.DataFrame) -> dict[str, object]:
    """The same numbers from orgabm's engine: the table of ``lazer_friedman_networks``
    from :func:`orgabm.validation.canonical.lazer_friedman`."""
    curve = {net: part.set_index("step") for net, part in table.groupby("network")}
    row: dict[str, object] = {"reading": "orgabm's engine, its own runs"}
    for key, net, step in [("line_10", "line", 10), ("line_30", "line", 30),
                           ("line_50", "line", 50), ("line_100", "line", 100),
                           ("complete_100", "complete", 100)]:  # fmt: skip
        at = curve[net].loc[step]
        row[key], row[f"{key}_half"] = at["mean"], (at["ci_high"] - at["ci_low"]) / 2
    line, complete = curve["line"]["mean"], curve["complete"]["mean"]
    lead = first_lead(line.to_numpy(), complete.reindex(line.index).to_numpy())
    row["crossing"] = float("nan") if lead is None else float(curve["line"].index[lead])
    row["largest_gap"] = fit(row)
    return row


#: The reading the engine implements (the reference's first).
ENGINE_READING = "orgabm's reading"


def readings_findings(engine: dict, readings: pd.DataFrame) -> list[Finding]:
    """Figure 4 at its levels: the engine's reading, and the closest of those tried."""
    closest = readings.loc[readings["largest_gap"].idxmin()]
    levels = all(abs(engine[k] - LF_FIGURE_4[k]) <= 0.03 for k in ("line_100", "complete_100"))
    earliest, latest = 14, 24  # rounds: the published crossing is about 18
    return [finding(
        "lf_figure4_levels", levels and earliest <= float(engine["crossing"]) <= latest,
        line=LF_FIGURE_4["line_100"], complete=LF_FIGURE_4["complete_100"], earliest=earliest,
        latest=latest, line_100=engine["line_100"], complete_100=engine["complete_100"],
        crossing=engine["crossing"], closest=closest["reading"],
        closest_line=closest["line_100"],
    )]  # fmt: skip
