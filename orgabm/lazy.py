"""Names a package offers but imports on first use, so that a command or a worker loads
only what it needs (``orgabm --help`` need not load pydantic, Mesa or pandas)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, where: Mapping[str, str], listed: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A module's ``__getattr__`` and ``__dir__`` for ``where`` (name -> the module,
    relative to ``package``, that defines it); ``listed``: other names the module has."""
    module_globals = importlib.import_module(package).__dict__

    def attribute(name: str) -> Any:
        if name in where:
            value = getattr(importlib.import_module(where[name], package), name)
            module_globals[name] = value  # once: later lookups find it directly
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def names() -> list[str]:
        return sorted({*where, *listed})

    return attribute, names
