"""Vega-Lite specifications for the dashboard, built as plain dictionaries (fast: no
Altair validation on every frame)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .session import SERIES, Session

__all__ = ["belief_strip", "network_spec", "series_spec", "team_spec"]

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
OUTCOME_COLORS = {"success": "#1a9850", "failure": "#f39c12", "punished": "#d7191c"}
CONTINUOUS = {
    "knowledge": [-1, 1],
    "safety": [0, 1],
    "risk_tolerance": [0, 1],
    "skill": [0, 1],
    "alignment": [0, 1],
}


def _axisless(field: str) -> dict[str, Any]:
    return {
        "field": field,
        "type": "quantitative",
        "axis": None,
        "scale": {"domain": [-1.25, 1.25]},
    }


def network_spec(session: Session, color: str, width: int = 520) -> dict[str, Any]:
    """The organization: ties, employees coloured by ``color`` and sized by skill, and this
    step's experiments (green worked, orange failed, red punished)."""
    model = session.model
    xy = session.positions()
    values = session.attribute(color)
    xy = np.round(xy, 3)
    nodes = [
        {
            "x": round(float(x), 3),
            "y": round(float(y), 3),
            "row": i,
            "team": int(t),
            "value": round(float(v), 3),
            "skill": round(float(s), 3),
        }
        for i, ((x, y), t, v, s) in enumerate(zip(xy, model.team, values, model.skill, strict=True))
    ]
    edges = session.ties_json()
    marks = []
    trial = model.last_trial
    if trial is not None and len(trial.rows):
        punished = set(model.last_punished.tolist())
        # as its author saw it: that is what leaders answered (a punished trial may have
        # truly worked, seen through noisy feedback)
        for row, seen in zip(trial.rows.tolist(), trial.seen.tolist(), strict=True):
            outcome = "success" if seen else ("punished" if row in punished else "failure")
            marks.append({"x": float(xy[row, 0]), "y": float(xy[row, 1]), "outcome": outcome})
    if color == "team":
        color_enc = {
            "field": "value",
            "type": "nominal",
            "title": "team",
            "scale": {"scheme": "category20"},
        }
    else:
        color_enc = {
            "field": "value",
            "type": "quantitative",
            "title": color.replace("_", " "),
            "scale": {"scheme": "viridis", "domain": CONTINUOUS[color]},
        }
    size = max(12, min(140, 9000 / max(model.employees, 1)))
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": edges},
            "mark": {"type": "rule", "opacity": 0.12, "color": "#555"},
            "encoding": {
                "x": _axisless("x"),
                "y": _axisless("y"),
                "x2": {"field": "x2"},
                "y2": {"field": "y2"},
            },
        },
        {
            "data": {"values": nodes},
            "mark": {"type": "circle", "opacity": 0.95, "cursor": "pointer"},
            "encoding": {
                "x": _axisless("x"),
                "y": _axisless("y"),
                "color": color_enc,
                "size": {
                    "field": "skill",
                    "type": "quantitative",
                    "legend": None,
                    "scale": {"domain": [0, 1], "range": [size * 0.3, size * 1.6]},
                },
                "tooltip": [
                    {"field": "row", "title": "employee"},
                    {"field": "team"},
                    {"field": "value", "title": color.replace("_", " ")},
                    {"field": "skill"},
                ],
            },
        },
    ]
    layers.append(  # always there (maybe empty), so the spec stays the same
        {
            "data": {"values": marks},
            "mark": {"type": "point", "filled": False, "strokeWidth": 2.5, "size": size * 3.5},
            "encoding": {
                "x": _axisless("x"),
                "y": _axisless("y"),
                "color": {
                    "field": "outcome",
                    "type": "nominal",
                    "title": "experiment",
                    "scale": {
                        "domain": list(OUTCOME_COLORS),
                        "range": list(OUTCOME_COLORS.values()),
                    },
                },
                "shape": {
                    "field": "outcome",
                    "type": "nominal",
                    "legend": None,
                    "scale": {
                        "domain": list(OUTCOME_COLORS),
                        "range": ["circle", "circle", "cross"],
                    },
                },
            },
        }
    )
    return {
        "$schema": SCHEMA,
        "width": width,
        "height": width,
        "layer": layers,
        "resolve": {"scale": {"color": "independent"}},
        "config": {"view": {"stroke": None}},
        "autosize": {"type": "fit"},
    }


def _rules(session: Session) -> dict[str, Any]:
    marks = [
        {"step": i.step, "what": f"{i.lever.replace('_', ' ')} {i.before:g} -> {i.after:g}"}
        for i in session.interventions
    ]
    return {
        "data": {"values": marks},
        "mark": {"type": "rule", "strokeDash": [4, 3], "color": "black"},
        "encoding": {
            "x": {"field": "step", "type": "quantitative"},
            "tooltip": [{"field": "step"}, {"field": "what", "title": "intervention"}],
        },
    }


