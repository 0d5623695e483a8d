"""The one-line errors of reports: a module of their own, so that the CLI can catch them
without importing the report's plotting and statistics."""

from __future__ import annotations

from ..scenario.errors import ParameterError

__all__ = ["ReportError", "ReportParameterError"]


class ReportError(ValueError):
    """A report that cannot be made as asked; the message is one line."""


class ReportParameterError(ParameterError, ReportError):
    """An argument of :func:`~orgabm.analysis.report.write_report` that is not allowed
    (named in its words)."""
