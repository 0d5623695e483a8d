"""Starting the dashboard's server: for ``orgabm dashboard``, the tests and the benchmark."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from ..batch.child import child_env, python_command
from .assets import ensure_offline_assets
from .memory import SERVER_ONLY_MALLOC, can_trim

__all__ = [
    "CHROMIUM_ARGS", "CHROMIUM_PATH", "app_path", "command", "free_port", "running_server",
    "server_env", "serving",
]  # fmt: skip

#: Debian's Chromium, driven headless by Playwright (its own browser download does not work
#: on machines without internet), and the flags that keep it off the network.
CHROMIUM_PATH = os.environ.get("ORGABM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def app_path() -> Path:
    """The dashboard's Solara app file."""
    return Path(__file__).resolve().parent / "app.py"


def command(host: str = "127.0.0.1", port: int = 8765, production: bool = True) -> list[str]:
    """The ``solara run`` command line that serves the dashboard."""
    line = [*python_command("-m", "solara", "run", "orgabm.dashboard.app"), "--host", host,
            "--port", str(port), "--no-open"]  # fmt: skip
    return [*line, "--production"] if production else line


def server_env() -> dict[str, str]:
    """The server's environment: orgabm's code and no module of the current folder
    (``child``), sessions whose connection
    dropped freed after 2 minutes (Solara keeps them 24 h by default), and, where the C
    library can trim its heap (glibc), the C allocator for Python's objects, so that
    closed sessions' memory can go back (``memory``); each unless set."""
    env = child_env()
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "2m")
    if can_trim() and "PYTHONMALLOC" not in env:
        env["PYTHONMALLOC"] = "malloc"
        env[SERVER_ONLY_MALLOC] = "1"  # the server's sweep workers keep Python's own
    return env


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, seconds: float = 90.0, process: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers 200; raise if the server exits or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the dashboard server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise TimeoutError(f"the dashboard did not answer at {url} within {seconds:.0f} s")


@contextlib.contextmanager
def serving(
    log: Path | None = None, port: int | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """A dashboard server on a free loopback port for the duration of the block; yields its
    URL and process."""
    ensure_offline_assets()
    port = port or free_port()
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    process = subprocess.Popen(command("127.0.0.1", port), stdout=out, stderr=subprocess.STDOUT,
                               env=server_env())  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process=process)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        if log:
            out.close()


@contextlib.contextmanager
def running_server(log: Path | None = None, port: int | None = None) -> Iterator[str]:
    """A dashboard server on a free loopback port for the duration of the block; yields its URL."""
    with serving(log, port) as (url, _):
        yield url