def series_spec(
    session: Session, panel: str, title: str, width: int = 420, height: int = 180
) -> dict[str, Any]:
    """Metrics over time for one panel; A and B overlaid; a replicate band when on;
    every intervention a dashed rule."""
    metrics = SERIES[panel]
    frames = session.frames()
    names = (
        {"A": f"A: {session.config.scenario}", "B": f"B: {session.config.compare} leadership"}
        if "B" in frames
        else {"A": "this run"}
    )
    rows = []
    for run in ("A", "B"):
        if run not in frames:
            continue
        frame = frames[run]
        for metric in metrics:
            for step, value in zip(frame["step"].tolist(), frame[metric].tolist(), strict=True):
                if value == value:  # skip NaN
                    rows.append(
                        {
                            "step": step,
                            "value": round(value, 4),
                            "metric": metric,
                            "run": names[run],
                        }
                    )
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": rows},
            "mark": {"type": "line", "strokeWidth": 1.8},
            "encoding": {
                "x": {"field": "step", "type": "quantitative"},
                "y": {"field": "value", "type": "quantitative", "title": None},
                "color": {"field": "metric", "type": "nominal", "title": None},
                "strokeDash": {
                    "field": "run",
                    "type": "nominal",
                    "title": None,
                    "scale": {
                        "domain": list(names.values()),
                        "range": [[1, 0], [6, 3]][: len(names)],
                    },
                },
                "tooltip": [
                    {"field": "step"},
                    {"field": "metric"},
                    {"field": "value"},
                    {"field": "run"},
                ],
            },
        },
    ]
    if session.replicates:
        bands = []
        for metric in metrics:
            band = session.band(metric)
            if band is None:  # no replicates (checked above)
                continue
            for r in band.itertuples(index=False):
                if r.mean == r.mean:
                    bands.append(
                        {
                            "step": int(r.step),
                            "metric": metric,
                            "low": round(float(r.low), 4),
                            "high": round(float(r.high), 4),
                        }
                    )
        layers.insert(
            0,
            {
                "data": {"values": bands},
                "mark": {"type": "area", "opacity": 0.18},
                "encoding": {
                    "x": {"field": "step", "type": "quantitative"},
                    "y": {"field": "low", "type": "quantitative"},
                    "y2": {"field": "high"},
                    "color": {"field": "metric", "type": "nominal"},
                },
            },
        )
    layers.append(_rules(session))
    return {"$schema": SCHEMA, "title": title, "width": width, "height": height, "layer": layers}


def team_spec(session: Session, width: int = 420, height: int = 180) -> dict[str, Any]:
    """Each team's mean knowledge over time."""
    teams = session.model.team_frame()
    rows = [
        {"step": int(s), "team": f"team {int(t)}", "value": round(float(v), 4)}
        for s, t, v in zip(teams["step"], teams["team"], teams["knowledge"], strict=True)
        if v == v
    ]
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": rows},
            "mark": {"type": "line", "strokeWidth": 1.3},
            "encoding": {
                "x": {"field": "step", "type": "quantitative"},
                "y": {"field": "value", "type": "quantitative", "title": "knowledge"},
                "color": {
                    "field": "team",
                    "type": "nominal",
                    "title": None,
                    "sort": None,
                    "scale": {"scheme": "category20"},
                },
            },
        }
    ]
    layers.append(_rules(session))
    return {
        "$schema": SCHEMA,
        "title": "Each team's knowledge",
        "width": width,
        "height": height,
        "layer": layers,
    }


def belief_strip(info: dict[str, Any], width: int = 380) -> dict[str, Any]:
    """An employee's beliefs against reality (and the code), one cell per dimension."""
    rows = []
    for d, (b, r, c) in enumerate(zip(info["beliefs"], info["reality"], info["code"], strict=True)):
        rows.append({"dimension": d, "row": "reality", "value": r})
        rows.append({"dimension": d, "row": "belief", "value": b})
        rows.append({"dimension": d, "row": "code", "value": c})
    return {
        "$schema": SCHEMA,
        "width": width,
        "height": 66,
        "data": {"values": rows},
        "mark": "rect",
        "encoding": {
            "x": {"field": "dimension", "type": "ordinal", "axis": None},
            "y": {
                "field": "row",
                "type": "nominal",
                "title": None,
                "sort": ["reality", "belief", "code"],
            },
            "color": {
                "field": "value",
                "type": "quantitative",
                "title": None,
                "scale": {"domain": [-1, 0, 1], "range": ["#d7191c", "#eeeeee", "#2c7bb6"]},
                "legend": None,
            },
            "tooltip": [{"field": "dimension"}, {"field": "row"}, {"field": "value"}],
        },
    }


def history_spec(info: dict[str, Any], width: int = 380) -> dict[str, Any]:
    """An employee's knowledge over time."""
    rows = [{"step": i, "knowledge": v} for i, v in enumerate(info["history"]) if v == v]
    return {
        "$schema": SCHEMA,
        "width": width,
        "height": 90,
        "data": {"values": rows},
        "mark": "line",
        "encoding": {
            "x": {"field": "step", "type": "quantitative"},
            "y": {"field": "knowledge", "type": "quantitative", "scale": {"domain": [-1, 1]}},
        },
    }
