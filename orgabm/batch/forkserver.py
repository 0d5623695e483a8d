"""A preloaded interpreter that forks sweep workers, so that a worker starts in milliseconds.

A fresh ``python -m orgabm.batch.worker`` spends about a second importing Mesa, pandas,
pyarrow and the engine before it runs anything, and a sweep pays that again for every
worker it starts or replaces; a process that runs many sweeps (a notebook, the dashboard,
the test suite) pays it each time. On Linux the first sweep of a process therefore starts
one server, ``python -P -m orgabm.batch.forkserver FD``, that imports the worker's modules
once and then forks a worker per request, handing it the pipes and the environment the
request names. The server never runs a model and never imports a ``--model`` module: the
child does both after the fork, so every worker starts as clean as a fresh interpreter.

The chain dies with the sweep's process, as fresh workers do: the server when its parent
dies or closes the socket (the kernel closes it for a process that dies), each worker
when the server dies (``worker.die_with_parent``). Elsewhere (no ``fork`` on Windows;
macOS's system libraries are not safe to fork once loaded) workers start fresh, as they
do when the server fails.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Mapping, Sequence
from typing import IO, Any

from .child import python_command
from .worker import PARENT_ENV

__all__ = ["ForkedWorker", "start_worker"]

#: Only here: Linux has fork, SOCK_SEQPACKET and a parent-death signal.
AVAILABLE = sys.platform.startswith("linux") and hasattr(socket, "send_fds")
#: The environment that shapes what the server imports: a different one gets its own server.
_IMPORT_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONMALLOC", "PYTHONHASHSEED", "OPENBLAS_NUM_THREADS",
               "OMP_NUM_THREADS", "MKL_NUM_THREADS")  # fmt: skip


class _Server:
    """The parent's end of one fork server: its process, its socket and its children's exits."""

    def __init__(self, env: Mapping[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = dict(env)
        env[PARENT_ENV] = str(os.getpid())  # the server dies with us
        self.process = subprocess.Popen(
            python_command("-m", "orgabm.batch.forkserver", str(theirs.fileno())),
            pass_fds=[theirs.fileno()], env=env,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        theirs.close()
        self.socket = ours
        self.asking = threading.Lock()  # one fork request at a time
        self.replies: queue.Queue[dict[str, Any]] = queue.Queue()
        self.exits: dict[int, int] = {}
        self.changed = threading.Condition()
        self.gone = False
        threading.Thread(target=self._read, daemon=True, name="orgabm-forkserver").start()

    def _read(self) -> None:
        while True:
            try:
                data = self.socket.recv(1 << 16)
            except OSError:
                data = b""
            if not data:
                break
            message = json.loads(data)
            if "exit" in message:
                with self.changed:
                    self.exits[message["pid"]] = message["exit"]
                    self.changed.notify_all()
            else:
                self.replies.put(message)
        with self.changed:  # its children died with it (their parent-death signal)
            self.gone = True
            self.changed.notify_all()
        self.replies.put({"error": "the fork server has gone"})

    def alive(self) -> bool:
        return self.process.poll() is None and not self.gone

    def close(self) -> None:
        """Close our end: the server exits, and any worker still running dies with it."""
        with contextlib.suppress(OSError):
            self.socket.shutdown(socket.SHUT_RDWR)  # wakes our reader, and ends the server
        self.socket.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def fork(self, args: Sequence[str], env: Mapping[str, str], fds: Sequence[int]) -> int:
        """A new worker's process id; raises OSError if the server cannot fork one."""
        request = json.dumps({"args": list(args), "env": dict(env)}).encode()
        with self.asking:
            socket.send_fds(self.socket, [request], list(fds))
            try:  # the first request waits for the server's imports
                reply = self.replies.get(timeout=120)
            except queue.Empty:
                reply = {"error": "the fork server did not answer in 120 s"}
        if "pid" not in reply:
            raise OSError(reply["error"])
        return int(reply["pid"])

    def kill(self, pid: int) -> None:
        """SIGKILL a child, through the server: it knows whether the pid is still its child."""
        with contextlib.suppress(OSError):
            self.socket.send(json.dumps({"kill": pid}).encode())

    def returncode(self, pid: int) -> int | None:
        if pid in self.exits:
            return self.exits[pid]
        return -signal.SIGKILL if self.gone else None


class ForkedWorker:
    """A worker forked by the server, with what ``local`` uses of ``subprocess.Popen``."""

    def __init__(self, server: _Server, pid: int, stdin: IO[str], stdout: IO[str]) -> None:
        self._server = server
        self.pid = pid
        self.stdin = stdin
        self.stdout = stdout

    def poll(self) -> int | None:
        return self._server.returncode(self.pid)

    def wait(self, timeout: float | None = None) -> int:
        with self._server.changed:
            if not self._server.changed.wait_for(lambda: self.poll() is not None, timeout):
                raise subprocess.TimeoutExpired(f"forked worker {self.pid}", timeout or 0)
        code = self.poll()
        assert code is not None  # the wait above ended with it known
        return code

    def kill(self) -> None:
        if self.poll() is None:
            self._server.kill(self.pid)


