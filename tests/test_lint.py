"""The code base passes ruff's lint and format checks and mypy, and keeps its habits."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_lint_is_clean():
    proc = ruff("check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format_is_clean():
    proc = ruff("format", "--check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow  # 15 s or more on one CPU: started early, not left to run alone at the end
def test_mypy_finds_no_errors_in_the_package():
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT, capture_output=True,
        text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr


def test_no_module_over_450_lines_without_a_reason():
    """A long module says at its top why it stays whole (``# long: ...``)."""
    long = []
    for path in sorted((ROOT / "orgabm").rglob("*.py")):
        lines = path.read_text().splitlines()
        if len(lines) > 450 and not any(line.startswith("# long: ") for line in lines[:12]):
            long.append(f"{path.relative_to(ROOT)} ({len(lines)} lines)")
    assert long == []


def test_the_version_is_written_in_one_place():
    from orgabm import __version__

    citation = (ROOT / "CITATION.cff").read_text()
    assert f"\nversion: {__version__}\n" in citation
    assert f"## {__version__}" in (ROOT / "CHANGELOG.md").read_text()
    assert 'dynamic = ["version"]' in (ROOT / "pyproject.toml").read_text()


def test_a_main_guard_comes_last():
    """``python -m orgabm.x`` runs the guard where it stands: a function defined after it
    does not exist yet (``python -m orgabm.teaching.notes`` once failed so)."""
    import ast

    for path in sorted((ROOT / "orgabm").rglob("*.py")):
        body = ast.parse(path.read_text()).body
        guards = [i for i, node in enumerate(body) if isinstance(node, ast.If)
                  and ast.unparse(node.test) == "__name__ == '__main__'"]  # fmt: skip
        assert all(i == len(body) - 1 for i in guards), f"{path}: code after the main guard"


#: Modules with no test module of their own, and the one that exercises them. A new
#: module gets ``tests/<layer>/test_<module>.py``, or a line here saying where it is tested.
TESTED_THROUGH = {
    "analysis/errors": "tests/analysis/test_sensitivity.py",
    "analysis/figures": "tests/analysis/test_report.py",
    "analysis/tables": "tests/analysis/test_stats.py",
    "batch/designs": "tests/batch/test_sweep.py",
    "batch/errors": "tests/batch/test_sweep.py",
    "batch/files": "tests/batch/test_store.py",
    "batch/local": "tests/batch/test_sweep.py",
    "batch/seeds": "tests/batch/test_replicates.py",
    "batch/worker": "tests/batch/test_sweep.py",
    "cli/entry": "tests/cli/test_commands.py",
    "cli/parser": "tests/cli/test_commands.py",
    "dashboard/assets": "tests/dashboard/test_app.py",
    "dashboard/links": "tests/dashboard/test_app.py",
    "dashboard/player": "tests/dashboard/test_app.py",
    "dashboard/session": "tests/dashboard/test_app.py",
    "dashboard/views": "tests/dashboard/test_app.py",
    "dashboard/widgets": "tests/dashboard/test_app.py",
    "engine/employees": "tests/engine/test_model.py",
    "engine/landscape": "tests/engine/test_environments.py",
    "engine/traits": "tests/engine/test_march.py",
    "scenario/assignments": "tests/scenario/test_schema.py",
    "scenario/errors": "tests/scenario/test_messages.py",
    "scenario/fields": "tests/scenario/test_schema.py",
    "scenario/layout": "tests/engine/test_network.py",
    "scenario/networks": "tests/scenario/test_schema.py",
    "scenario/sections": "tests/scenario/test_schema.py",
    "scenario/vocabulary": "tests/scenario/test_schema.py",
    "teaching/assignments": "tests/teaching/test_experiments.py",
    "teaching/figures": "tests/teaching/test_experiments.py",
    "teaching/queue": "tests/teaching/test_experiments.py",
    "validation/options": "tests/validation/test_suite.py",
    "validation/sweeps": "tests/validation/test_canonical.py",
}


def test_tests_mirror_the_package():
    """``tests/<layer>/test_<module>[_<aspect>].py`` for a module of ``orgabm/<layer>/``
    (aspects such as ``_browser``, ``_digests``, ``_effects``); ``tests/test_*.py`` hold
    the project-wide checks. Every module has a test module, or is in TESTED_THROUGH."""
    modules = {f"{p.parent.name}/{p.stem}" for p in (ROOT / "orgabm").glob("*/*.py")
               if not p.stem.startswith("_")}  # fmt: skip
    stray, covered = [], set()
    for test in sorted((ROOT / "tests").glob("*/test_*.py")):
        name, layer = test.stem.removeprefix("test_"), test.parent.name
        mine = {m.split("/")[1]: m for m in modules if m.startswith(f"{layer}/")}
        mirrored = {m for stem, m in mine.items() if name == stem or name.startswith(stem + "_")}
        covered |= mirrored
        if not mirrored:
            stray.append(str(test.relative_to(ROOT)))
    assert stray == [], f"test modules named for no module of their layer: {stray}"
    names = [test.name for test in (ROOT / "tests").rglob("test_*.py")]
    twice = sorted({name for name in names if names.count(name) > 1})
    assert twice == [], f"pytest imports test modules by basename: {twice} collide"
    listed = set(TESTED_THROUGH)
    assert modules - covered - listed == set(), "modules with no test module"
    assert listed & covered == set(), "listed in TESTED_THROUGH but have their own test module"
    assert listed <= modules, "TESTED_THROUGH names modules that are gone"
    assert all((ROOT / path).exists() for path in TESTED_THROUGH.values())
