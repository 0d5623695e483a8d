"""Child interpreters import orgabm's code, never a module planted in the current folder."""

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from orgabm.batch.child import child_env, python_command
from orgabm.dashboard.serve import serving

PLANTED = "import pathlib\npathlib.Path({marker!r}).write_text('imported')\n"


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Path]:
    """A folder with a ``yaml.py`` that leaves a marker when imported, and the marker."""
    folder, marker = tmp_path / "download", tmp_path / "marker"
    folder.mkdir()
    (folder / "yaml.py").write_text(PLANTED.format(marker=str(marker)))
    return folder, marker


def test_sweep_workers_do_not_import_the_current_folder(planted):
    folder, marker = planted
    exe = Path(sys.executable).with_name("orgabm")
    proc = subprocess.run(
        [str(exe), "sweep", "march_1991", "--steps", "3", "--set", "organization.employees=10",
         "--vary", "leadership.socialization=0.1,0.5", "--reps", "2", "--workers", "1",
         "--out", "out"],
        cwd=folder, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert not marker.exists(), "a sweep worker imported yaml.py from the current folder"
    assert proc.returncode == 0, proc.stderr


def test_dashboard_server_does_not_import_the_current_folder(planted, monkeypatch):
    folder, marker = planted
    monkeypatch.chdir(folder)
    with serving() as (url, _), urllib.request.urlopen(url, timeout=30) as page:
        assert page.status == 200
    assert not marker.exists(), "the dashboard's server imported yaml.py from the current folder"


def test_children_still_find_a_model_module_after_the_libraries(tmp_path, monkeypatch):
    (tmp_path / "mymodels.py").write_text("X = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    env = child_env("mymodels:Model")
    line = "from orgabm.batch.child import append_model_path; append_model_path(); "
    line += "import sys, mymodels; "
    line += f"print(sys.path.index({str(tmp_path.resolve())!r}) == len(sys.path) - 1)"
    out = subprocess.run(python_command("-c", line), env=env, capture_output=True, text=True,
                         cwd=tmp_path.parent, check=True).stdout  # fmt: skip
    assert out.strip() == "True"


def test_a_checkout_that_is_not_installed_puts_its_own_orgabm_first(monkeypatch):
    """Run from a source tree a fresh interpreter would not find, children get that tree."""
    from orgabm.batch import child

    monkeypatch.setattr(child, "_fresh_path", lambda: frozenset())
    root = Path(child.child_env()["PYTHONPATH"].split(os.pathsep)[0])
    assert (root / "orgabm" / "batch" / "child.py").resolve() == Path(child.__file__).resolve()
