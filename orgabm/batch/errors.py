"""The one-line errors of sweeps: a module of their own, so that the sweep, its designs
and both backends raise them without importing one another."""

from __future__ import annotations

from ..scenario.errors import ParameterError

__all__ = ["SweepCancelledError", "SweepError", "SweepParameterError"]


class SweepError(ValueError):
    """A sweep that cannot run as asked; the message is one line."""


class SweepCancelledError(SweepError):
    """The sweep was cancelled (``cancel`` was set); what was committed stays stored."""


class SweepParameterError(ParameterError, SweepError):
    """An argument of a sweep that is not allowed, named as the library names it."""
