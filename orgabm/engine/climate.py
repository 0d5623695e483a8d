"""The climate: perceived safety and risk tolerance change only through what employees see.

Edmondson (1999): leaders' answers shape the team's safety, and safety shapes its
learning behaviour. No lever moves safety or risk tolerance directly: the
``psychological_safety`` lever is the chance that a failure is answered with support
rather than punishment (``experimentation.respond``), and these functions are what such
answers, recognition and a leader's example do to those who see them. With no such
events, both stay where they started.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .powers import scalar_powers

if TYPE_CHECKING:
    from ..scenario import Calibration
    from .state import EngineState

__all__ = ["leader_example", "punished", "recognized", "supported"]


def _towards_one(values: np.ndarray, share: float, times: np.ndarray) -> np.ndarray:
    """Close ``share`` of the gap to 1, ``times`` times over (per row)."""
    return 1.0 - (1.0 - values) * scalar_powers(1.0 - share, times)


def punished(state: EngineState, cal: Calibration, victims: np.ndarray) -> None:
    """A punished failure: the victim loses ``punishment`` of their safety and risk
    tolerance; each neighbour who sees it loses ``onlooker_punishment`` of their safety."""
    hits = np.bincount(victims, minlength=state.employees)
    kept = scalar_powers(1.0 - cal.punishment, hits)
    state.safety *= kept
    state.risk_tolerance *= kept
    seen = np.bincount(state.ties.neighbours_of(victims), minlength=state.employees)
    state.safety *= scalar_powers(1.0 - cal.onlooker_punishment, seen)


def supported(state: EngineState, cal: Calibration, authors: np.ndarray) -> None:
    """A failure answered with support: its author gains ``support`` of the gap to full
    safety, each neighbour who sees it ``onlooker_support``."""
    if cal.support <= 0 and cal.onlooker_support <= 0:
        return
    helped = np.bincount(authors, minlength=state.employees)
    seen = np.bincount(state.ties.neighbours_of(authors), minlength=state.employees)
    state.safety = _towards_one(_towards_one(state.safety, cal.support, helped),
                                cal.onlooker_support, seen)  # fmt: skip


def recognized(state: EngineState, cal: Calibration, rows: np.ndarray) -> None:
    """A recognized success: risk tolerance and safety each gain ``recognition_boost`` of
    their gap to 1."""
    gains = np.bincount(rows, minlength=state.employees)
    state.risk_tolerance = _towards_one(state.risk_tolerance, cal.recognition_boost, gains)
    state.safety = _towards_one(state.safety, cal.recognition_boost, gains)


def leader_example(
    state: EngineState, cal: Calibration, tries: np.ndarray, admitted: np.ndarray
) -> None:
    """Team leaders who experiment, and who admit their failures, set an example: each of
    their trials raises their members' risk tolerance by ``leader_example`` of its gap to
    1, and each failure they report raises their members' safety by as much. ``tries``
    and ``admitted`` are the leaders' rows, one entry per trial or reported failure."""
    if cal.leader_example <= 0:
        return
    for rows, field in ((tries, "risk_tolerance"), (admitted, "safety")):
        if len(rows):
            per_member = np.bincount(state.team[rows], minlength=state.teams)[state.team]
            per_member[state.is_leader] = 0
            setattr(state, field, _towards_one(getattr(state, field), cal.leader_example,
                                               per_member))  # fmt: skip
