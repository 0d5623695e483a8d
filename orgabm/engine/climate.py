"""The climate: perceived safety and risk tolerance after what employees saw."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import OrgModel

__all__ = ["climate"]


def climate(model: OrgModel) -> None:
    """Perceived safety drifts towards psychological_safety, and risk tolerance towards
    experimentation, each team's own leadership's values, at ``climate_rate``."""
    rate = model.config.calibration.climate_rate
    if rate <= 0:
        return
    model.safety += rate * (model.lever("psychological_safety") - model.safety)
    model.risk_tolerance += rate * (model.lever("experimentation") - model.risk_tolerance)
