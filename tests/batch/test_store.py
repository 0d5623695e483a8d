"""The sweep store under faults: concurrent sweeps, kills, damaged parts, a full disk,
a read-only folder. Each test ends by comparing the folder with an uninterrupted
reference: the same runs and steps, no run lost, none committed twice."""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import pytest

from orgabm.batch.designs import grid_points
from orgabm.batch.errors import SweepCancelledError
from orgabm.batch.store import Store
from orgabm.batch.sweep import Sweep, run_sweep
from orgabm.cli import main

TOTAL = 24
ARGS = ["sweep", "march_1991", "--vary", "leadership.socialization=0.1:0.9:4", "--reps", "6",
        "--seed", "3", "--steps", "5", "--model", "fault_models:SlowModel", "--workers", "2",
        "--quiet"]  # fmt: skip
COMMAND = [sys.executable, "-m", "orgabm.cli", *ARGS]


def env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **extra}


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    """The sweep, run once without interruption."""
    folder = tmp_path_factory.mktemp("reference") / "s"
    assert main([*ARGS, "--out", str(folder)]) == 0
    assert len(list((folder / "runs").glob("part-*.parquet"))) >= 4  # several parts to damage
    return folder


def assert_same_as(folder: Path, reference: Path) -> None:
    """The same runs and steps as the reference, and no run committed twice."""
    runs = pd.read_parquet(folder / "runs.parquet")
    pd.testing.assert_frame_equal(runs, pd.read_parquet(reference / "runs.parquet"))
    assert runs["run_id"].tolist() == list(range(TOTAL)) and runs["error"].isna().all()
    pd.testing.assert_frame_equal(Store(folder).steps(), Store(reference).steps())
    parts = Store(folder).committed_parts()
    committed = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    assert not committed["run_id"].duplicated().any(), "a run was committed twice"
    steps = pd.concat([pd.read_parquet(folder / "steps" / p.name) for p in parts
                       if (folder / "steps" / p.name).exists()])  # fmt: skip
    assert not steps.duplicated(["run_id", "step"]).any()
    assert not list(folder.rglob(".tmp-*")), "temporary files left behind"


def parts_in(folder: Path) -> int:
    return len(list((folder / "runs").glob("part-*.parquet")))


