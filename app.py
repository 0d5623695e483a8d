"""orgabm's dashboard: ``solara run app.py`` (or ``orgabm dashboard``)."""

from orgabm.dashboard.app import Page

__all__ = ["Page"]
