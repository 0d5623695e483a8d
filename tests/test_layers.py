"""The architecture, checked: imports run one way through the layers, and no module cycles.

Layers, bottom to top. A module may import its own layer and those below it, never one
above; ``orgabm/__init__.py`` (the public API, loaded lazily), ``orgabm/lazy.py`` (the
helper that loads a package's names on first use) and ``orgabm/version.py`` stand
outside the layers.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "orgabm"
LAYERS = ["scenario", "engine", "batch", "analysis", "validation", "teaching", "dashboard", "cli"]
OUTSIDE = {"orgabm", "orgabm.__main__", "orgabm.lazy", "orgabm.version"}


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, package: Path = PACKAGE, *, lazy: bool = True) -> set[str]:
    """The orgabm modules a file imports (``lazy``: inside functions too; never the ones
    under ``if TYPE_CHECKING``, which do not run)."""
    name = module_name(path, package)
    here = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for child in node.body for n in ast.walk(child)}
        if not lazy and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            skip |= {id(n) for n in ast.walk(node) if n is not node}
    found = set()
    lazy_map = "lazy_names(" in path.read_text()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        # names loaded on first use: ``lazy_names`` maps of name -> ".module" strings
        if (lazy_map and isinstance(node, ast.Constant) and isinstance(node.value, str)
                and re.fullmatch(r"\.+[a-z_][\w.]*", node.value)):  # fmt: skip
            level = len(node.value) - len(node.value.lstrip("."))
            base = here.split(".")[: len(here.split(".")) - level + 1]
            found.add(".".join([*base, node.value.lstrip(".")]))
        # and modules imported by name
        if (isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module")
                and node.args and isinstance(node.args[0], ast.Constant)
                and str(node.args[0].value).startswith("orgabm")):  # fmt: skip
            found.add(str(node.args[0].value))
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("orgabm")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")[: len(here.split(".")) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if not target.startswith("orgabm"):
                continue
            found.add(target)
            # ``from .engine import sharing`` imports the module orgabm.engine.sharing
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if (package.parent / Path(*sub.split("."))).with_suffix(".py").exists():
                    found.add(sub)
    return found


def layer_of(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def violations(package: Path = PACKAGE) -> list[str]:
    """Every import from a lower layer into a higher one, as 'a -> b (why)'."""
    out = []
    for path in sorted(package.rglob("*.py")):
        here = module_name(path, package)
        if here in OUTSIDE:
            continue
        own = layer_of(here)
        if own is None:
            out.append(f"{here} is in no layer")
            continue
        for target in sorted(imports(path, package)):
            if target in OUTSIDE - {"orgabm"}:
                continue
            theirs = layer_of(target)
            if theirs is None:
                out.append(f"{here} -> {target} (the package root: import the module itself)")
            elif theirs > own:
                out.append(f"{here} -> {target} ({LAYERS[own]} is below {LAYERS[theirs]})")
    return out


def test_every_import_runs_down_the_layers():
    assert violations() == []


def planted(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the package with ``line`` added at the end of ``module`` (a path in it)."""
    copy = tmp_path / "orgabm"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    target = copy / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    return copy


def test_an_upward_import_breaks_the_contract(tmp_path):
    """The check can fail: the teaching layer importing the dashboard is caught."""
    copy = planted(tmp_path, "teaching/notes.py", "from ..dashboard import session")
    assert violations(copy) == [
        "orgabm.teaching.notes -> orgabm.dashboard (teaching is below dashboard)",
        "orgabm.teaching.notes -> orgabm.dashboard.session (teaching is below dashboard)",
    ]


def test_imports_by_name_break_the_contract_too(tmp_path):
    """A name loaded on first use, or a module imported by its name, counts as an import."""
    copy = planted(tmp_path, "scenario/__init__.py", '_API["OrgModel"] = "..engine.model"')
    assert "orgabm.scenario -> orgabm.engine.model (scenario is below engine)" in violations(copy)
    other = planted(
        tmp_path / "by_name",
        "engine/traits.py",
        'import importlib; importlib.import_module("orgabm.dashboard.app")',
    )
    assert violations(other) == [
        "orgabm.engine.traits -> orgabm.dashboard.app (engine is below dashboard)"
    ]


def cycles(package: Path = PACKAGE) -> list[list[str]]:
    """Module-level import cycles (a package importing its own modules is none)."""
    graph = {module_name(p, package): imports(p, package, lazy=False)
             for p in package.rglob("*.py")}  # fmt: skip
    graph = {m: {t for t in ts if t in graph and t != m} for m, ts in graph.items()}
    found, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                found.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return [c for c in found if not all(m == c[0] or m.startswith(c[0] + ".") for m in c)]


def test_no_module_level_import_cycles():
    assert cycles() == []


def test_a_planted_cycle_is_found(tmp_path):
    copy = planted(tmp_path, "engine/traits.py", "from .model import OrgModel")
    assert any("orgabm.engine.traits" in c and "orgabm.engine.model" in c for c in cycles(copy))


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_on_its_own(layer):
    """A layer loads without the layers above it (a fresh interpreter, nothing above)."""
    import subprocess
    import sys

    above = [f"orgabm.{name}" for name in LAYERS[LAYERS.index(layer) + 1 :]]
    code = (f"import orgabm.{layer}, sys; "
            f"bad = [m for m in sys.modules if m.startswith(tuple({above!r}))]; "
            "print(bad); sys.exit(1 if bad else 0)")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
