"""No oracles: the step's mechanisms read the hidden reality only through what someone
in the organization could observe (the performance of what was acted out, and a trial's
outcome), never its values, its best solution or anyone's knowledge of it. Only the
metrics, the dashboard's inspector and the stopping rule read those."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "orgabm" / "engine"
#: the modules of the step's phases and the leadership mechanisms
MECHANISMS = ["march", "experimentation", "sharing", "reviews", "communities", "development",
              "climate", "events", "model"]  # fmt: skip
#: what of the reality a mechanism may use: feedback on what was acted out, and the
#: environment's own dynamics (drift, a shock)
OBSERVABLE = {"performance", "trial", "code_performance", "codifiable_performance",
              "output", "scale", "dimensions", "drift", "shock"}  # fmt: skip
#: functions that are not mechanisms: the run's stopping rule (nothing can change any more)
#: reads the reality, as the metrics do, and changes nothing
NOT_MECHANISMS = {"march_equilibrium"}


def reads_of_reality(source: str) -> list[tuple[str, int, str]]:
    """(function, line, attribute) for every ``<...>.reality.<attribute>`` or
    ``reality.<attribute>`` outside NOT_MECHANISMS."""
    found = []
    tree = ast.parse(source)
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef) or function.name in NOT_MECHANISMS:
            continue
        for node in ast.walk(function):
            if not isinstance(node, ast.Attribute):
                continue
            owner = node.value
            named = (isinstance(owner, ast.Attribute) and owner.attr == "reality") or (
                isinstance(owner, ast.Name) and owner.id == "reality"
            )
            if named:
                found.append((function.name, node.lineno, node.attr))
    return found


def test_no_mechanism_reads_the_hidden_reality():
    seen = set()
    for name in MECHANISMS:
        for function, line, attribute in reads_of_reality((ENGINE / f"{name}.py").read_text()):
            seen.add(attribute)
            assert attribute in OBSERVABLE, (
                f"orgabm/engine/{name}.py:{line} {function} reads reality.{attribute}"
            )
    assert {"performance", "trial"} <= seen  # the scan finds the reads that are there


def test_the_scan_catches_a_mechanism_that_peeks():
    # the knock-out of the check: a phase that copies the best solution is caught
    peeking = "def share(state):\n    state.beliefs[:] = state.reality.values\n"
    assert reads_of_reality(peeking) == [("share", 2, "values")]
    assert reads_of_reality("def march_equilibrium(b, c, reality):\n    reality.score(b)\n") == []


def test_only_the_counts_and_feedback_read_a_trials_true_outcome():
    # Trial.worked is the reality's verdict: experimentation turns it into what the author
    # sees (through feedback) and into the counts; no other mechanism reads it
    for name in MECHANISMS:
        tree = ast.parse((ENGINE / f"{name}.py").read_text())
        reads = [node.lineno for node in ast.walk(tree)
                 if isinstance(node, ast.Attribute) and node.attr == "worked"]  # fmt: skip
        assert reads == [], f"orgabm/engine/{name}.py reads a trial's true outcome: {reads}"
