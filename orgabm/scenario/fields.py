"""The building blocks of every section: strict fields (no bools for numbers, no infinities)."""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from .errors import cut

__all__ = ["Interval", "Probability"]


Probability = Annotated[float, Field(ge=0.0, le=1.0)]


Interval = Annotated[int, Field(ge=0, le=1_000_000)]


class Section(BaseModel):
    # allow_inf_nan: no float setting means anything at .inf or .nan (a cost of .inf, say)
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_bool_as_number(cls, data: Any) -> Any:
        """Refuse true/false where a number goes: pydantic would read ``steps: true`` as 1."""
        if not isinstance(data, dict):
            return data
        for key, value in data.items():
            field = cls.model_fields.get(key) if isinstance(key, str) else None
            found = None if field is None else _bool_where(field.annotation, value)
            if found is not None:
                where, flag, leaf = found
                raise BoolError(".".join(filter(None, (key, where))), flag, int in _members(leaf))
        return data


class BoolError(ValueError):
    """true or false given for a number; carries the key path within its section."""

    def __init__(self, key: str, flag: bool, whole: bool) -> None:
        self.key, self.flag = key, str(flag).lower()
        self.wanted = "a whole number" if whole else "a number"
        super().__init__(f"{cut(key)}: {self.flag} is not allowed: must be {self.wanted}")


def _members(annotation: Any) -> list[Any]:
    """The types a field accepts, through Annotated and unions."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _members(a)]
    return [annotation]


def _numeric(annotation: Any) -> bool:
    members = _members(annotation)
    return bool not in members and any(m in (int, float) for m in members)


def _bool_where(annotation: Any, value: Any) -> tuple[str, bool, Any] | None:
    """Where ``value`` holds true or false that ``annotation`` would take as a number:
    (where: '' for the value itself, else a dotted key or index inside it, the bool, the
    type it stands for), or None if nowhere."""
    if isinstance(value, bool):
        return ("", value, annotation) if _numeric(annotation) else None
    if not isinstance(value, list | tuple | dict):
        return None
    for member in _members(annotation):
        origin, args = typing.get_origin(member), typing.get_args(member)
        if origin is dict and isinstance(value, dict) and len(args) == 2:
            for key, item in value.items():
                if isinstance(key, bool) and _numeric(args[0]):
                    return str(key).lower(), key, args[0]
                inner = _bool_where(args[1], item)
                if inner is not None:
                    return ".".join(filter(None, (str(key), inner[0]))), *inner[1:]
        elif origin in (list, tuple) and isinstance(value, list | tuple) and args:
            for i, item in enumerate(value):
                if origin is list or (len(args) == 2 and args[1] is Ellipsis):
                    kind = args[0]
                else:
                    kind = args[i] if i < len(args) else None
                inner = _bool_where(kind, item)
                if inner is not None:
                    return ".".join(filter(None, (str(i), inner[0]))), *inner[1:]
    return None