def wait_for(condition, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def resume(folder: Path, capsys) -> str:
    """Run the same sweep again in this process; its stderr."""
    capsys.readouterr()
    assert main([*ARGS, "--out", str(folder)]) == 0
    return capsys.readouterr().err


# --------------------------------------------------------------------------- two sweeps
def test_staggered_copies_of_a_sweep_wait_for_each_other_and_run_each_run_once(
    tmp_path: Path, reference: Path
):
    folder = tmp_path / "s"
    slow = env(ORGABM_TEST_STEP_SECONDS="0.1")  # about 6 s of runs
    copies = []
    for _ in range(4):
        copies.append(subprocess.Popen([*COMMAND, "--out", str(folder)], env=slow, text=True,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE))  # fmt: skip
        time.sleep(0.4)
    results = [(c.wait(timeout=180), *c.communicate()) for c in copies]
    waited = 0
    for code, out, err in results:
        assert code == 0, err
        assert one_line(out).startswith(f"{TOTAL} runs in {folder}")
        if err.strip():
            assert "another sweep (process " in one_line(err) and "waiting" in err, err
            waited += 1
    assert waited >= 1
    assert sum("nothing left to run" in out for _, out, _ in results) == 3
    assert_same_as(folder, reference)


def test_a_sweep_killed_while_another_waits_leaves_no_run_twice(tmp_path: Path, reference: Path):
    """The first sweep's workers, orphaned by SIGKILL, must not commit what the second runs."""
    folder = tmp_path / "s"
    slow = env(ORGABM_TEST_STEP_SECONDS="0.12")  # the first must still run when the second waits
    first = subprocess.Popen([*COMMAND, "--out", str(folder)], env=slow, start_new_session=True)
    wait_for(lambda: parts_in(folder) >= 1)
    second = subprocess.Popen([*COMMAND, "--out", str(folder)], env=slow, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    line = second.stderr.readline()  # it waits, and says so
    assert f"another sweep (process {first.pid})" in line and "waiting" in line
    os.kill(first.pid, signal.SIGKILL)  # the first sweep only: its workers go on a while
    first.wait()
    _, err = second.communicate(timeout=180)
    assert second.returncode == 0, err
    with contextlib.suppress(ProcessLookupError):  # the orphaned workers end by themselves
        wait_for(lambda: os.killpg(first.pid, 0) is not None, seconds=30)
    assert_same_as(folder, reference)


def test_sigkill_of_the_whole_sweep_then_resume(tmp_path: Path, reference: Path, capsys):
    folder = tmp_path / "s"
    proc = subprocess.Popen([*COMMAND, "--out", str(folder)], start_new_session=True,
                            env=env(ORGABM_TEST_STEP_SECONDS="0.05"))  # fmt: skip
    wait_for(lambda: parts_in(folder) >= 2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < len(Store(folder).runs()) < TOTAL and not (folder / "runs.parquet").exists()
    assert resume(folder, capsys) == ""
    assert_same_as(folder, reference)


def test_a_cancelled_sweep_stops_waiting_for_the_folder(tmp_path: Path):
    """The dashboard's cancel also ends a wait for another sweep's folder."""
    built = Sweep.build("march_1991", grid_points({"leadership.socialization": [0.5]}), steps=2)
    holder = Store(tmp_path / "s")
    holder.open(built.manifest())
    cancel, notes = threading.Event(), []
    threading.Timer(0.5, cancel.set).start()
    try:
        with pytest.raises(SweepCancelledError):
            run_sweep(built, tmp_path / "s", workers=1, progress=False, cancel=cancel,
                      notify=notes.append)  # fmt: skip
    finally:
        holder.close()
    assert len(notes) == 1 and f"(process {os.getpid()})" in notes[0]
    assert run_sweep(built, tmp_path / "s", workers=1, progress=False).ran == 1


# --------------------------------------------------------------------------- SIGTERM
@pytest.mark.parametrize("whom", ["sweep", "process group"])
def test_sigterm_stops_like_ctrl_c_and_exits_143(tmp_path: Path, reference: Path, capsys, whom):
    folder = tmp_path / "s"
    proc = subprocess.Popen([*COMMAND, "--out", str(folder)], text=True, stderr=subprocess.PIPE,
                            env=env(ORGABM_TEST_STEP_SECONDS="0.05"),
                            start_new_session=True)  # fmt: skip
    wait_for(lambda: parts_in(folder) >= 2)
    if whom == "sweep":
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    line = one_line(err)
    stored = len(Store(folder).runs())
    assert line == (f"orgabm: terminated; {stored} of {TOTAL} runs are stored in {folder}; "
                    "run the same command again to finish")  # fmt: skip
    assert 0 < stored < TOTAL
    assert len(pd.read_parquet(folder / "runs.parquet")) == stored
    assert resume(folder, capsys) == ""
    assert_same_as(folder, reference)


# --------------------------------------------------------------------------- damaged parts
def damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    path.write_bytes({"truncated": data[: len(data) // 2], "random": os.urandom(len(data)),
                      "empty": b""}[how])  # fmt: skip


# (a missing runs part is an uncommitted batch: its runs were never stored, nothing to repair)
@pytest.mark.parametrize(
    ("kind", "how"),
    [(kind, how) for kind in ("runs", "steps") for how in ("truncated", "random", "empty")]
    + [("steps", "missing")],
)
def test_a_damaged_part_is_set_aside_and_its_runs_run_again(
    tmp_path: Path, reference: Path, capsys, kind, how
):
    folder = tmp_path / "s"
    shutil.copytree(reference, folder)
    name = Store(folder).committed_parts()[1].name
    part = folder / kind / name
    if how == "missing":
        part.unlink()
    else:
        damage(part, how)
    # before the repair, reading the results says what is wrong in one line
    capsys.readouterr()
    assert main(["report", str(folder)]) == 2
    assert str(part) in one_line(capsys.readouterr().err)
    # the repair: one line, the pair set aside, its runs run again
    line = one_line(resume(folder, capsys))
    assert line.startswith(f"orgabm: {part} is {'missing' if how == 'missing' else 'damaged'}")
    assert f"to {folder / 'damaged'}" in line and "will run again" in line
    aside = sorted(p.name for p in (folder / "damaged").iterdir())
    assert aside == sorted(f"{k}-{name}" for k in ("runs", "steps")
                           if not (how == "missing" and k == kind))  # fmt: skip
    assert not (folder / "runs" / name).exists() and not (folder / "steps" / name).exists()
    assert_same_as(folder, reference)
    assert resume(folder, capsys) == ""  # nothing more to repair


# --------------------------------------------------------------------------- full disk
def mount(*args: str) -> str | None:
    """Run mount; None if it worked, else why not."""
    if shutil.which("mount") is None:
        return "no mount command"
    done = subprocess.run(["mount", *args], capture_output=True, text=True)
    return None if done.returncode == 0 else (done.stderr.strip() or f"exit {done.returncode}")


def check_full_disk(folder: Path, reference: Path, capsys, code: int) -> int:
    err = one_line(capsys.readouterr().err)
    stored = len(Store(folder).runs())
    assert code == 2, err
    assert err.startswith(f"orgabm: error: {folder}: the disk is full (No space left on device)")
    assert f"; {stored} of {TOTAL} runs are stored; free some space" in err
    assert 0 < stored < TOTAL
    assert not list(folder.rglob(".tmp-*")), "temporary files left on the full disk"
    return stored


def test_a_full_disk_is_one_line_and_cleaned_up_tmpfs(tmp_path: Path, reference: Path, capsys):
    """A real full disk: a small tmpfs, nearly filled."""
    disk = tmp_path / "disk"
    disk.mkdir()
    why = mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk))
    if why:
        pytest.skip(f"cannot mount a small tmpfs to fill ({why}); "
                    "test_a_full_disk_is_one_line_and_cleaned_up_simulated covers it")  # fmt: skip
    try:
        needed = sum(p.stat().st_size for p in reference.rglob("*") if p.is_file())
        filler = disk / "filler"
        with open(filler, "wb") as handle:  # leave about half what the sweep needs
            handle.write(b"\0" * (2 * 1024 * 1024 - needed // 2))
        folder = disk / "s"
        capsys.readouterr()
        check_full_disk(folder, reference, capsys, main([*ARGS, "--out", str(folder)]))
        filler.unlink()
        assert resume(folder, capsys) == ""
        assert_same_as(folder, reference)
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_full_disk_is_one_line_and_cleaned_up_simulated(
    tmp_path: Path, reference: Path, capsys, monkeypatch
):
    """Every Parquet write fails with ENOSPC once 3 parts are stored (batch/fault_models.py)."""
    folder = tmp_path / "s"
    monkeypatch.setenv("ORGABM_TEST_FULL_AT", "3")
    capsys.readouterr()
    stored = check_full_disk(folder, reference, capsys, main([*ARGS, "--out", str(folder)]))
    # 3 parts were let through, but a worker stopped by the sweep's error after its part
    # was admitted and before the part was in place stores one fewer (seen under load)
    assert stored >= 1 and 1 <= parts_in(folder) <= 3
    monkeypatch.delenv("ORGABM_TEST_FULL_AT")
    assert resume(folder, capsys) == ""
    assert_same_as(folder, reference)


# --------------------------------------------------------------------------- read-only
@contextlib.contextmanager
def read_only(folder: Path):
    """The folder, read-only: a read-only bind mount (root ignores chmod), or chmod."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for path in modes:
            path.chmod(modes[path] & ~0o222)
        try:
            yield "chmod"
        finally:
            for path, mode in modes.items():
                path.chmod(mode)
        return
    why = mount("--bind", str(folder), str(folder))
    if why:
        pytest.skip(f"root ignores chmod, and a read-only bind mount failed ({why})")
    try:
        why = mount("-o", "remount,bind,ro", str(folder))
        if why:
            pytest.skip(f"cannot remount the bind mount read-only ({why})")
        yield "bind mount"
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize("state", ["finished", "half done"])
def test_a_read_only_folder_is_one_line(tmp_path: Path, reference: Path, capsys, state):
    folder = tmp_path / "s"
    shutil.copytree(reference, folder)
    if state == "half done":
        for part in Store(folder).committed_parts()[-2:]:
            part.unlink()
            (folder / "steps" / part.name).unlink(missing_ok=True)
        (folder / "runs.parquet").unlink()
    stored = len(Store(folder).runs())
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    with read_only(folder):
        capsys.readouterr()
        code = main([*ARGS, "--out", str(folder)])
        err = one_line(capsys.readouterr().err)
    assert code == 2, err
    assert err.startswith(f"orgabm: error: {folder}: cannot write to this folder (")
    assert f"; {stored} runs are stored in it; make it writable, or give another --out" in err
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before
    assert resume(folder, capsys) == ""
    assert_same_as(folder, reference)
