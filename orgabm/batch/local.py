"""The local backend: ``python -m orgabm.batch.worker`` processes on this machine, each
committing its own batches to the store, fed batches sized to take about a second.
On Linux they are forked from a preloaded server (``forkserver``), which saves each one
a second of imports."""

from __future__ import annotations

import contextlib
import json
import math
import os
import queue
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pandas as pd

from .child import SWEEP_PID, child_env, python_command
from .errors import SweepCancelledError
from .forkserver import ForkedWorker, start_worker
from .store import Store, StoreWriteError
from .worker import PARENT_ENV

__all__ = ["first_batch_size", "run_local"]

#: What a worker's reader thread passes on: the worker's index and one of its answers.
Answers = queue.Queue[tuple[int, dict[str, Any]]]


def first_batch_size(runs: int, workers: int) -> int:
    """Runs per batch before timings are known: about eight batches per worker, at most 50."""
    return max(1, min(50, math.ceil(runs / (8 * max(1, workers)))))


class _LocalWorker:
    """One ``python -m orgabm.batch.worker`` process and a thread that reads its answers."""

    def __init__(
        self, index: int, root: Path, sweep_message: str, answers: Answers, nice: int = 0,
        model: str | None = None,
    ) -> None:  # fmt: skip
        env = child_env(model)
        if nice:
            env["ORGABM_WORKER_NICE"] = str(nice)
        env[PARENT_ENV] = str(os.getpid())  # the worker dies with us (worker.die_with_parent)
        env[SWEEP_PID] = str(os.getpid())  # and may commit to the folder we hold
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.setdefault("OMP_NUM_THREADS", "1")
        self.index = index
        self.stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - read if the worker dies
        forked = start_worker([str(root)], env, self.stderr)  # or, with no server, a fresh one
        self.process: ForkedWorker | subprocess.Popen[str] = forked or subprocess.Popen(
            python_command("-m", "orgabm.batch.worker", str(root)),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr,
            text=True, bufsize=1, env=env,
        )  # fmt: skip
        stdin, stdout = self.process.stdin, self.process.stdout
        assert stdin is not None and stdout is not None  # stdin=PIPE and stdout=PIPE give both
        self.stdin: IO[str] = stdin
        self.stdout: IO[str] = stdout
        self.batch: tuple[int, list[dict[str, Any]]] | None = None
        self.ran = 0
        self.stdin.write(sweep_message + "\n")
        self.stdin.flush()
        self.reader = threading.Thread(target=self._read, args=(answers,), daemon=True)
        self.reader.start()

    @property
    def runs(self) -> list[dict[str, Any]]:
        """The runs of the batch it is running (none when it waits)."""
        return self.batch[1] if self.batch is not None else []

    def _read(self, answers: Answers) -> None:
        for line in self.stdout:
            answers.put((self.index, json.loads(line)))
        answers.put((self.index, {"exit": self.process.wait()}))

    def send(self, batch_id: int, runs: list[dict[str, Any]]) -> None:
        self.batch = (batch_id, runs)
        self.ran = 0
        self.stdin.write(json.dumps({"batch": batch_id, "runs": runs}) + "\n")
        self.stdin.flush()

    def last_error(self) -> str:
        """The last line the worker wrote to stderr, or how it exited."""
        self.stderr.seek(0)
        lines = [line.strip() for line in self.stderr.read().splitlines() if line.strip()]
        return lines[-1] if lines else f"exit code {self.process.poll()}"

    def stop(self, kill: bool = False) -> None:
        if self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=10)
        for stream in (self.stdin, self.stdout, self.stderr):
            with contextlib.suppress(OSError):  # a broken pipe to a killed worker
                stream.close()


class _Feed:
    """Hands out batches of runs, sized to take about a second each once timings are known."""

    def __init__(self, runs: list[dict[str, Any]], workers: int) -> None:
        self.runs = list(reversed(runs))
        self.workers = workers
        self.size = first_batch_size(len(runs), workers)
        self.count = 0

    def __bool__(self) -> bool:
        return bool(self.runs)

    def learn(self, seconds_per_run: float) -> None:
        """Resize batches to about one second (at most 500 runs, and a fair share of the rest)."""
        if seconds_per_run > 0:
            self.size = max(1, min(500, round(1.0 / seconds_per_run)))

    def next(self) -> tuple[int, list[dict[str, Any]]]:
        share = max(1, math.ceil(len(self.runs) / self.workers))
        take = min(self.size, share)
        batch = [self.runs.pop() for _ in range(min(take, len(self.runs)))]
        self.count += 1
        return self.count, batch


def run_local(
    scenario: dict[str, Any], model: str | None, store: Store, todo: list[dict[str, Any]],
    workers: int, advance: Callable[[int], None], cancel: threading.Event | None = None,
    nice: int = 0, metrics: list[str] | None = None,
) -> int:  # fmt: skip
    """Run ``todo`` in worker processes, each committing its own batches; ``advance(n)``
    is told as runs finish; the runs record ``metrics`` (None: all). Returns how many
    runs failed."""
    message = json.dumps({"scenario": scenario, "model": model, "metrics": metrics})
    feed = _Feed(todo, workers)
    answers: Answers = queue.Queue()
    pool = [_LocalWorker(i, store.root, message, answers, nice, model)
            for i in range(min(workers, len(todo)))]  # fmt: skip
    failed = 0
    try:
        for worker in pool:
            if feed:
                worker.send(*feed.next())
        busy = sum(w.batch is not None for w in pool)
        while busy:
            try:
                index, answer = answers.get(timeout=0.2)
            except queue.Empty:
                if cancel is not None and cancel.is_set():
                    raise SweepCancelledError("cancelled") from None
                continue
            worker = pool[index]
            if "ran" in answer:
                worker.ran += answer["ran"]
                advance(answer["ran"])
            elif "batch" in answer:
                failed += answer["failed"]
                feed.learn(answer["seconds"] / max(1, len(worker.runs)))
                worker.batch = None
                busy -= 1
                if feed:
                    worker.send(*feed.next())
                    busy += 1
            elif "exit" in answer and worker.batch is not None:
                # the worker died mid-batch: record its uncommitted runs as failed, start another
                reason = worker.last_error()
                written = StoreWriteError.from_worker(store.root, reason)
                if written is not None:  # a full disk or a read-only folder: stop the sweep
                    raise written
                committed, _ = store.done()
                lost = [r for r in worker.runs if r["run_id"] not in committed]
                rows = pd.DataFrame(
                    [{"run_id": r["run_id"], "seed": r["seed"], "rep": r["rep"], **r["point"],
                      "steps": 0, "equilibrium": False,
                      "error": f"worker died: {reason}"} for r in lost]
                )  # fmt: skip
                if lost:
                    store.commit(rows, None)
                failed += len(lost)
                advance(len(worker.runs) - worker.ran)
                worker.stop(kill=True)
                busy -= 1
                replacement = _LocalWorker(index, store.root, message, answers, nice, model)
                pool[index] = replacement
                if feed:
                    replacement.send(*feed.next())
                    busy += 1
    except BaseException:
        for worker in pool:
            worker.stop(kill=True)
        raise
    for worker in pool:
        worker.stop()
    return failed