_servers: dict[tuple[str, ...], _Server] = {}
_starting = threading.Lock()


def _server_for(env: Mapping[str, str]) -> _Server:
    key = (sys.executable, *(f"{name}={env.get(name, '')}" for name in _IMPORT_ENV))
    with _starting:
        server = _servers.get(key)
        if server is None or not server.alive():
            if server is not None:
                server.close()
            server = _servers[key] = _Server(env)
        return server


@atexit.register
def _close_servers() -> None:
    for server in _servers.values():
        server.close()


def start_worker(
    args: Sequence[str], env: Mapping[str, str], stderr: IO[str]
) -> ForkedWorker | None:
    """``python -m orgabm.batch.worker ARGS`` forked by this process's server, with ``env``
    and text pipes for stdin and stdout; None where there is no server (start it fresh)."""
    if not AVAILABLE:
        return None
    stdin_r, stdin_w = os.pipe()
    stdout_r, stdout_w = os.pipe()
    try:
        for attempt in range(2):  # a server that died since the last sweep is started again
            server = _server_for(env)
            child = {**env, PARENT_ENV: str(server.process.pid)}  # dies with the server
            try:
                pid = server.fork(args, child, [stdin_r, stdout_w, stderr.fileno()])
                break
            except OSError:
                if attempt:
                    raise
    except OSError:
        for fd in (stdin_r, stdin_w, stdout_r, stdout_w):
            os.close(fd)
        return None
    os.close(stdin_r)
    os.close(stdout_w)
    stdin = open(stdin_w, "w", buffering=1, encoding="utf-8")  # noqa: SIM115 - the worker's pipe
    stdout = open(stdout_r, encoding="utf-8")  # noqa: SIM115 - closed by local's stop
    return ForkedWorker(server, pid, stdin, stdout)


# --- the server's side ---------------------------------------------------------------


def _child(server: socket.socket, fds: list[int], request: dict[str, Any]) -> None:
    """In the forked child: become ``python -m orgabm.batch.worker ARGS``, then exit."""
    code = 1
    try:
        server.close()
        for target, fd in enumerate(fds):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
        signal.signal(signal.SIGINT, signal.default_int_handler)  # the server ignores it
        if "random" in sys.modules:  # as unlike its siblings as a fresh interpreter
            sys.modules["random"].seed()
        from . import worker

        code = worker.main(request["args"])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _reap(server: socket.socket, live: set[int]) -> None:
    """Tell the parent how each child that ended exited."""
    for pid in list(live):
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            live.discard(pid)
            code = os.waitstatus_to_exitcode(status)
            server.send(json.dumps({"pid": pid, "exit": code}).encode())


def serve(fd: int) -> int:
    """Import the worker's modules, then fork a worker per request until the parent goes."""
    server = socket.socket(fileno=fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the sweep's to handle
    # No parent-death signal here: it would fire when the *thread* that started us ends
    # (a dashboard job's), killing the workers of other sweeps. The socket's end is ours.
    said = os.environ.get(PARENT_ENV, "")
    if said.isdigit() and os.getppid() != int(said):
        return 1  # the sweep died while we started
    import pyarrow.parquet  # noqa: F401 - what a worker's first commit needs

    from . import store, worker  # noqa: F401 - the preload: a worker's imports, done once

    woken, wake = os.pipe()  # SIGCHLD writes here: a child's end wakes the loop at once
    os.set_blocking(wake, False)
    signal.set_wakeup_fd(wake)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    live: set[int] = set()
    while True:
        readable, _, _ = select.select([server.fileno(), woken], [], [])
        if woken in readable:
            os.read(woken, 4096)
        try:
            _reap(server, live)
            if server.fileno() not in readable:
                continue
            data, fds, _, _ = socket.recv_fds(server, 1 << 20, 3)
        except OSError:
            return 0  # the parent has gone
        if not data:
            return 0  # the parent closed its end, or died: our children die with us
        request = json.loads(data)
        if "kill" in request:
            if request["kill"] in live:
                os.kill(request["kill"], signal.SIGKILL)
            continue
        try:
            pid = os.fork()
        except OSError as exc:
            for descriptor in fds:
                os.close(descriptor)
            server.send(json.dumps({"error": f"fork failed: {exc}"}).encode())
            continue
        if pid == 0:
            signal.set_wakeup_fd(-1)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            os.close(woken)
            os.close(wake)
            _child(server, fds, request)
        for descriptor in fds:
            os.close(descriptor)
        live.add(pid)
        try:
            server.send(json.dumps({"pid": pid}).encode())
        except OSError:
            return 0


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1])))
