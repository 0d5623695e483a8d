"""One browser session's simulation: the displayed run, its A/B twin and replicates.

Everything here is plain Python (no Solara), so it is tested without a browser.
A :class:`Session` owns its models; each browser session builds its own.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..batch.seeds import derive_seed
from ..engine.model import OrgModel
from ..scenario import (
    DEFAULT_SCENARIO,
    Scenario,
    ScenarioError,
    available_scenarios,
    load_scenario,
)
from ..teaching.assignments import assignments
from ..teaching.levers import LEVERS

__all__ = [
    "COLOR_BY", "MAX_EMPLOYEES", "SESSION_BUDGET", "BudgetError", "Config",
    "Session",
]  # fmt: skip

#: The browser runs at most this many employees (the cap is said in the UI).
MAX_EMPLOYEES = 2_000
MAX_REPLICATES = 10
#: A session's memory budget, in employees x dimensions x models (the displayed run, its
#: replicates, and twice that with A/B); about 0.8 kB each, so about 200 MB a session.
SESSION_BUDGET = 240_000


class BudgetError(ValueError):
    """A session that would hold more models than the server's budget per session."""


#: What nodes can be coloured by: label -> how to compute it.
COLOR_BY = {
    "knowledge": "what each person knows: (right - wrong) / dimensions",
    "safety": "perceived psychological safety",
    "risk_tolerance": "willingness to try something new",
    "skill": "personal mastery",
    "team": "team",
    "alignment": "share of beliefs that agree with the official line",
}

SERIES = {
    "learning": ["code_knowledge", "knowledge", "diversity", "alignment"],
    "climate": ["safety", "risk_tolerance"],
    "activity": ["experiments", "innovations", "failures", "punishments"],
}


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _name_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


#: What each field of a link may hold: its check, and the words for a notice.
LINK_FIELDS = {
    "scenario": (lambda v: isinstance(v, str), "a scenario's name"),
    "seed": (_whole, "a whole number"),
    "employees": (lambda v: v is None or _whole(v), "a whole number"),
    "network": (_name_or_none, "a network's name"),
    "levers": (lambda v: isinstance(v, dict) and all(
        isinstance(k, str) and isinstance(x, (int, float)) and not isinstance(x, bool)
        for k, x in v.items()), "a mapping of lever names to numbers"),
    "compare": (_name_or_none, "a scenario's name"),
    "replicates": (_whole, "a whole number"),
    "color": (lambda v: isinstance(v, str), "a colouring's name"),
}  # fmt: skip


def _check_link_types(data: dict) -> None:
    """Raise ValueError naming the first field of a decoded link that has the wrong type
    (a hand-edited or damaged link), before anything uses it."""
    for key, (ok, allowed) in LINK_FIELDS.items():
        if key in data and not ok(data[key]):
            shown = repr(data[key])
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            raise ValueError(f"{key} {shown} must be {allowed}")


