"""The levers a trainer or a student may move: their groups, plain explanations and ranges.

The dashboard's sidebar shows them; the experiment tab offers them on a preset page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..scenario import Leadership

if TYPE_CHECKING:
    from ..scenario import Assignment

__all__ = [
    "LEVERS",
    "LEVER_GROUPS",
    "allowed_range",
    "check_lever",
    "is_count",
    "lever_default",
    "lever_range",
    "whole_lever",
]


#: The levers as the dashboard groups them, each with a plain-language line.
LEVER_GROUPS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Psychological safety",
        [
            (
                "psychological_safety",
                "How often leaders answer a failure, or someone who says the official line "
                "is wrong, with support instead of punishment; how safe people feel follows "
                "from what they see happen.",
            ),
        ],
    ),
    (
        "Experimentation",
        [
            (
                "experimentation",
                "How strongly people are encouraged to try what they do not yet believe; "
                "each trial takes time from work.",
            ),
            ("feedback", "How accurately people see whether their own experiment worked."),
            (
                "empowerment",
                "Whether people may keep what they found without a manager's approval.",
            ),
        ],
    ),
    (
        "Knowledge sharing",
        [
            ("knowledge_sharing", "How readily people learn from better-performing colleagues."),
            (
                "tenure_sharing",
                "How much more old hands speak up and are learned from than newcomers.",
            ),
            (
                "communities_of_practice",
                "Chance each step of meeting someone from another team (guilds); it takes time.",
            ),
        ],
    ),
    (
        "Shared vision",
        [
            ("socialization", "How fast people adopt the official line (the organization's code)."),
            ("code_learning", "How fast the official line learns from the best performers."),
        ],
    ),
    (
        "Team learning",
        [
            (
                "after_action_reviews",
                "Every how many steps teams review what they tried (0: never); "
                "it takes their time.",
            ),
        ],
    ),
    (
        "Development",
        [
            (
                "training",
                "Share of people trained each step: skill rises, and time is taken from work.",
            ),
            (
                "mentoring",
                "Share of people coached each step by a more skilled colleague; "
                "it takes both people's time.",
            ),
        ],
    ),
    (
        "Rewards",
        [
            ("recognition", "Chance a successful experiment is publicly recognized."),
        ],
    ),
]


LEVERS = [name for _, group in LEVER_GROUPS for name, _ in group]


def is_count(value: object) -> bool:
    """A whole number as a form or a link gives it: an int, not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def whole_lever(name: str) -> bool:
    """Whether a lever takes whole numbers (a review every so many steps), by its schema."""
    return isinstance(getattr(Leadership(), name), int)


def lever_range(name: str) -> tuple[float, float, float]:
    """(min, max, step) of a lever's slider."""
    if whole_lever(name):
        return 0, 20, 1
    return 0.0, 1.0, 0.05


def lever_default(name: str) -> float:
    """A lever's default value."""
    return Leadership.model_fields[name].default


def allowed_range(task: Assignment | None, name: str) -> tuple[float, float]:
    """(low, high) that lever ``name`` may take here: an assignment's open range, else its
    slider's. ValueError if it is not a lever or the assignment locks it."""
    if name not in LEVERS:
        raise ValueError(f"unknown lever {name!r} (levers: {', '.join(LEVERS)})")
    if task is None:
        return lever_range(name)[:2]
    if name not in task.open:
        raise ValueError(f"{name} is locked in this assignment (open: {', '.join(task.open)})")
    low, high = task.open[name]
    return low, high


def check_lever(task: Assignment | None, name: str, *values: float) -> tuple[float, float]:
    """The one rule for moving a lever (the sidebar, a link, an experiment): its allowed
    range, or ValueError naming the lever, the value and that range."""
    low, high = allowed_range(task, name)
    for value in values:
        if not low <= float(value) <= high:
            where = "the assignment allows" if task is not None else "the slider runs from"
            raise ValueError(f"{name} {value!r}: {where} {low:g} to {high:g}")
    return low, high
