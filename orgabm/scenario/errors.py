"""Scenario errors: one line each, naming the key, the value and what is allowed.

Values are cut to a readable length: a file may hold megabytes in one value.
"""

from __future__ import annotations

import reprlib
from collections.abc import Mapping
from typing import Any

__all__ = [
    "PROBLEMS",
    "SHOWN",
    "ParameterError",
    "ScenarioError",
]


class ScenarioError(ValueError):
    """A scenario (file, mapping or override) that cannot be used; the message is one line."""


class FieldError(ValueError):
    """Raised from cross-field validators; carries the dotted path and value."""

    def __init__(self, path: str, value: Any, allowed: str) -> None:
        self.path, self.value, self.allowed = path, value, allowed
        super().__init__(f"{cut(path)}: {shown(value)} is not allowed: must be {allowed}")


# --------------------------------------------------------------------------- messages
#: Longest value or key an error message shows (a file may hold megabytes in one value).
SHOWN = 80


#: Most problems one error message lists.
PROBLEMS = 5


_REPR = reprlib.Repr(maxlevel=3, maxtuple=6, maxlist=6, maxarray=6, maxdict=6, maxset=6,
                     maxfrozenset=6, maxdeque=6, maxstring=SHOWN, maxlong=40,
                     maxother=SHOWN)  # fmt: skip


def cut(text: str, limit: int = SHOWN) -> str:
    """``text``, cut in the middle to at most ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = (limit - 3) // 2
    return f"{text[:half]}...{text[len(text) - half :]}"


def shown(value: Any) -> str:
    """A value's repr for a message: reprlib elides deep or long parts without building
    the whole repr, and the result is cut to SHOWN characters."""
    return cut(_REPR.repr(value))


def problems(clauses: list[str]) -> str:
    """The first PROBLEMS clauses joined, and how many more there are."""
    more = len(clauses) - PROBLEMS
    return "; ".join(clauses[:PROBLEMS]) + (f"; and {more} more" if more > 0 else "")


class ParameterError(ValueError):
    """An argument a library function does not allow. The message names the parameter,
    the value and what is allowed in the library's words (``reps=0: must be 1 or more``);
    :meth:`in_words` says it in a caller's, such as the CLI's flags (``--reps 0: ...``)."""

    def __init__(self, parameter: str, value: Any, allowed: str) -> None:
        self.parameter, self.value, self.allowed = parameter, value, allowed
        super().__init__(self.in_words())

    def in_words(self, names: Mapping[str, str] | None = None) -> str:
        """The message, the parameter renamed by ``names`` where it has a name there."""
        value = cut(self.value) if isinstance(self.value, str) else shown(self.value)
        if names and self.parameter in names:
            return f"{names[self.parameter]} {value}: {self.allowed}"
        return f"{self.parameter}={value}: {self.allowed}"
