"""Translating pydantic's errors into one line in the scenario's own words, with suggestions."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    BaseModel,
)

from .errors import FieldError, cut, shown
from .fields import BoolError
from .networks import NETWORK_KINDS

__all__ = []


def kind_of(value: Any) -> str:
    return {list: "a list", str: "a string", int: "a number", float: "a number"}.get(
        type(value), type(value).__name__
    )


def _section_class(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, list[str]]:
    """Walk the schema along a pydantic error location.

    Returns the section class that holds the last key, and the location as
    user-facing keys (a discriminated union's tag is dropped).
    """
    from .schema import Scenario  # the schema reports through this module

    cls: type[BaseModel] | None = Scenario
    holder: type[BaseModel] | None = Scenario
    keys: list[str] = []
    i = 0
    while i < len(loc):
        key = str(loc[i])
        keys.append(key)
        holder = cls
        field = cls.model_fields.get(key) if cls is not None else None
        if field is None:
            cls, skip = None, 0
        else:
            nxt = loc[i + 1] if i + 1 < len(loc) else None
            cls, skip = _resolve_annotation(field.annotation, nxt)
            if nxt is None:
                skip = 0
            elif skip and typing.get_origin(field.annotation) in (dict, list):
                keys.append(str(nxt))  # a mapping's key or a list's index stays in the path
        i += 1 + skip
    return holder, keys


def _resolve_annotation(annotation: Any, next_item: Any) -> tuple[type[BaseModel] | None, int]:
    """The BaseModel class a field holds, and 1 if the next loc item is a union tag,
    a mapping's key or a list's index."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (dict, list):
        cls, _ = _resolve_annotation(args[-1], None)
        return cls, 1
    if typing.get_origin(annotation) is Annotated:
        return _resolve_annotation(args[0], next_item)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        for m in models:
            if "kind" in m.model_fields and m.model_fields["kind"].default == next_item:
                return m, 1
        return (models[0] if len(models) == 1 else None), 0
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, 0
    return None, 0


def _all_models(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for a in typing.get_args(annotation) for m in _all_models(a)]


def _allowed_keys(holder: type[BaseModel] | None) -> list[str]:
    return list(holder.model_fields) if holder is not None else []


def describe(err: Mapping[str, Any], data: Mapping[str, Any]) -> str:
    """One clause naming the key path, the bad value and what is allowed."""
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    value = err.get("input")
    holder, keys = _section_class(loc)
    path = cut(".".join(keys) or "(top level)")
    ctx = err.get("ctx") or {}

    if kind == "extra_forbidden":
        allowed = _allowed_keys(holder)
        close = difflib.get_close_matches(keys[-1], allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        where = cut(".".join(keys[:-1]) or "the top level")
        return f"{path}: unknown key in {where} (allowed: {', '.join(allowed)}){hint}"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = list(NETWORK_KINDS)
        got = ctx.get("tag", value.get("kind") if isinstance(value, dict) else value)
        path = path if path.endswith("kind") else path + ".kind"
        close = difflib.get_close_matches(str(got), tags, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        if kind == "union_tag_not_found":
            return f"{path}: missing; allowed: {', '.join(tags)}"
        return f"{path}: {shown(got)} is not allowed: must be one of {', '.join(tags)}{hint}"
    if kind == "value_error" and isinstance(ctx.get("error"), BoolError):
        be: BoolError = ctx["error"]
        where = cut(".".join([*keys, be.key]))
        return f"{where}: {be.flag} is not allowed: must be {be.wanted}, not true or false"
    if kind == "value_error" and isinstance(ctx.get("error"), FieldError):
        fe: FieldError = ctx["error"]
        return str(fe)
    if kind == "value_error":
        return f"{path}: {shown(value)} is not allowed: {ctx.get('error', err.get('msg'))}"
    if kind == "missing":
        return f"{path}: missing"
    if kind == "finite_number":
        return f"{path}: {shown(value)} is not allowed: must be a finite number (not .inf or .nan)"
    if kind == "literal_error":
        return f"{path}: {shown(value)} is not allowed: must be {ctx.get('expected', '')}"
    bounds = {
        "greater_than_equal": ("at least", "ge"),
        "less_than_equal": ("at most", "le"),
        "greater_than": ("more than", "gt"),
        "less_than": ("less than", "lt"),
    }
    if kind in bounds:
        word, key = bounds[kind]
        return f"{path}: {shown(value)} is not allowed: must be {word} {ctx.get(key)}"
    if kind.endswith(("_type", "_parsing", "_from_float")):
        expected = {
            "int": "a whole number",
            "float": "a number",
            "bool": "true or false",
            "string": "text",
            "model": "a section (a mapping of settings)",
            "dict": "a section (a mapping of settings)",
        }
        what = next((v for k, v in expected.items() if kind.startswith(k)), kind)
        return f"{path}: {shown(value)} is not allowed: must be {what}"
    return f"{path}: {shown(value)} is not allowed: {err.get('msg', kind)}"
