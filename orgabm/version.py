"""orgabm's version, in one place: the package metadata and every manifest read it here."""

from __future__ import annotations

__version__ = "0.2.0.dev0"

__all__ = ["__version__", "versions"]


def versions() -> dict[str, str]:
    """The versions a manifest records, so that a result says what produced it."""
    import platform
    from importlib.metadata import version  # not ``import mesa``: seconds of imports

    return {"orgabm": __version__, "mesa": version("mesa"), "numpy": version("numpy"),
            "pandas": version("pandas"), "python": platform.python_version()}  # fmt: skip
