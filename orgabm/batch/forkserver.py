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
import itertools
import json
import os
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

#: Only here: Linux has fork, SOCK_SEQPACKET and file descriptors for processes.
AVAILABLE = sys.platform.startswith("linux") and hasattr(socket, "send_fds")
#: The environment that shapes what the server imports, and at what priority (a background
#: sweep's, ORGABM_WORKER_NICE): a different one gets its own server.
_IMPORT_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONMALLOC", "PYTHONHASHSEED", "OPENBLAS_NUM_THREADS",
               "OMP_NUM_THREADS", "MKL_NUM_THREADS", "ORGABM_WORKER_NICE")  # fmt: skip


class _Server:
    """The parent's end of one fork server: its process, its socket, the replies to our
    requests (by request id: a late reply never reaches another requester) and how its
    children exited."""

    def __init__(self, env: Mapping[str, str]) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        env = {**env, PARENT_ENV: str(os.getpid())}  # the server dies with us
        try:
            self.process = subprocess.Popen(
                python_command("-m", "orgabm.batch.forkserver", str(theirs.fileno())),
                pass_fds=[theirs.fileno()], env=env,
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.socket = ours
        self.ids = itertools.count(1)
        self.replies: dict[int, dict[str, Any] | None] = {}  # request id -> reply, once come
        self.abandoned: set[int] = set()  # requests whose asker gave up: kill what they got
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
            with self.changed:
                if "exit" in message:
                    self.exits[message["pid"]] = message["exit"]
                elif message["id"] in self.abandoned:
                    self.abandoned.discard(message["id"])
                    if "pid" in message:
                        self.kill(message["pid"])
                else:
                    if "pid" in message:  # a pid the kernel reused: not the old one's exit
                        self.exits.pop(message["pid"], None)
                    self.replies[message["id"]] = message
                self.changed.notify_all()
        with self.changed:  # its children died with it
            self.gone = True
            self.changed.notify_all()

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

    def fork(self, request: dict[str, Any], fds: Sequence[int]) -> int:
        """A new worker's process id; raises OSError if the server cannot fork one. If the
        asker is interrupted, the worker forked for it is killed when its pid comes."""
        rid = next(self.ids)
        with self.changed:
            self.replies[rid] = None
        try:
            socket.send_fds(self.socket, [json.dumps({**request, "id": rid}).encode()], fds)
            with self.changed:  # the first request waits for the server's imports
                self.changed.wait_for(lambda: self.replies[rid] is not None or self.gone, 120)
                reply = self.replies.pop(rid)
        except BaseException:
            with self.changed:
                came = self.replies.pop(rid, None)
                if came is None and not self.gone:
                    self.abandoned.add(rid)
                elif came is not None and "pid" in came:
                    self.kill(came["pid"])
            raise
        if reply is None:
            if not self.gone:  # stuck for two minutes: start afresh
                self.close()
            raise OSError("the fork server did not answer")
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
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            with self._server.changed:
                code = self._server.returncode(self.pid)
                if code is not None:  # known: the server's record of it can go
                    self.returncode = code
                    self._server.exits.pop(self.pid, None)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        with self._server.changed:
            if not self._server.changed.wait_for(
                lambda: (
                    self._server.returncode(self.pid) is not None or self.returncode is not None
                ),
                timeout,
            ):
                raise subprocess.TimeoutExpired(f"forked worker {self.pid}", timeout or 0)
        code = self.poll()
        assert code is not None  # the wait above ended with it known
        return code

    def kill(self) -> None:
        if self.poll() is None:
            self._server.kill(self.pid)


_servers: dict[tuple[str, ...], _Server] = {}
_starting = threading.Lock()
_inherited: list[_Server] = []  # a forked copy of this process's servers: never used


def _server_for(env: Mapping[str, str]) -> _Server:
    key = (sys.executable, *(f"{name}={env.get(name, '')}" for name in _IMPORT_ENV))
    with _starting:
        server = _servers.get(key)
        if server is None or not server.alive():
            if server is not None:
                server.close()
            server = _servers[key] = _Server(env)
        return server


def _forget_servers() -> None:
    """In a child forked from this process (a multiprocessing pool, say): the servers are
    the parent's. Drop our copy of their sockets, never shutting them down."""
    global _starting
    _starting = threading.Lock()
    for server in _servers.values():
        with contextlib.suppress(OSError):
            server.socket.detach()
        _inherited.append(server)  # kept, so that no finalizer runs on the parent's
    _servers.clear()


@atexit.register
def _close_servers() -> None:
    with _starting:
        for server in _servers.values():
            server.close()
        _servers.clear()


if AVAILABLE:
    os.register_at_fork(after_in_child=_forget_servers)


def start_worker(
    args: Sequence[str], env: Mapping[str, str], stderr: IO[str]
) -> ForkedWorker | None:
    """``python -m orgabm.batch.worker ARGS`` forked by this process's server, with ``env``,
    this process's folder and umask, and text pipes for stdin and stdout; None where there
    is no server (start it fresh)."""
    if not AVAILABLE:
        return None
    umask = os.umask(0)
    os.umask(umask)
    request = {"args": list(args), "cwd": os.getcwd(), "umask": umask,
               "sigint": signal.getsignal(signal.SIGINT) == signal.SIG_IGN}  # fmt: skip
    stdin_r, stdin_w = os.pipe()
    stdout_r, stdout_w = os.pipe()
    try:
        for attempt in range(2):  # a server that died since the last sweep is started again
            server = _server_for(env)
            child = {**env, PARENT_ENV: str(server.process.pid)}  # dies with the server
            try:
                pid = server.fork({**request, "env": child}, [stdin_r, stdout_w, stderr.fileno()])
                break
            except OSError:
                if attempt:
                    raise
    except BaseException as exc:
        for fd in (stdin_r, stdin_w, stdout_r, stdout_w):
            os.close(fd)
        if isinstance(exc, OSError):
            return None  # too large an environment, a server that cannot start: start fresh
        raise
    os.close(stdin_r)
    os.close(stdout_w)
    stdin = open(stdin_w, "w", buffering=1, encoding="utf-8")  # noqa: SIM115 - the worker's pipe
    stdout = open(stdout_r, encoding="utf-8")  # noqa: SIM115 - closed by local's stop
    return ForkedWorker(server, pid, stdin, stdout)


# --- the server's side ---------------------------------------------------------------


def _child(server: socket.socket, fds: list[int], request: dict[str, Any]) -> None:
    """In the forked child: become ``python -m orgabm.batch.worker ARGS`` in the sweep's
    folder, with its environment and umask, then exit."""
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
        os.chdir(request["cwd"])
        os.umask(request["umask"])
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, encoding="utf-8", closefd=False)  # noqa: SIM115
        # the server ignores Ctrl+C; a fresh worker would do as the sweep does
        signal.signal(signal.SIGINT, signal.SIG_IGN if request["sigint"] else
                      signal.default_int_handler)  # fmt: skip
        for name in ("random", "numpy.random"):  # as unlike its siblings as a fresh one
            if name in sys.modules:
                sys.modules[name].seed()
        from . import worker

        sys.argv = [worker.__file__, *request["args"]]  # as ``python -m`` would have it
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


