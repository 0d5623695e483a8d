"""Where a sweep's points come from: ``--vary`` values, their grid, and design files
(a grid, or a Latin hypercube or Sobol sample of ranges)."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..scenario import ScenarioError, parse_override
from .errors import SweepError, SweepParameterError

__all__ = ["DESIGN_SYNONYMS", "Design", "design_points", "grid_points", "load_design", "parse_vary"]


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``PATH=SPEC`` -> (path, values). SPEC is ``a,b,c`` or ``start:stop:count``."""
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    example = "e.g. leadership.socialization=0.1,0.5,0.9 or leadership.socialization=0.1:0.9:9"
    if not sep or not path or not spec:
        raise SweepParameterError("vary", text, f"expected PATH=SPEC, {example}")
    if ":" in spec:
        parts = spec.split(":")
        try:
            start, stop, count = float(parts[0]), float(parts[1]), int(parts[2])
            if len(parts) != 3 or count < 1:
                raise ValueError
        except (ValueError, IndexError):
            raise SweepParameterError(
                "vary",
                text,
                f"a range is start:stop:count with a whole count of 1 or more, {example}",
            ) from None
        values = [float(v) for v in np.linspace(start, stop, count)]
        values = [round(v, 12) for v in values]
    else:
        values = [parse_override(f"x={item}")[1] for item in spec.split(",")]
        if any(v == "" for v in values):
            raise SweepParameterError("vary", text, f"an empty value in the list, {example}")
    if len(set(map(repr, values))) != len(values):
        raise SweepParameterError("vary", text, "a value is repeated")
    return path, values


def grid_points(vary: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of the varied values (the first path varies slowest)."""
    paths = list(vary)
    return [dict(zip(paths, combo, strict=True)) for combo in itertools.product(*vary.values())]


class _Range(BaseModel):
    model_config = ConfigDict(extra="forbid")
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self) -> _Range:
        if not self.high > self.low:
            raise ValueError(f"high ({self.high}) must be above low ({self.low})")
        return self


class _Steps(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: float
    stop: float
    count: int = Field(ge=1)


class Design(BaseModel):
    """A sweep design file: a grid of values, or a Latin hypercube or Sobol sample of ranges."""

    model_config = ConfigDict(extra="forbid")
    design: Literal["grid", "lhs", "sobol"] = "grid"
    samples: int | None = Field(None, ge=1, description="points, for lhs and sobol")
    seed: int = Field(0, ge=0, description="the sampler's seed")
    parameters: dict[str, list[Any] | _Steps | _Range]

    @model_validator(mode="after")
    def _consistent(self) -> Design:
        if not self.parameters:
            raise ValueError("parameters: give at least one scenario path")
        for path, spec in self.parameters.items():
            if self.design == "grid" and isinstance(spec, _Range):
                raise ValueError(
                    f"parameters.{path}: a grid takes a list or start/stop/count, not low/high"
                )
            if self.design != "grid" and not isinstance(spec, _Range):
                raise ValueError(f"parameters.{path}: {self.design} takes low/high ranges")
        if self.design == "grid":
            return self
        if self.samples is None:
            raise ValueError(f"samples: {self.design} needs the number of points")
        if self.design == "sobol" and self.samples & (self.samples - 1):
            raise ValueError(f"samples: {self.samples} is not allowed: sobol needs a power of 2")
        return self


def _grid_values(path: str, spec: list[Any] | _Steps | _Range) -> list[Any]:
    """One path's values in a grid: its list, or its start/stop/count spread out."""
    if isinstance(spec, _Steps):
        return [round(float(v), 12) for v in np.linspace(spec.start, spec.stop, spec.count)]
    if isinstance(spec, _Range):  # Design's validator refuses these; model_construct does not
        raise SweepError(
            f"parameters.{path}: a grid takes a list or start/stop/count, not low/high"
        )
    return list(spec)


def _ranges(design: Design) -> dict[str, _Range]:
    """A sampled design's ranges, by path (its validator allows nothing else)."""
    ranges = {}
    for path, spec in design.parameters.items():
        if not isinstance(spec, _Range):
            raise SweepError(f"parameters.{path}: {design.design} takes low/high ranges")
        ranges[path] = spec
    return ranges


def design_points(design: Design) -> list[dict[str, Any]]:
    """The points of a design: the grid's combinations, or the sampler's points."""
    if design.design == "grid":
        return grid_points({path: _grid_values(path, spec)
                            for path, spec in design.parameters.items()})  # fmt: skip
    from scipy.stats import qmc

    ranges = _ranges(design)
    paths = list(ranges)
    dims = len(paths)
    if design.design == "lhs":
        unit = qmc.LatinHypercube(d=dims, seed=design.seed).random(design.samples)
    else:
        unit = qmc.Sobol(d=dims, scramble=True, seed=design.seed).random(design.samples)
    lows = np.array([ranges[p].low for p in paths])
    highs = np.array([ranges[p].high for p in paths])
    values = qmc.scale(unit, lows, highs)
    return [{p: float(v) for p, v in zip(paths, row, strict=True)} for row in values]


#: Words people use for a design file's keys.
DESIGN_SYNONYMS = {"kind": "design", "type": "design", "method": "design", "sampler": "design",
                   "n": "samples", "params": "parameters", "vary": "parameters"}  # fmt: skip


def load_design(path: str | Path) -> Design:
    """A design file, validated, or a one-line SweepError."""
    from ..scenario import read_yaml

    try:
        data = read_yaml(Path(path))
    except ScenarioError as exc:
        raise SweepError(str(exc)) from None
    try:
        return Design.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            where = ".".join(str(x) for x in err["loc"]) or "(top level)"
            said = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                allowed = list(Design.model_fields)
                key = str(err["loc"][-1])
                close = difflib.get_close_matches(key, allowed, n=1) or (
                    [DESIGN_SYNONYMS[key]] if key in DESIGN_SYNONYMS else [])  # fmt: skip
                hint = f"; did you mean '{close[0]}'?" if close else ""
                said = f"unknown key (allowed: {', '.join(allowed)}){hint}"
            problems.append(f"{where}: {said}")
        raise SweepError(f"{path}: " + "; ".join(problems)) from None
