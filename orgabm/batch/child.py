"""Child interpreters (sweep workers, the dashboard's server) that import only orgabm's code.

``python -m`` puts the current folder first on the import path, so a ``yaml.py`` in the
folder where a sweep starts (say, one unzipped from a student's download) would run inside
every worker. Children therefore start with ``-P`` (safe path) and get on their path only
what this process needs and a fresh interpreter lacks: the folder holding orgabm itself
(a source checkout run in place) and, *after* everything else, the folder of a ``--model``
module, so that it can never shadow a library.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["MODEL_PATH", "SWEEP_PID", "append_model_path", "child_env", "python_command"]

#: Folders a worker appends to its import path for ``--model`` modules (os.pathsep-separated).
MODEL_PATH = "ORGABM_MODEL_PATH"
#: The process id of the sweep a worker works for: its parent, or its grandparent when the
#: fork server started it. The store lets this process's workers commit.
SWEEP_PID = "ORGABM_SWEEP_PID"


def python_command(*args: str) -> list[str]:
    """This interpreter with the current folder kept off the import path."""
    return [sys.executable, "-P", *args]


@functools.cache
def _fresh_path() -> frozenset[str]:
    """The import path of a fresh ``-P`` interpreter with no ``PYTHONPATH`` (asked once)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run(python_command("-c", "import json, sys; print(json.dumps(sys.path))"),
                         capture_output=True, text=True, env=env, check=True).stdout  # fmt: skip
    return frozenset(str(Path(p).resolve()) for p in json.loads(out) if p)


def _package_root() -> str | None:
    """The folder holding the imported orgabm, when a fresh interpreter would not find it."""
    root = str(Path(__file__).resolve().parents[2])  # the folder holding orgabm/
    return None if root in _fresh_path() else root


def _module_folder(model: str | None) -> str | None:
    """The folder a ``module:Class`` model's top-level module is imported from, if any."""
    if not model:
        return None
    top = model.partition(":")[0].split(".")[0]
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        return None  # the worker reports the import error itself
    if spec is None or not spec.origin or spec.origin in ("built-in", "frozen"):
        return None
    origin = Path(spec.origin).resolve()
    folder = origin.parent.parent if origin.name == "__init__.py" else origin.parent
    return None if str(folder) in _fresh_path() else str(folder)


def child_env(model: str | None = None, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a child that runs orgabm (and ``model``, a ``module:Class``)."""
    env = dict(os.environ if base is None else base)
    root = _package_root()
    if root is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH", "")]))
    folder = _module_folder(model)
    if folder is not None:
        env[MODEL_PATH] = folder
    else:
        env.pop(MODEL_PATH, None)
    return env


def append_model_path() -> None:
    """In a worker: put the ``--model`` module's folder last on the import path."""
    for folder in filter(None, os.environ.get(MODEL_PATH, "").split(os.pathsep)):
        if folder not in sys.path:
            sys.path.append(folder)