def _watch(parent: int) -> int | None:
    """A descriptor that becomes readable when the sweep ends: the socket alone would stay
    open while a child the sweep forked (a multiprocessing pool) still holds it."""
    try:
        return os.pidfd_open(parent)
    except (AttributeError, OSError):
        return None


def serve(fd: int) -> int:
    """Import the worker's modules, then fork a worker per request until the sweep goes."""
    server = socket.socket(fileno=fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the sweep's to handle
    # No parent-death signal here: it would fire when the *thread* that started us ends
    # (a dashboard job's), killing the workers of other sweeps. We watch the sweep itself.
    said = os.environ.get(PARENT_ENV, "")
    parent = int(said) if said.isdigit() else os.getppid()
    watch = _watch(parent)
    if os.getppid() != parent:
        return 1  # the sweep died while we started
    nice = int(os.environ.get("ORGABM_WORKER_NICE", "0") or 0)
    if nice and hasattr(os, "nice"):
        os.nice(nice)  # a background sweep's imports (seconds of CPU) yield to the pages too
    import pandas  # noqa: F401 - the preload: a worker's imports, done once
    import pyarrow.parquet  # noqa: F401 - what a worker's first commit needs

    from ..engine import model  # noqa: F401 - the worker imports it on its first batch
    from ..scenario import loading  # noqa: F401
    from . import store, worker  # noqa: F401

    woken, wake = os.pipe()  # SIGCHLD writes here: a child's end wakes the loop at once
    os.set_blocking(wake, False)
    signal.set_wakeup_fd(wake)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    live: set[int] = set()
    waits = [server.fileno(), woken] + ([watch] if watch is not None else [])
    while True:
        readable, _, _ = select.select(waits, [], [], None if watch is not None else 1.0)
        if (watch in readable) or os.getppid() != parent:
            return 0  # the sweep has ended: our children die with us
        if woken in readable:
            os.read(woken, 4096)
        try:
            _reap(server, live)
            if server.fileno() not in readable:
                continue
            data, fds, flags, _ = socket.recv_fds(server, 1 << 22, 3)
        except OSError:
            return 0  # the parent has gone
        if not data:
            return 0  # the parent closed its end, or died: our children die with us
        try:
            if not _answer(server, data, fds, flags, live, own=[woken, wake, *waits[2:]]):
                return 0
        except Exception as exc:  # one bad request must not end the others' workers
            for descriptor in fds:
                with contextlib.suppress(OSError):
                    os.close(descriptor)
            with contextlib.suppress(Exception):
                rid = json.loads(data).get("id", 0)
                server.send(
                    json.dumps({"id": rid, "error": f"{type(exc).__name__}: {exc}"}).encode()
                )


def _answer(
    server: socket.socket, data: bytes, fds: list[int], flags: int, live: set[int],
    own: list[int],
) -> bool:  # fmt: skip
    """Carry out one request: a kill, or a fork (whose child closes ``own``, the server's
    descriptors). False once the parent has gone."""
    if flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC):
        raise ValueError("the request was too large")
    request = json.loads(data)
    if "kill" in request:
        if request["kill"] in live:
            os.kill(request["kill"], signal.SIGKILL)
        return True
    pid = os.fork()
    if pid == 0:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for descriptor in own:
            os.close(descriptor)
        _child(server, fds, request)
    for descriptor in fds:
        os.close(descriptor)
    live.add(pid)
    try:
        server.send(json.dumps({"id": request["id"], "pid": pid}).encode())
    except OSError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1])))
