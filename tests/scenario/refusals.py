"""Helpers for the scenario tests: the one-line error a scenario or a file gets."""

from pathlib import Path

import pytest
from conftest import slower_than

from orgabm.scenario import (
    ScenarioError,
    load_scenario,
)


def error_of(data=None, overrides=None) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(data if data is not None else {}, overrides)
    message = str(info.value)
    assert "\n" not in message
    return message


# --------------------------------------------------------------------------- hostile files
def billion_laughs(levels: int = 9) -> str:
    """A few hundred bytes that expand to 9^levels list items through aliases."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def file_error(tmp_path: Path, text: str) -> str:
    f = tmp_path / "hostile.yaml"
    f.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)

    def refuse() -> None:
        with pytest.raises(ScenarioError):
            load_scenario(f)

    # refused about as fast as a benign file of its size is read (a bomb took a minute)
    benign = tmp_path / "benign.yaml"
    benign.write_text("name: " + "a" * max(len(text), 2000) + "\n")
    assert slower_than(refuse, lambda: load_scenario(benign)) < 10
    message = str(info.value)
    assert "\n" not in message and len(message) < 400, message[:1000]
    return message
