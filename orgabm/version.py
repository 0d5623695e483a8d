"""orgabm's version, in one place: the package metadata and every manifest read it here."""

from __future__ import annotations

__version__ = "0.2.0.dev0"

__all__ = ["__version__", "versions"]


def versions() -> dict[str, str]:
    """The versions a manifest records, so that a result says what produced it."""
    import platform

    import mesa
    import numpy as np
    import pandas as pd

    return {"orgabm": __version__, "mesa": mesa.__version__, "numpy": np.__version__,
            "pandas": pd.__version__, "python": platform.python_version()}  # fmt: skip
