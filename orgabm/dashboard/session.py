"""One browser session's simulation: the displayed run, its A/B twin and replicates.

Everything here is plain Python (no Solara), so it is tested without a browser.
A :class:`Session` owns its models; each browser session builds its own from a
:class:`~orgabm.dashboard.links.Config`.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..analysis.stats import half_width
from ..batch.seeds import derive_seed
from ..engine.model import OrgModel
from ..teaching.levers import LEVERS, check_lever, whole_lever
from .links import Config

__all__ = ["SERIES", "Intervention", "Session", "team_layout"]

SERIES = {
    "learning": ["code_knowledge", "knowledge", "diversity", "alignment"],
    "climate": ["safety", "risk_tolerance"],
    "activity": ["experiments", "innovations", "failures", "punishments"],
}


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
        check_lever(self.scenario.assignment, name, value)
        before = float(getattr(self.model.config.leadership, name))
        value = int(value) if whole_lever(name) else float(value)
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
            said = int(counts["punishments"])
            why = ("failed experiments were punished" if not counts["silenced"] else
                   "people were punished for a failed experiment or for saying the code "
                   "was wrong")  # fmt: skip
            self.feed.append((now, f"Step {now}: {said} {why}; people grow cautious."))
        if len(self.feed) > 200:
            del self.feed[1:-150]

    # ------------------------------------------------------------------ views of the state
    def person_knowledge(self) -> np.ndarray:
        """Each employee's knowledge (March's (right - wrong) / m; on NK, fitness)."""
        return self.model.reality.knowledge(self.model.beliefs).astype(np.float32)

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
        positions = self._positions
        if key != self._layout_key or positions is None:
            positions = team_layout(model.team, model.teams)
            self._layout_key, self._positions = key, positions
        return positions

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
        half = half_width(np.nanstd(values, axis=0, ddof=1), len(frames))
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
