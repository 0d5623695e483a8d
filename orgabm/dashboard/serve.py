"""Starting the dashboard's server: for ``orgabm dashboard``, the tests and the benchmark."""

from __future__ import annotations

import contextlib
import ipaddress
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..batch.child import child_env, python_command
from .assets import ensure_offline_assets, read_only_cdn
from .memory import SERVER_ONLY_MALLOC, can_trim

__all__ = [
    "CHROMIUM_ARGS", "CHROMIUM_PATH", "app_path", "command", "employee_position", "free_port",
    "harden_routes", "is_loopback", "move_slider", "running_server", "server_env", "serving",
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
    (``child``), sessions whose connection dropped freed after 2 minutes (Solara keeps
    them 24 h by default), no usage reports to Solara's telemetry service (on by
    default), a session cookie that the page's scripts cannot read (Solara's own do
    not), and, where the C library can trim its heap (glibc), the C allocator for
    Python's objects, so that closed sessions' memory can go back (``memory``); each
    unless set."""
    env = child_env()
    env.setdefault("SOLARA_KERNEL_CULL_TIMEOUT", "2m")
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "False")
    env.setdefault("SOLARA_SESSION_HTTP_ONLY", "True")
    if can_trim() and "PYTHONMALLOC" not in env:
        env["PYTHONMALLOC"] = "malloc"
        env[SERVER_ONLY_MALLOC] = "1"  # the server's sweep workers keep Python's own
    return env


def is_loopback(host: str | None) -> bool:
    """Whether a client's address is this machine's own (the only one /resourcez answers)."""
    try:
        address = ipaddress.ip_address(host or "")
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


def _close_own_page(request):
    """Solara's ``POST /_solara/api/close/{kernel}``, for the page's owner only.

    Solara's closes any session whose two ids it is given, with no cookie; the page's own
    close beacon carries its session cookie, so a close without the owner's is ignored
    (the session is then freed when its connection drops, like any other)."""
    from solara.server import kernel_context, server
    from starlette.responses import Response

    context = kernel_context.contexts.get(request.path_params["kernel_id"])
    page = request.query_params.get("session_id")
    owner = server.get_session_id_cookie(request.cookies)
    mine = context is not None and bool(owner) and owner == context.session_id
    if context is not None and mine and page in context.page_status:
        context.page_close(page)
    return Response(status_code=200)


def _local_only(endpoint):
    """An endpoint that answers this machine only (404 to everyone else)."""
    from starlette.responses import Response

    async def guarded(request):
        if request.client is None or not is_loopback(request.client.host):
            return Response(status_code=404)
        return await endpoint(request)

    return guarded


def harden_routes() -> None:
    """Replace the Solara routes that a class server must not expose to its students:
    the asset proxy that deletes cached files (``assets.read_only_cdn``), the close route
    that takes no cookie, and ``/resourcez`` (sessions, threads, the machine's CPU and
    memory) outside this machine. Also ``server_env``'s telemetry and cookie settings, for a
    server started without it (``solara run app.py``), unless the environment sets them.
    Runs when the app is imported, before the first request (and before Solara's first
    telemetry report); the route list is read at every request."""
    solara_starlette = sys.modules.get("solara.server.starlette")
    if solara_starlette is None:  # imported outside a server (the tests, a notebook)
        return
    from solara.server import settings
    from starlette.routing import Mount, Route

    if "SOLARA_TELEMETRY_MIXPANEL_ENABLE" not in os.environ:
        settings.telemetry.mixpanel_enable = False
    if "SOLARA_SESSION_HTTP_ONLY" not in os.environ:
        settings.session.http_only = True
    # plain http, never in an iframe: Solara's cookie rightly falls back to samesite=lax, and
    # its 15 lines about iframes, on the first page, would only alarm a trainer
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https",
                            category=UserWarning, module="solara.server.starlette")  # fmt: skip

    routes = solara_starlette.app.router.routes
    for i, route in enumerate(routes):
        path = getattr(route, "path", None)
        if isinstance(route, Mount) and path == "/_solara/cdn":
            routes[i] = Mount(path, app=read_only_cdn())
        elif isinstance(route, Route) and path == "/_solara/api/close/{kernel_id}":
            routes[i] = Route(path, endpoint=_close_own_page, methods=["POST"])
        elif isinstance(route, Route) and path == "/resourcez":
            endpoint = getattr(route.endpoint, "__wrapped__", route.endpoint)
            guarded = _local_only(endpoint)
            guarded.__wrapped__ = endpoint
            routes[i] = Route(path, endpoint=guarded)


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
        if not isinstance(out, int):  # a log file, not DEVNULL
            out.close()


@contextlib.contextmanager
def running_server(log: Path | None = None, port: int | None = None) -> Iterator[str]:
    """A dashboard server on a free loopback port for the duration of the block; yields its URL."""
    with serving(log, port) as (url, _):
        yield url


#: Where the network view draws employee ``row``: page coordinates from its Vega scales.
_EMPLOYEE_AT = """(row) => {
  const el = [...document.querySelectorAll('[data-rendered]')]
    .find((e) => e.view && e.view.data('d1').length && 'row' in e.view.data('d1')[0]);
  const node = el.view.data('d1').find((d) => d.row === row);
  const box = el.querySelector('canvas').getBoundingClientRect();
  const [ox, oy] = el.view.origin();
  const pad = el.view.padding();
  return [box.left + pad.left + ox + el.view.scale('x')(node.x),
          box.top + pad.top + oy + el.view.scale('y')(node.y)];
}"""


def employee_position(page: Any, row: int) -> tuple[float, float]:
    """Where a dashboard page (Playwright) draws employee ``row`` in its network view, for
    a click as a trainer's: the view is a canvas, with no element to click."""
    x, y = page.evaluate(_EMPLOYEE_AT, row)
    return float(x), float(y)


def move_slider(slider: Any, value: float, seconds: float = 60.0) -> None:
    """Move a page's slider (a Playwright locator of its ``role=slider`` thumb) to
    ``value`` with the keyboard, as a student could: one key at a time, each waited for,
    because a key pressed before the server has answered the last one can be undone by
    that answer (the server sets the value it was sent, after the page has moved on)."""
    deadline = time.monotonic() + seconds

    def shown() -> float:
        return float(slider.get_attribute("aria-valuenow"))

    slider.focus()
    while True:
        now = shown()
        if abs(now - value) < 1e-9:
            time.sleep(0.5)  # the server's answer to the last key may still come
            if abs(shown() - value) < 1e-9:
                return
            continue
        if time.monotonic() > deadline:
            raise TimeoutError(f"the slider shows {now:g}, not {value:g}, after {seconds:g} s")
        slider.press("ArrowRight" if now < value else "ArrowLeft")
        moved = time.monotonic() + 5
        while shown() == now and time.monotonic() < moved:
            time.sleep(0.05)
