"""The ``orgabm`` command: the top layer, translating flags into library calls and back."""

from .entry import main

__all__ = ["main"]
