"""What a class server exposes to whoever reaches it: the asset route, assignment text, other
students' sessions, the server's own status. A real `solara run` driven by Playwright in
Debian's headless Chromium, with no internet, and the routes called in-process."""

import asyncio
import base64
import json
import shutil
import threading
import urllib.error
import urllib.request
import warnings
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from playwright.sync_api import Page, expect

from orgabm.dashboard.assets import cdn_folder
from orgabm.dashboard.serve import harden_routes, running_server
from orgabm.scenario import scenario_dirs

RENDERED = """() => {
  const views = [...document.querySelectorAll('[data-rendered]')];
  return views.length >= 5 && views.every((el) => Number(el.dataset.rendered) >= 0);
}"""

#: An assignment whose text tries to run a script and a Vue expression.
MARKUP = "zz_markup_test"
INSTRUCTIONS = """Read **this**. <img src="x" onerror="window.orgabmInjected = 1"> stays text.

<script>window.orgabmInjected = 2</script>

The answer is {{ 6*7 }} and [a link](javascript:window.orgabmInjected=3).
"""

#: Solara's proxy deleted these folders when a URL named them (every page then loaded blank).
FOLDERS = ["@widgetti/solara-vuetify-app@10.1.1/dist", "vega@5.21.0/build"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server whose assignments include MARKUP: a teacher's own folder of assignments
    (ORGABM_SCENARIOS), beside the shipped ones."""
    shipped = scenario_dirs()[0] / "assignments"
    data = yaml.safe_load((shipped / "exploration_exploitation.yaml").read_text())
    data["name"] = MARKUP
    data["assignment"].update(title="Markup test", instructions=INSTRUCTIONS,
                              questions=["Is {{ 7*6 }} shown as it is?"])  # fmt: skip
    own = tmp_path_factory.mktemp("teacher")
    (own / "assignments").mkdir()
    (own / "assignments" / f"{MARKUP}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    log = own / "server.log"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ORGABM_SCENARIOS", str(own))
        with running_server(log=log) as url:
            yield url, log


def status(url: str, method: str = "GET") -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def open_page(browser, url: str) -> Page:
    page = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
    page.goto(url)
    expect(page.get_by_text("Step: 0", exact=True)).to_be_visible(timeout=90_000)
    return page


def test_asset_urls_naming_a_folder_or_a_missing_file_leave_the_cache_alone(server, browser):
    url, log = server
    # first a folder of our own: if the route deletes it, the real ones are not asked for
    probe = cdn_folder() / "orgabm-probe" / "dist"
    probe.mkdir(parents=True, exist_ok=True)
    (probe / "a.js").write_text("1")
    try:
        assert status(f"{url}/_solara/cdn/orgabm-probe/dist") == 404
        assert (probe / "a.js").is_file(), "the asset route deleted a cached folder"
        assert status(f"{url}/_solara/cdn/orgabm-probe/dist/a.js") == 200
    finally:
        shutil.rmtree(probe.parent)
    for folder in FOLDERS:
        assert status(f"{url}/_solara/cdn/{folder}") == 404
        assert (cdn_folder() / folder).is_dir() and any((cdn_folder() / folder).iterdir())
    assert status(f"{url}/_solara/cdn/requirejs@2.3.6/nothing.js") == 404
    assert not (cdn_folder() / "requirejs@2.3.6/nothing.js").exists()
    page = open_page(browser, url)  # a new page still loads, charts and all
    page.wait_for_function(RENDERED, timeout=60_000)
    assert "Could not load URL" not in log.read_text()
    page.context.close()


def test_assignment_text_is_shown_as_text_and_runs_nothing(server, browser):
    page = open_page(browser, f"{server[0]}/?assignment={MARKUP}")
    card = page.locator(".orgabm-assignment")
    expect(card.get_by_text('<img src="x" onerror="window.orgabmInjected = 1">', exact=False)
           ).to_be_visible()  # fmt: skip
    expect(card.get_by_text("<script>window.orgabmInjected = 2</script>")).to_be_visible()
    expect(card.get_by_text("The answer is {{ 6*7 }}", exact=False)).to_be_visible()
    expect(card.get_by_text("Is {{ 7*6 }} shown as it is?")).to_be_visible()
    expect(card.locator("strong", has_text="this")).to_be_visible()  # Markdown still formats
    assert "42" not in card.inner_text()
    assert card.locator("img, script").count() == 0
    assert card.locator("a", has_text="a link").get_attribute("href") is None
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.get_by_text("Step: 1", exact=True)).to_be_visible()
    assert page.evaluate("window.orgabmInjected") is None
    page.context.close()


def test_a_stranger_cannot_close_a_students_session_nor_a_script_read_its_cookie(server, browser):
    page = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(server[0])
    expect(page.get_by_text("Step: 0", exact=True)).to_be_visible(timeout=90_000)
    kernel = next(u for u in sockets if "/jupyter/api/kernels/" in u)
    kernel_id = urlsplit(kernel).path.split("/")[-2]
    page_id = parse_qs(urlsplit(kernel).query)["session_id"][0]
    # what the page's own close beacon sends, but without the student's cookie
    assert status(f"{server[0]}/_solara/api/close/{kernel_id}?session_id={page_id}", "POST") == 200
    page.get_by_role("button", name="Step", exact=True).click()
    expect(page.get_by_text("Step: 1", exact=True)).to_be_visible(timeout=10_000)
    # nor can a script on the page read the cookie that names the session
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["solara-session-id"]["httpOnly"]
    assert "solara-session-id" not in page.evaluate("document.cookie")
    page.context.close()


def _link(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


# the page falls back to an assignment, or to the defaults (tests/dashboard/test_app.py reads
# every kind of malformed link in-process)
@pytest.mark.parametrize(
    ("data", "notice"),
    [({"scenario": "assignments/exploration_exploitation", "levers": [1]},
      "showing the assignment as set"),
     ({"employees": "20"}, "employees '20' must be")],
)  # fmt: skip
def test_a_malformed_link_shows_a_notice_not_a_traceback(server, browser, data, notice):
    page = browser.new_context().new_page()
    page.goto(f"{server[0]}/?config={_link(data)}")
    expect(page.get_by_text(notice, exact=False)).to_be_visible(timeout=90_000)
    expect(page.get_by_text("Step: 0", exact=True)).to_be_visible()
    assert "Traceback" not in page.locator("body").inner_text()
    page.context.close()


# ----------------------------------------------------------------- the routes, in-process
def call(app, path: str, client: str) -> int:
    """The status of one GET to an ASGI app, from ``client``'s address."""
    path, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
             "query_string": query.encode(), "headers": [(b"host", b"testserver")],
             "client": (client, 5000), "server": ("testserver", 80)}  # fmt: skip
    sent, asked = [], []

    async def receive():
        if asked:  # the request has no more body: wait as a client that stays connected
            await asyncio.Event().wait()
        asked.append(True)
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    # in a thread of its own: Playwright's sync API leaves an event loop on this one
    worker = threading.Thread(target=lambda: asyncio.run(asyncio.wait_for(
        app(scope, receive, send), 20)))  # fmt: skip
    worker.start()
    worker.join()
    return next(m["status"] for m in sent if m["type"] == "http.response.start")