@dataclass
class Config:
    """What a session shows: the part a link encodes."""

    scenario: str = DEFAULT_SCENARIO
    seed: int = 0
    employees: int | None = None
    network: str | None = None
    levers: dict[str, float] = field(default_factory=dict)
    compare: str | None = None
    replicates: int = 0
    color: str = "knowledge"

    def encode(self) -> str:
        """The configuration as a URL-safe string (for ``?config=``)."""
        data = {k: v for k, v in asdict(self).items() if v not in (None, {}, 0) or k == "seed"}
        raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> tuple[Config, str | None]:
        """A configuration from ``encode``'s string, or the defaults and a notice (an
        assignment's link that asks for too much falls back to that assignment)."""
        if not text:
            return cls(), None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            data = json.loads(raw)
            if not isinstance(data, dict):
                raise ValueError("not a mapping")
        except (ValueError, TypeError):
            return cls(), (
                "The link's configuration could not be read (the link is damaged or "
                "incomplete); showing defaults."
            )
        try:
            _check_link_types(data)
            config = cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
            try:
                config.check()
            except BudgetError as exc:  # show the link with as many replicates as fit
                asked, config.replicates = config.replicates, max(0, config.replicate_cap())
                config.check()
                said = (f"The link asks for {asked} replicates; this server allows "
                        f"{config.replicates} with {config.size_said()} (its memory budget "
                        f"per session): showing {config.replicates}.")  # fmt: skip
                return config, said if "at most" in str(exc) else str(exc)
            return config, None
        except (ValueError, TypeError, ScenarioError) as exc:
            task = data.get("scenario")
            if isinstance(task, str) and task in assignments():
                return cls(scenario=task), (
                    f"The link's configuration could not be used ({exc}); showing the "
                    "assignment as set."
                )
            return cls(), f"The link's configuration could not be read ({exc}); showing defaults."

    @property
    def assignment(self) -> Any:
        """The scenario's assignment, or None."""
        return load_scenario(self.scenario).assignment if self.scenario.startswith(
            "assignments/") else None  # fmt: skip

    def check(self) -> None:
        """Raise ValueError unless every field is usable."""
        names = {**available_scenarios(), **assignments()}
        if self.scenario not in names:
            raise ValueError(f"unknown scenario {self.scenario!r}")
        task = self.assignment
        if task is not None:
            for name, value in self.levers.items():
                if name not in task.open:
                    raise ValueError(f"{name} is locked in this assignment")
                low, high = task.open[name]
                if not low <= float(value) <= high:
                    raise ValueError(f"{name} {value!r}: the assignment allows {low:g} to {high:g}")
            if self.employees is not None or self.network is not None:
                raise ValueError("the assignment fixes the organization's size and network")
        if self.compare is not None and self.compare not in names:
            raise ValueError(f"unknown scenario to compare {self.compare!r}")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"seed {self.seed!r} must be a whole number, 0 or more")
        if self.employees is not None and not 2 <= int(self.employees) <= MAX_EMPLOYEES:
            raise ValueError(f"employees {self.employees!r}: 2 to {MAX_EMPLOYEES:,} in the browser")
        if not 0 <= int(self.replicates) <= MAX_REPLICATES:
            raise ValueError(f"replicates {self.replicates!r}: 0 to {MAX_REPLICATES}")
        if self.color not in COLOR_BY:
            raise ValueError(f"unknown colouring {self.color!r}")
        for name in self.levers:
            if name not in LEVERS:
                raise ValueError(f"unknown lever {name!r}")
        scenario = self.scenario_for()  # validates levers' values, network and size together
        cap = self.replicate_cap(scenario)
        if cap < 0:
            raise BudgetError(f"{self.size_said(scenario)}: more than the server's memory "
                              "budget per session; use fewer employees or no A/B")  # fmt: skip
        if int(self.replicates) > cap:
            raise BudgetError(f"replicates {self.replicates!r}: at most {max(cap, 0)} with "
                              f"{self.size_said(scenario)} (the server's memory budget per "
                              "session)")  # fmt: skip

    def size_said(self, scenario: Scenario | None = None) -> str:
        """The session's size in words: employees, dimensions and A/B."""
        scenario = scenario or self.scenario_for()
        ab = " and A/B" if self.compare else ""
        return (f"{scenario.organization.employees:,} employees, "
                f"{scenario.environment.dimensions} dimensions{ab}")  # fmt: skip

    def replicate_cap(self, scenario: Scenario | None = None) -> int:
        """The most replicates this size allows: employees x dimensions x (1 + replicates)
        x (2 with A/B) stays within SESSION_BUDGET (-1 if even the run alone does not)."""
        scenario = scenario or self.scenario_for()
        per_model = scenario.organization.employees * scenario.environment.dimensions
        models = SESSION_BUDGET // (per_model * (2 if self.compare else 1))
        return min(MAX_REPLICATES, models - 1)

    def overrides(self) -> dict[str, Any]:
        """Scenario overrides for the displayed run."""
        sets: dict[str, Any] = {f"leadership.{k}": v for k, v in self.levers.items()}
        if self.employees is not None:
            sets["organization.employees"] = int(self.employees)
        if self.network is not None:
            sets["organization.network.kind"] = self.network
        return sets

    def scenario_for(self, policy: str | None = None) -> Scenario:
        """The displayed run's scenario; with ``policy``, that preset's leadership instead."""
        base = load_scenario(self.scenario, self.overrides())
        if base.organization.employees > MAX_EMPLOYEES:
            base = load_scenario(
                self.scenario, {**self.overrides(), "organization.employees": MAX_EMPLOYEES}
            )
        if policy is None:
            return base
        other = load_scenario(policy)
        data = base.model_dump()
        data["leadership"] = other.leadership.model_dump()
        data["team_leadership"] = {
            t: v
            for t, v in other.model_dump()["team_leadership"].items()
            if t < base.organization.teams
        }
        return Scenario.model_validate(data)


