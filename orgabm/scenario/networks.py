"""The network kinds a scenario may ask for, each with its own settings."""

from __future__ import annotations

import typing
from typing import Annotated, Literal

from pydantic import (
    Field,
)

from .fields import Probability, Section

__all__ = [
    "NETWORK_KINDS",
    "CompleteNetwork",
    "HierarchyNetwork",
    "LineNetwork",
    "Network",
    "NoNetwork",
    "RandomNetwork",
    "RingNetwork",
    "ScaleFreeNetwork",
    "SmallWorldNetwork",
    "TeamsNetwork",
    "TorusNetwork",
]


# --------------------------------------------------------------------------- networks
class CompleteNetwork(Section):
    """Everyone is tied to everyone (March's organization)."""

    kind: Literal["complete"] = "complete"


class NoNetwork(Section):
    """No ties at all: for models, like March's, that ignore the network."""

    kind: Literal["none"] = "none"


class TeamsNetwork(Section):
    """Dense teams (``organization.teams`` of them) with random cross-team ties."""

    kind: Literal["teams"] = "teams"
    within_team_ties: Probability = Field(1.0, description="tie probability inside a team")
    cross_team_ties: Probability = Field(0.01, description="tie probability across teams")


class SmallWorldNetwork(Section):
    """Watts-Strogatz: a ring lattice with a share of ties rewired at random."""

    kind: Literal["small_world"] = "small_world"
    neighbours: int = Field(4, ge=2, description="lattice neighbours per employee (even)")
    rewire: Probability = Field(0.1, description="probability that a tie is rewired")


class LineNetwork(Section):
    """A chain: each employee is tied to the one before and the one after."""

    kind: Literal["line"] = "line"


class RingNetwork(Section):
    """A ring lattice: each employee tied to its ``neighbours`` nearest on a circle."""

    kind: Literal["ring"] = "ring"
    neighbours: int = Field(2, ge=2, description="neighbours per employee (even)")


class RandomNetwork(Section):
    """A random graph with a given density, optionally forced into one component."""

    kind: Literal["random"] = "random"
    density: Probability = Field(0.1, description="share of all possible ties present")
    connected: bool = Field(True, description="force a single component")


class ScaleFreeNetwork(Section):
    """Barabasi-Albert preferential attachment."""

    kind: Literal["scale_free"] = "scale_free"
    attach: int = Field(2, ge=1, description="ties each newcomer makes")


class HierarchyNetwork(Section):
    """A head, one manager per team tied to the head, members under their manager."""

    kind: Literal["hierarchy"] = "hierarchy"
    within_team_ties: Probability = Field(0.0, description="tie probability between teammates")


class TorusNetwork(Section):
    """A periodic 2-D grid, four neighbours each (von Neumann)."""

    kind: Literal["torus"] = "torus"
    width: int | None = Field(None, ge=3, description="columns; default: the squarest grid")


Network = Annotated[
    CompleteNetwork
    | NoNetwork
    | TeamsNetwork
    | SmallWorldNetwork
    | LineNetwork
    | RingNetwork
    | RandomNetwork
    | ScaleFreeNetwork
    | HierarchyNetwork
    | TorusNetwork,
    Field(discriminator="kind"),
]

#: Every network kind, in the schema's order (the dashboard's choices, error suggestions).
NETWORK_KINDS: tuple[str, ...] = tuple(
    model.model_fields["kind"].default for model in typing.get_args(typing.get_args(Network)[0])
)