@pytest.fixture
def solara_app(monkeypatch):
    """Solara's server app, its routes and settings put back after the test."""
    with warnings.catch_warnings():  # Solara imports websockets' deprecated legacy API
        warnings.simplefilter("ignore", DeprecationWarning)
        import solara.server.starlette as solara_starlette
    from solara.server import settings

    for var in ("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "SOLARA_SESSION_HTTP_ONLY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(settings.telemetry, "mixpanel_enable", True)
    monkeypatch.setattr(settings.session, "http_only", False)
    app = solara_starlette.app
    routes = list(app.router.routes)
    yield app, settings
    app.router.routes[:] = routes


def test_the_servers_status_page_answers_this_machine_only(solara_app):
    app, _ = solara_app
    harden_routes()
    assert call(app, "/resourcez?verbose", "10.0.0.7") == 404
    assert call(app, "/resourcez?verbose", "127.0.0.1") == 200
    assert call(app, "/_solara/cdn/requirejs@2.3.6/require.js", "10.0.0.7") == 200


def test_a_server_started_without_orgabm_sends_no_telemetry_either(solara_app):
    _, settings = solara_app
    harden_routes()  # what importing the app does, also under `solara run app.py`
    assert not settings.telemetry.mixpanel_enable and settings.session.http_only