@dataclass
class Intervention:
    """A lever changed during the run: by the user, or by the scenario's script (event)."""

    step: int
    lever: str
    before: float
    after: float
    source: str = "user"


class Session:
    """The models behind one browser session, stepped together."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.config.check()
        self.scenario = self.config.scenario_for()
        self.model = OrgModel(self.scenario, rng=self.config.seed)
        self.twin = (
            OrgModel(self.config.scenario_for(self.config.compare), rng=self.config.seed)
            if self.config.compare
            else None
        )
        self.replicates = [
            OrgModel(self.scenario, rng=derive_seed(self.config.seed, k))
            for k in range(1, int(self.config.replicates) + 1)
        ]
        self.interventions: list[Intervention] = []
        first = self.scenario.description.split(".")[0]
        self.feed: list[tuple[int, str]] = [(0, f"Scenario {self.config.scenario}: {first}.")]
        self.knowledge_history: list[np.ndarray] = [self.person_knowledge()]
        self._seen_events = 0
        #: counts lever changes made by scripted events (the sidebar redraws its sliders)
        self.scripted_changes = 0
        self._layout_key: tuple | None = None
        self._positions: np.ndarray | None = None

    # ------------------------------------------------------------------ running
    @property
    def time(self) -> int:
        """Steps run so far."""
        return int(self.model.time)

    @property
    def running(self) -> bool:
        """Whether the displayed run can step further."""
        return self.model.running

    def step(self, steps: int = 1) -> None:
        """Step every model of the session (the displayed run leads)."""
        for _ in range(steps):
            if not self.model.running:
                return
            before = {name: float(getattr(self.model.config.leadership, name)) for name in LEVERS}
            for model in [self.model, *([self.twin] if self.twin else []), *self.replicates]:
                if model.running:
                    model.step()
            self.knowledge_history.append(self.person_knowledge())
            self._narrate(before)

    def set_lever(self, name: str, value: float) -> None:
        """Change a lever of the displayed run (and its replicates) from the next step on.

        An assignment's locked levers, and open ones outside their range, raise ValueError.
        """
        if name not in LEVERS:
            raise ValueError(f"unknown lever {name!r}")
        task = self.scenario.assignment
        if task is not None:
            if name not in task.open:
                raise ValueError(f"{name} is locked in this assignment")
            low, high = task.open[name]
            if not low <= float(value) <= high:
                raise ValueError(f"{name} {value!r}: the assignment allows {low:g} to {high:g}")
        before = float(getattr(self.model.config.leadership, name))
        value = int(value) if name == "after_action_reviews" else float(value)
        if value == before:
            return
        for model in [self.model, *self.replicates]:
            model.change({f"leadership.{name}": value})
        self.config.levers[name] = value
        self.interventions.append(Intervention(self.time, name, before, value))
        label = name.replace("_", " ")
        self.feed.append(
            (self.time, f"Intervention at step {self.time}: {label} {before:g} -> {value:g}.")
        )

    def lever(self, name: str) -> float:
        """A lever's current value in the displayed run."""
        return getattr(self.model.config.leadership, name)

    # ------------------------------------------------------------------ narration
    def _narrate(self, levers_before: dict[str, float] | None = None) -> None:
        model, now = self.model, self.time
        for at, text in model.event_log[self._seen_events :]:
            if not text.startswith("new settings"):  # lever changes are narrated below
                self.feed.append((at, f"Step {at}: {text}."))
        self._seen_events = len(model.event_log)
        if levers_before is not None:
            changed = []
            for name in LEVERS:
                after = float(getattr(model.config.leadership, name))
                if after != levers_before[name]:
                    self.interventions.append(
                        Intervention(now, name, levers_before[name], after, "scripted")
                    )
                    changed.append(f"{name.replace('_', ' ')} {levers_before[name]:g} -> {after:g}")
            if changed:
                self.scripted_changes += 1
                self.feed.append((now, f"Step {now}, scripted in the scenario: "
                                       f"{', '.join(changed)}."))  # fmt: skip
        counts = model.counts
        if counts["reviews"]:
            reviewed = np.flatnonzero(model.last_review_failures)
            for team in reviewed[:3]:
                fails = int(model.last_review_failures[team])
                self.feed.append(
                    (
                        now,
                        f"Step {now}: team {team}'s review turned {fails} "
                        f"reported failure{'s' if fails > 1 else ''} into "
                        "knowledge.",
                    )
                )
            model.last_review_failures[reviewed] = 0
        quiet = all(at < now - 10 or "punished" not in text for at, text in self.feed[-12:])
        if counts["punishments"] >= max(3, 0.05 * model.employees) and quiet:
            self.feed.append(
                (
                    now,
                    f"Step {now}: {int(counts['punishments'])} failed experiments "
                    "were punished; people grow cautious.",
                )
            )
        if len(self.feed) > 200:
            del self.feed[1:-150]

    # ------------------------------------------------------------------ views of the state
    def person_knowledge(self) -> np.ndarray:
        """Each employee's knowledge, (right - wrong) / m."""
        model = self.model
        return (model.reality.score(model.beliefs) / model.dimensions).astype(np.float32)

    def attribute(self, name: str) -> np.ndarray:
        """The per-employee values nodes are coloured by."""
        model = self.model
        if name == "knowledge":
            return self.person_knowledge()
        if name == "alignment":
            return (model.beliefs == model.code).mean(axis=1)
        if name == "team":
            return model.team.astype(float)
        return getattr(model, name)

    def positions(self) -> np.ndarray:
        """Each employee's (x, y): teams around a circle, members around their team's centre."""
        model = self.model
        key = (model.employees, model.team.tobytes())
        if key != self._layout_key:
            self._layout_key = key
            self._positions = team_layout(model.team, model.teams)
        return self._positions

    def ties_json(self) -> str:
        """The drawn ties as JSON rows (x, y, x2, y2), kept until the layout changes."""
        xy = np.round(self.positions(), 3)
        key = self._layout_key
        if getattr(self, "_ties_key", None) != key or self.model.ties is not getattr(
            self, "_ties_of", None
        ):
            pairs = self.ties()
            rows = [{"x": float(xy[a, 0]), "y": float(xy[a, 1]), "x2": float(xy[b, 0]),
                     "y2": float(xy[b, 1])} for a, b in pairs]  # fmt: skip
            self._ties_text = json.dumps(rows, separators=(",", ":"))
            self._ties_key, self._ties_of = key, self.model.ties
        return self._ties_text

    def ties(self, most: int = 1_500) -> np.ndarray:
        """The ties as row pairs (i < j); at most ``most`` of them, evenly chosen."""
        ties = self.model.ties
        pairs = np.stack([ties.owner, ties.indices], axis=1)
        pairs = pairs[pairs[:, 0] < pairs[:, 1]]
        if len(pairs) > most:
            pairs = pairs[np.linspace(0, len(pairs) - 1, most).astype(int)]
        return pairs

    def inspect(self, row: int) -> dict[str, Any] | None:
        """What the inspector shows for one employee, or None for an unknown row."""
        model = self.model
        if not 0 <= row < model.employees:
            return None
        history = [float(h[row]) if row < len(h) else float("nan") for h in self.knowledge_history]
        return {
            "row": row,
            "team": int(model.team[row]),
            "leader": bool(model.is_leader[row]),
            "tenure": int(model.tenure[row]),
            "skill": float(model.skill[row]),
            "risk_tolerance": float(model.risk_tolerance[row]),
            "safety": float(model.safety[row]),
            "openness": float(model.openness[row]),
            "knowledge": float(self.person_knowledge()[row]),
            "beliefs": model.beliefs[row].tolist(),
            "reality": model.reality.values.tolist(),
            "code": model.code.tolist(),
            "history": history,
        }

    def frames(self) -> dict[str, pd.DataFrame]:
        """Metrics per step: the displayed run ("A"), its twin ("B") and replicates."""
        out = {"A": self.model.metrics_frame()}
        if self.twin is not None:
            out["B"] = self.twin.metrics_frame()
        for k, model in enumerate(self.replicates, start=1):
            out[f"r{k}"] = model.metrics_frame()
        return out

    def band(self, metric: str) -> pd.DataFrame | None:
        """Mean and 95% band of a metric over the displayed run and its replicates."""
        if not self.replicates:
            return None
        frames = [self.model.metrics_frame(), *(m.metrics_frame() for m in self.replicates)]
        steps = min(len(f) for f in frames)
        values = np.stack([f[metric].to_numpy()[:steps] for f in frames])
        mean = np.nanmean(values, axis=0)
        half = 1.96 * np.nanstd(values, axis=0, ddof=1) / np.sqrt(len(frames))
        return pd.DataFrame(
            {
                "step": frames[0]["step"].to_numpy()[:steps],
                "mean": mean,
                "low": mean - half,
                "high": mean + half,
            }
        )

    # ------------------------------------------------------------------ export
    def manifest(self) -> dict[str, Any]:
        """The scenario (with every change so far), seed, interventions and versions."""
        from ..version import versions

        return {
            "scenario_yaml": self.model.config.to_yaml(),
            "seed": self.config.seed,
            "compare_with": self.config.compare,
            "replicates": self.config.replicates,
            "interventions": [asdict(i) for i in self.interventions],
            "steps": self.time,
            "versions": versions(),
        }

    def export(self, kind: str) -> bytes:
        """A zip of the displayed run (``csv`` or ``parquet``) and ``manifest.json``."""
        frame = self.model.metrics_frame()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            if kind == "csv":
                archive.writestr("run.csv", frame.to_csv(index=False))
            else:
                data = io.BytesIO()
                frame.to_parquet(data, index=False)
                archive.writestr("run.parquet", data.getvalue())
            archive.writestr("manifest.json", json.dumps(self.manifest(), indent=2))
            archive.writestr("scenario.yaml", self.model.config.to_yaml())
        return buffer.getvalue()

    def charts_png(self) -> bytes:
        """The charts as one PNG (drawn with matplotlib on the server)."""
        from matplotlib.figure import Figure

        frames = self.frames()
        fig = Figure(figsize=(12, 7), dpi=100, layout="constrained")
        axes = fig.subplots(2, 2).ravel()
        panels = [*SERIES.items(), ("teams", None)]
        for ax, (title, metrics) in zip(axes, panels, strict=True):
            if metrics is None:
                teams = self.model.team_frame()
                for team, part in teams.groupby("team"):
                    ax.plot(part["step"], part["knowledge"], label=f"team {team}")
            else:
                for run, frame in frames.items():
                    if run.startswith("r"):
                        continue
                    for metric in metrics:
                        style = "-" if run == "A" else "--"
                        ax.plot(frame["step"], frame[metric], style, label=f"{metric} ({run})")
            for i in self.interventions:
                ax.axvline(i.step, color="k", lw=0.8, ls=":")
            ax.set_title(title)
            ax.set_xlabel("step")
            ax.legend(fontsize=6, ncol=2)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
        return buffer.getvalue()


def team_layout(team: np.ndarray, teams: int) -> np.ndarray:
    """(x, y) per employee: team centres on a circle, members on a small circle around it."""
    n = len(team)
    positions = np.zeros((n, 2))
    sizes = np.bincount(team, minlength=teams)
    angle = 2 * np.pi * np.arange(teams) / max(teams, 1)
    centres = (
        np.zeros((teams, 2)) if teams == 1 else np.stack([np.cos(angle), np.sin(angle)], axis=1)
    )
    radius = 0.9 if teams == 1 else min(0.62 * np.sin(np.pi / teams), 0.45)
    order = np.argsort(team, kind="stable")
    within = np.empty(n, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    within[order] = np.arange(n) - np.repeat(starts, sizes)
    theta = 2 * np.pi * within / np.maximum(sizes[team], 1)
    scale = radius * np.sqrt(np.maximum(sizes[team], 1) / max(sizes.max(), 1))
    positions[:, 0] = centres[team, 0] + scale * np.cos(theta)
    positions[:, 1] = centres[team, 1] + scale * np.sin(theta)
    return positions
