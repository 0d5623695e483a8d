"""The code base passes ruff's lint and format checks and mypy, and keeps its habits."""

import subprocess
import sys
from pathlib import Path

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
