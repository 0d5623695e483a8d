"""The climate: perceived safety and risk tolerance after what employees saw."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .state import EngineState, Levers

__all__ = ["climate"]


def climate(state: EngineState, levers: Levers) -> None:
    """Perceived safety drifts towards psychological_safety, and risk tolerance towards
    experimentation, each team's own leadership's values, at ``climate_rate``."""
    rate = levers.calibration.climate_rate
    if rate <= 0:
        return
    state.safety += rate * (levers("psychological_safety") - state.safety)
    state.risk_tolerance += rate * (levers("experimentation") - state.risk_tolerance)
