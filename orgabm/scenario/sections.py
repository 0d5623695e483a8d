"""The sections of a scenario: organization, environment, workforce, leadership, calibration,
events.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    create_model,
    model_validator,
)

from .errors import FieldError
from .fields import Interval, Probability, Section
from .networks import CompleteNetwork, Network

__all__ = [
    "MAX_NK_DIMENSIONS",
    "MAX_TIES",
    "MUTABLE",
    "TEAM_LEVERS",
    "Calibration",
    "Environment",
    "Event",
    "FastLearners",
    "Leadership",
    "Organization",
    "TeamLeadership",
    "Trait",
    "Workforce",
]


#: Largest NK landscape: its maximum is found by trying all 2^N solutions.
MAX_NK_DIMENSIONS = 24


#: Most ties a network may have (a complete network of 2,000 employees has 1,999,000).
MAX_TIES = 2_000_000


# --------------------------------------------------------------------------- sections
class Organization(Section):
    """Who works here and how they are tied."""

    employees: int = Field(50, ge=2, le=1_000_000, description="number of employees")
    teams: int = Field(1, ge=1, description="number of teams")
    network: Network = Field(default_factory=CompleteNetwork)


class Environment(Section):
    """The hidden reality the organization learns about."""

    kind: Literal["march", "nk"] = Field(
        "march", description="march: independent dimensions; nk: interdependent (NK landscape)"
    )
    dimensions: int = Field(30, ge=1, le=10_000, description="dimensions of reality (m, or N)")
    turbulence: Probability = Field(0.0, description="per-step change probability (p4)")
    k: int = Field(0, ge=0, description="NK: how many other dimensions each one depends on")
    interactions: Literal["random", "adjacent"] = Field(
        "random", description="NK: which dimensions each one depends on"
    )
    power: int = Field(1, ge=1, le=64, description="NK: fitness is raised to this whole power")
    tacit: Probability = Field(
        0.0, description="share of dimensions the code cannot capture (tacit knowledge)"
    )

    @model_validator(mode="after")
    def _check_kind(self) -> Environment:
        if self.kind == "march" and self.k:
            raise FieldError("environment.k", self.k, "0 with kind march (use kind: nk)")
        if self.kind == "march" and self.power != 1:
            raise FieldError("environment.power", self.power, "1 with kind march")
        if self.kind == "nk":
            if self.dimensions > MAX_NK_DIMENSIONS:
                raise FieldError(
                    "environment.dimensions",
                    self.dimensions,
                    f"at most {MAX_NK_DIMENSIONS} with kind nk (its maximum is found exhaustively)",
                )
            if self.k >= self.dimensions:
                raise FieldError("environment.k", self.k, f"below dimensions ({self.dimensions})")
        return self


class FastLearners(Section):
    """A share of employees with their own socialization rate (March's Figures 2 and 3)."""

    share: Probability = Field(0.0, description="share of employees who learn fast")
    socialization: Probability = Field(0.9, description="their socialization rate")


class Trait(Section):
    """How a trait in [0, 1] is spread over employees: a Beta distribution with this mean and sd."""

    mean: Probability
    sd: float = Field(0.0, ge=0.0, le=0.5, description="standard deviation; 0 for everyone alike")

    @model_validator(mode="after")
    def _check_spread(self) -> Trait:
        limit = (self.mean * (1.0 - self.mean)) ** 0.5
        if self.sd and self.sd >= limit:
            raise ValueError(
                f"sd {self.sd} is too wide for mean {self.mean}: must be below "
                f"sqrt(mean x (1 - mean)) = {limit:.3g}"
            )
        return self


def _trait(mean: float, sd: float, what: str) -> Any:
    return Field(default_factory=lambda: Trait(mean=mean, sd=sd), description=what)


class Workforce(Section):
    """Who joins and leaves, and the traits they bring (newcomers draw them afresh)."""

    turnover: Probability = Field(0.0, description="per-step replacement probability (p3)")
    beliefs: Literal["uncertain", "decided"] = Field(
        "uncertain",
        description="starting beliefs (and newcomers'): uncertain: -1, 0 or +1 at random "
        "(March); decided: -1 or +1 at random (a full solution, as in Lazer and Friedman)",
    )
    fast_learners: FastLearners = Field(default_factory=FastLearners)
    skill: Trait = _trait(0.5, 0.15, "how faithfully one learns from others, reviews, training")
    risk_tolerance: Trait = _trait(0.3, 0.1, "willingness to try a belief one does not hold")
    safety: Trait = _trait(0.5, 0.1, "perceived psychological safety at the start")
    openness: Trait = _trait(0.5, 0.15, "openness to others' ideas")


class Leadership(Section):
    """The levers leadership pulls. Every lever at 0 (but p1 and p2) is March's model."""

    socialization: Probability = Field(0.1, description="learning from the code (p1)")
    code_learning: Probability = Field(0.5, description="the code learning from the best (p2)")
    psychological_safety: Probability = Field(
        0.5,
        description="chance a failure or a dissenting report is answered with support, not "
        "punishment",
    )
    experimentation: Probability = Field(0.0, description="encouragement to try beliefs one lacks")
    feedback: Probability = Field(0.8, description="how accurately experimenters see their results")
    recognition: Probability = Field(0.0, description="chance a successful experiment is rewarded")
    empowerment: Probability = Field(0.0, description="chance to keep a finding without approval")
    knowledge_sharing: Probability = Field(0.0, description="learning from better-performing ties")
    tenure_sharing: Probability = Field(
        0.0,
        description="voice for the long-serving: the longer one's tenure, the likelier one "
        "speaks up when a colleague could learn from one (learning from ties and across teams)",
    )
    after_action_reviews: Interval = Field(0, description="team review every k steps (0: none)")
    training: Probability = Field(0.0, description="share of employees trained each step")
    mentoring: Probability = Field(0.0, description="share of employees mentored each step")
    communities_of_practice: Probability = Field(
        0.0, description="chance of a cross-team encounter"
    )


#: Levers a team's own leadership may override (the code is the organization's).
TEAM_LEVERS = tuple(name for name in Leadership.model_fields if name != "code_learning")


_TEAM_FIELDS: dict[str, Any] = {
    name: ((Interval if name == "after_action_reviews" else Probability) | None, None)
    for name in TEAM_LEVERS
}
TeamLeadership = create_model(
    "TeamLeadership",
    __base__=Section,
    __doc__="A team's own leadership: any lever set here overrides the organization's.",
    **_TEAM_FIELDS,
)


class Calibration(Section):
    """Constants of the mechanisms, for analysts (see docs/ODD.md)."""

    support: Probability = Field(
        0.1, description="gap to full safety a supportive answer to one's failure closes"
    )
    onlooker_support: Probability = Field(
        0.02, description="the same, for each neighbour who sees a failure supported"
    )
    punishment: Probability = Field(
        0.3, description="share of safety and risk tolerance punishment takes"
    )
    onlooker_punishment: Probability = Field(0.05, description="share of safety onlookers lose")
    recognition_boost: Probability = Field(
        0.1, description="gain of risk tolerance and safety, towards 1, per recognition"
    )
    leader_example: Probability = Field(
        0.05, description="members' risk tolerance gain per leader try, safety per admitted failure"
    )
    training_gain: Probability = Field(0.05, description="share of the gap to 1 training closes")
    mentoring_gain: Probability = Field(
        0.1, description="share of the gap to the mentor mentoring closes"
    )
    training_cost: float = Field(1.0, ge=0.0, description="cost per employee trained")
    mentoring_cost: float = Field(0.5, ge=0.0, description="cost per employee mentored")
    recognition_cost: float = Field(1.0, ge=0.0, description="cost per recognition")
    review_cost: float = Field(0.2, ge=0.0, description="cost per member per review")
    experiment_time: Probability = Field(
        0.2, description="share of a step's work an experiment takes from its author"
    )
    review_time: Probability = Field(
        0.05, description="share of a step's work a review takes from each member"
    )
    training_time: Probability = Field(
        0.1, description="share of a step's work training takes from each trainee"
    )
    mentoring_time: Probability = Field(
        0.2, description="share of a step's work mentoring takes from mentor and mentee"
    )
    sharing_time: Probability = Field(
        0.02, description="share of a step's work learning from a colleague takes"
    )
    encounter_time: Probability = Field(
        0.05, description="share of a step's work a cross-team encounter takes from both"
    )
    sharing_rule: Literal["best", "majority", "copy"] = Field(
        "best",
        description="how knowledge_sharing works: best: adopt beliefs of the best better tie "
        "(Miller et al.); majority: adopt the majority belief of the better ties (Fang et "
        "al.); copy: copy the best better tie's whole solution, else search (Lazer and Friedman)",
    )
    copy_error: Probability = Field(
        0.0, description="copy rule: chance each differing belief is missed when copying"
    )
    tenure_scale: float = Field(
        10.0,
        gt=0.0,
        description="tenure_sharing: the tenure (steps) at which seniority is 1/2",
    )


#: Scenario paths that may change during a run (by an event or the dashboard).
MUTABLE = ("leadership.", "team_leadership", "workforce.turnover", "workforce.fast_learners.",
           "environment.turbulence", "calibration.", "steps")  # fmt: skip


class Event(Section):
    """Something that happens at a given step; exactly one of set, shock, layoffs, reorganize."""

    at: int = Field(ge=1, description="the step it happens at (before that step's phases)")
    set: dict[str, Any] | None = Field(None, description="scenario paths to change, e.g. a new CEO")
    shock: Probability | None = Field(None, description="share of reality's dimensions that flip")
    layoffs: float | None = Field(None, gt=0.0, lt=1.0, description="share of employees let go")
    reorganize: Probability | None = Field(None, description="share moved to another team")

    @model_validator(mode="after")
    def _check_one(self) -> Event:
        given = [
            k for k in ("set", "shock", "layoffs", "reorganize") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "an event does exactly one of set, shock, layoffs, reorganize; "
                f"got {given or 'none'}"
            )
        return self
